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
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.files import file_view, send_file
from config.htmx import apply_validation_error
from crews.permissions import is_staff_member

from .. import selectors
from ..actions import hazards
from ..choices import SYSTEM_OF_CREW_KIND, HazardMove, Severity
from ..filtersets import HazardFilterSet
from ..forms import HazardReportForm
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


def _from_order(request: HttpRequest) -> dict:
    """The form's initial values from `?order=<id>`: a completed order the user may see whose 一次通检 found
    something — its place, its trade's system, and the findings."""
    from workorders.selectors import work_orders_visible_to

    order_id = request.GET.get("order", "")
    if not order_id.isdigit() or len(order_id) > 18:
        return {}
    order = (
        work_orders_visible_to(request.user)
        .select_related("room", "facility", "category")
        .filter(pk=int(order_id))
        .first()
    )
    if order is None:
        return {}
    place = order.room or order.facility
    return {
        "place": f"{place._meta.model_name}:{place.pk}" if place else "",
        "place_text": place.label if place else "",
        "system": SYSTEM_OF_CREW_KIND.get(order.category.crew_kind, ""),
        "description": _("Found by the full inspection (一次通检) of order %(number)s: %(findings)s")
        % {"number": order.number, "findings": order.inspection_findings or order.description},
    }


@login_required
def hazard_new(request: HttpRequest) -> HttpResponse:
    """上报隐患: anyone on staff reports a hazard — the place from the type-ahead, system, severity, the due date
    (defaulting from the severity), what is wrong and a photo taken with the phone's camera."""
    if not is_staff_member(request.user):
        raise Http404
    if request.method == "POST":
        form = HazardReportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                hazard = hazards.report_hazard(
                    actor=request.user,
                    severity=d["severity"],
                    system=d["system"],
                    description=d["description"],
                    photo=d["photo"],
                    due_on=d["due_on"],
                    **form.place_kwargs(),
                )
            except ValidationError as exc:
                apply_validation_error(form, exc, {"room": "place_text", "photo": "photo"})
            else:
                messages.success(
                    request,
                    _("Hazard reported; the crew will rectify it by %(due)s.")
                    % {"due": date_format(timezone.localtime(hazard.due_at), "Y-m-d H:i")},
                )
                if selectors.hazards_visible_to(request.user).filter(pk=hazard.pk).exists():
                    return redirect("operations:hazard_detail", hazard.pk)
                return redirect("operations:hazard_list")
    else:
        initial = {"severity": Severity.MAJOR, **_from_order(request)}
        initial["due_on"] = timezone.localdate(hazards.default_due_at(initial["severity"], timezone.now()))
        form = HazardReportForm(initial=initial)
    return render(request, "operations/hazard_form.html", {"form": form})


@login_required
@require_GET
def place_options(request: HttpRequest) -> HttpResponse:
    """The hazard form's type-ahead: facilities, buildings and rooms like what has been typed."""
    if not is_staff_member(request.user):
        raise Http404
    options = selectors.suggest_places(request.GET.get("place_text", ""))
    return render(request, "operations/partials/place_options.html", {"options": options})
