"""Outage pages: the calendar (desk, leaders, managers), planning with the affected homes counted before
saving, the outage page with notice progress, extend and end, and the public page residents open from the
notice's link. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.htmx import apply_validation_error
from crews.permissions import is_manager, is_staff_member
from crews.selectors import worker_of
from residents.models import Building, District
from workorders.choices import System
from workorders.models import Incident

from . import selectors, services
from .actions import hazards, rounds
from .choices import CREW_KIND_OF_SYSTEM, HazardMove, OutageState, RoundStatus
from .filtersets import HazardFilterSet, RoundFilterSet
from .forms import OutageExtendForm, OutageFilterForm, OutagePlanForm
from .models import RoundItem
from .permissions import can_plan_outage, can_run_outage, can_see_outages
from .selectors import Scope, count_affected_homes

PAGE_SIZE = 50


def _staff_or_404(request: HttpRequest) -> None:
    if not can_see_outages(request.user):
        raise Http404


def _annotate_state(outages, now) -> list[Incident]:
    for outage in outages:
        outage.state = selectors.state_of(outage, now)
    return outages


@login_required
@require_GET
def outage_list(request: HttpRequest) -> HttpResponse:
    """The outage calendar: upcoming and current outages by start (or the state chosen), filtered by system,
    kind and district. Four queries whatever the number of rows (the page, its count, the scope prefetch)."""
    _staff_or_404(request)
    now = timezone.now()
    form = OutageFilterForm(request.GET or None)
    qs = selectors.outages_visible_to(request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if data.get("system"):
        qs = qs.filter(system=data["system"])
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    if data.get("district"):
        qs = qs.filter(district=data["district"])
    if data.get("state"):
        qs = selectors.filter_by_state(qs, data["state"], now)
        qs = (
            qs.order_by("-starts_at", "-id")
            if data["state"] == OutageState.ENDED
            else qs.order_by("starts_at")
        )
    else:
        qs = qs.filter(ended_at__isnull=True).order_by("starts_at", "id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "outages": _annotate_state(list(page.object_list), now),
        "can_plan": can_plan_outage(request.user),
        "now": now,
    }
    return render(request, "operations/outage_list.html", context)


def _systems_for(user) -> list[str]:
    return [s for s in System.values if can_plan_outage(user, s)]


def _form_scope(form: OutagePlanForm) -> Scope | None:
    d = form.cleaned_data
    if not d.get("district"):
        return None
    return Scope(
        district_id=d["district"].pk,
        building_ids=tuple(b.pk for b in d.get("buildings") or ()),
        unit_ids=tuple(u.pk for u in d.get("units") or ()),
        facility_ids=tuple(f.pk for f in d.get("facilities") or ()),
    )


@login_required
def outage_new(request: HttpRequest) -> HttpResponse:
    """Plan an outage. "Count affected homes" (or any change, through htmx) shows the count before saving;
    "Plan outage" saves it and queues the notices that are due."""
    systems = _systems_for(request.user)
    if not systems:
        raise PermissionDenied(_("Only managers and leaders of the system's crew may plan outages."))
    affected = None
    if request.method == "POST":
        form = OutagePlanForm(request.POST, systems=systems)
        if form.is_valid():
            if "preview" in request.POST:
                affected = count_affected_homes(_form_scope(form))
            else:
                d = form.cleaned_data
                try:
                    incident = services.plan_outage(
                        actor=request.user,
                        title=d["title"],
                        system=d["system"],
                        district=d["district"],
                        description=d["description"],
                        starts_at=d["starts_at"],
                        expected_end_at=d["expected_end_at"],
                        buildings=d["buildings"],
                        units=d["units"],
                        facilities=d["facilities"],
                        notice_lead_minutes=d["notice_lead_minutes"],
                    )
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("Outage planned: %(n)s homes affected; the residents will be notified.")
                        % {"n": incident.affected_homes},
                    )
                    return redirect("operations:outage_detail", incident.pk)
    else:
        start = (timezone.localtime() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
        initial = {
            "district": request.GET.get("district") or "",
            "system": request.GET.get("system") or systems[0],
            "starts_at": start,
            "expected_end_at": start + timedelta(hours=6),
        }
        form = OutagePlanForm(initial=initial, systems=systems)
    return render(request, "operations/outage_form.html", {"form": form, "affected": affected})


@login_required
@require_GET
def outage_affected(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of the planning page: the count of affected homes for the area as filled in."""
    systems = _systems_for(request.user)
    if not systems:
        raise PermissionDenied
    form = OutagePlanForm(request.GET, systems=systems)
    form.is_valid()  # only the area fields matter here; the others are checked on saving
    affected = None
    if not any(f in form.errors for f in ("district", "buildings", "units", "facilities")):
        scope = _form_scope(form)
        affected = count_affected_homes(scope) if scope else None
    return render(request, "operations/partials/affected.html", {"affected": affected})


