"""The hazard register (隐患台账): the list, one hazard with its moves, reporting one, and its photo. Thin: parse,
call the hazards actions, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.files import file_view, send_file
from crews.permissions import is_staff_member

from .. import selectors
from ..actions import hazards
from ..choices import HazardMove
from ..filtersets import HazardFilterSet
from ..models import photo_content_type
from . import error_text

PAGE_SIZE = 50


@login_required
@require_GET
def hazard_list(request: HttpRequest) -> HttpResponse:
    """The hazard register (隐患台账), filtered by system, crew, status, severity, district and overdue; a crew
    sees its own. Queries: session, user(+roles), worker for crew members, count, page — flat as rows grow."""
    if not is_staff_member(request.user):
        raise Http404
    base = selectors.hazards_visible_to(request.user).order_by("-found_at", "-id")
    filterset = HazardFilterSet(request.GET or None, queryset=base, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "operations/hazard_list.html",
        {"filterset": filterset, "page": page, "hazards": list(page.object_list), "now": timezone.now()},
    )


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One hazard: place, severity, due date, its timeline, and the moves the user may make as buttons."""
    if not is_staff_member(request.user):
        raise Http404
    hazard = get_object_or_404(
        selectors.hazards_visible_to(request.user).select_related("work_order", "found_by", "round_item"),
        pk=pk,
    )
    if request.method == "POST":
        move = request.POST.get("move", "")
        call = {
            HazardMove.START_RECTIFYING: hazards.start_rectifying,
            HazardMove.MARK_RECTIFIED: hazards.mark_rectified,
            HazardMove.VERIFY: hazards.verify_hazard,
            HazardMove.TO_WORK_ORDER: hazards.hazard_to_work_order,
        }.get(move)
        if call is None:
            raise Http404
        try:
            call(actor=request.user, hazard_id=hazard.pk, note=request.POST.get("note", ""))
        except hazards.HazardConflict as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Done: %(move)s.") % {"move": HazardMove(move).label})
        return redirect("operations:hazard_detail", hazard.pk)
    context = {
        "hazard": hazard,
        "moves": [(m, HazardMove(m).label) for m in hazards.allowed_moves(request.user, hazard)],
        "events": hazard.events.select_related("actor"),
        "now": timezone.now(),
    }
    return render(request, "operations/hazard_detail.html", context)


@login_required
@file_view
def hazard_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """The photo of a hazard the user may see (its own, else its round check's); config.files sends it. A crew
    sees only its own hazards' photos; anything else is a 404."""
    hazard = get_object_or_404(selectors.hazards_visible_to(request.user).select_related("round_item"), pk=pk)
    photo = hazard.shown_photo
    if photo is None:
        raise Http404
    return send_file(photo, content_type=photo_content_type(photo.name))
