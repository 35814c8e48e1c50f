"""The rounds a crew walks, on a worker's phone: the list (due, in progress, done, missed) and the walk item by
item. Thin: parse, call the rounds actions, redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.files import file_view, send_file
from crews.permissions import is_manager
from crews.selectors import worker_of

from .. import selectors
from ..actions import rounds
from ..choices import RoundStatus
from ..filtersets import RoundFilterSet
from ..models import RoundItem, photo_content_type
from ..services import Conflict
from . import error_text


def _crew_member_or_manager(request: HttpRequest) -> None:
    if not (is_manager(request.user) or worker_of(request.user) is not None):
        raise Http404


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    """The crew's rounds: due and in progress first (by due time), then the last done and missed ones. A worker
    sees the rounds given to them and the unassigned ones of the crew; a leader the whole crew's; a manager
    filters by crew. Queries: session, user, worker, the two lists."""
    _crew_member_or_manager(request)
    worker = worker_of(request.user)
    qs = selectors.rounds_visible_to(request.user)
    filterset = RoundFilterSet(request.GET or None, queryset=qs, request=request)
    qs = filterset.qs
    if worker is not None and not worker.is_leader:
        qs = qs.filter(Q(worker=worker) | Q(worker__isnull=True))
    open_rounds = list(
        qs.filter(status__in=[RoundStatus.DUE, RoundStatus.IN_PROGRESS]).order_by("due_at", "id")[:50]
    )
    past = list(qs.filter(status__in=[RoundStatus.DONE, RoundStatus.MISSED]).order_by("-due_at", "-id")[:20])
    context = {
        "open_rounds": open_rounds,
        "past": past,
        "filterset": filterset,
        "now": timezone.now(),
        "can_see_templates": is_manager(request.user) or bool(worker and worker.is_leader),
    }
    return render(request, "operations/round_list.html", context)


@login_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The walk, item by item on a phone: each check is its own small form posting to `round_record`."""
    _crew_member_or_manager(request)
    items = RoundItem.objects.select_related("facility", "building", "hazard").order_by("position", "id")
    round_ = get_object_or_404(
        selectors.rounds_visible_to(request.user).prefetch_related(Prefetch("items", queryset=items)), pk=pk
    )
    places: dict[str, list[RoundItem]] = {}
    for item in round_.items.all():
        places.setdefault(str(item.place), []).append(item)
    context = {
        "round": round_,
        "places": places,
        "done": sum(1 for i in round_.items.all() if i.recorded_at),
        "total": len(round_.items.all()),
    }
    return render(request, "operations/round_detail.html", context)


def _round_action(request: HttpRequest, pk: int, call) -> HttpResponse:
    round_ = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    try:
        result = call(round_)
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        return result or redirect("operations:round_detail", round_.pk)
    return redirect("operations:round_detail", round_.pk)


@login_required
@require_POST
def round_start(request: HttpRequest, pk: int) -> HttpResponse:
    return _round_action(
        request, pk, lambda r: rounds.start_round(actor=request.user, round_id=r.pk) and None
    )


@login_required
@require_POST
def round_record(request: HttpRequest, pk: int) -> HttpResponse:
    def record(round_):
        item_id = request.POST.get("item", "")
        if not item_id.isdigit() or len(item_id) > 10:
            raise ValidationError({"item": [_("This check is not part of the round.")]})
        passed = {"1": True, "0": False}.get(request.POST.get("passed", ""))
        item, hazard = rounds.record_check(
            actor=request.user,
            round_id=round_.pk,
            item_id=int(item_id),
            passed=passed,
            value=request.POST.get("value") or None,
            note=request.POST.get("note", ""),
            photo=request.FILES.get("photo"),
        )
        if hazard is not None:
            messages.warning(
                request,
                _("Out of range: registered as a hazard (%(s)s).") % {"s": hazard.get_severity_display()},
            )
        return redirect(f"{reverse('operations:round_detail', args=[round_.pk])}#item-{item.pk}")

    return _round_action(request, pk, record)


@login_required
@require_POST
def round_finish(request: HttpRequest, pk: int) -> HttpResponse:
    def finish(round_):
        rounds.finish_round(actor=request.user, round_id=round_.pk)
        messages.success(request, _("Round finished."))
        return redirect("operations:round_list")

    return _round_action(request, pk, finish)


@login_required
@file_view
def round_photo(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """The photo of a check of a round the user may see (the crew's, or any for a manager); 404 otherwise."""
    round_ = get_object_or_404(selectors.rounds_visible_to(request.user), pk=pk)
    item = get_object_or_404(RoundItem, round=round_, pk=item_pk)
    if not item.photo:
        raise Http404
    return send_file(item.photo, content_type=photo_content_type(item.photo.name))