@login_required
@require_GET
def outage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One outage: area, times, affected homes, notice progress by event, extend and end."""
    _staff_or_404(request)
    incident = get_object_or_404(selectors.outages_visible_to(request.user), pk=pk)
    now = timezone.now()
    context = {
        "outage": _annotate_state([incident], now)[0],
        "progress": selectors.notice_progress(incident),
        "runs": incident.notice_runs.select_related("actor").order_by("created_at", "id"),
        "can_run": can_run_outage(request.user, incident),
        "extend_form": OutageExtendForm(initial={"expected_end_at": incident.expected_end_at}),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "operations/partials/progress.html", context)
    return render(request, "operations/outage_detail.html", context)


@login_required
@require_POST
def outage_extend(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_or_404(request)
    incident = get_object_or_404(Incident, pk=pk)
    if not can_run_outage(request.user, incident):
        raise PermissionDenied(_("You may not change this outage."))
    form = OutageExtendForm(request.POST)
    if form.is_valid():
        try:
            services.extend_outage(
                actor=request.user,
                incident_id=incident.pk,
                expected_end_at=form.cleaned_data["expected_end_at"],
                note=form.cleaned_data["note"],
            )
        except services.OutageConflict as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, _("The new expected end is set; the residents will be notified."))
    else:
        messages.error(request, _("Give the new expected end."))
    return redirect("operations:outage_detail", incident.pk)


@login_required
@require_POST
def outage_end(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_or_404(request)
    incident = get_object_or_404(Incident, pk=pk)
    if not can_run_outage(request.user, incident):
        raise PermissionDenied(_("You may not change this outage."))
    try:
        services.end_outage(actor=request.user, incident_id=incident.pk, note=request.POST.get("note", ""))
    except services.OutageConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The outage is over; the residents will be told it is restored."))
    return redirect("operations:outage_detail", incident.pk)


@require_GET
def public_outages(request: HttpRequest) -> HttpResponse:
    """The public page (no login): upcoming and current outages of a district, or of one building, with the
    area and times only — no names, no phone numbers."""
    now = timezone.now()
    districts = District.objects.all()
    district = building = None
    if (d := request.GET.get("district", "")).isdigit():
        district = District.objects.filter(pk=d).first()
    if district and (b := request.GET.get("building", "")).isdigit():
        building = Building.objects.filter(pk=b, district=district).first()
    outages: list[Incident] = []
    if district:
        qs = Incident.objects.filter(
            district=district, ended_at__isnull=True, starts_at__lte=now + timedelta(days=14)
        ).prefetch_related("buildings", "units", "facilities")
        if building:
            through_b, through_u = Incident.buildings.through, Incident.units.through
            listed = Q()
            for through in (through_b, through_u, Incident.facilities.through):
                listed &= ~Exists(through.objects.filter(incident_id=OuterRef("pk")))
            qs = qs.filter(
                Exists(through_b.objects.filter(incident_id=OuterRef("pk"), building_id=building.pk))
                | Exists(through_u.objects.filter(incident_id=OuterRef("pk"), unit__building_id=building.pk))
                | listed
            )
        outages = _annotate_state(list(qs.order_by("starts_at", "id")), now)
    context = {
        "districts": districts,
        "district": district,
        "building": building,
        "buildings": Building.objects.filter(district=district) if district else [],
        "outages": outages,
        "now": now,
        "crew_kinds": CREW_KIND_OF_SYSTEM,
    }
    return render(request, "operations/public_outages.html", context)


# --- Rounds (the worker's phone) and the hazard register --------------------------------------------------


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
    context = {"open_rounds": open_rounds, "past": past, "filterset": filterset, "now": timezone.now()}
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
    except (rounds.RoundConflict, hazards.HazardConflict) as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
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
        selectors.hazards_visible_to(request.user).select_related("work_order", "found_by"), pk=pk
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
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
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
