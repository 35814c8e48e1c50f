"""Outage pages: the calendar (desk, leaders, managers), planning with the affected homes counted before
saving, the outage page with notice progress, extend and end, and the public page residents open from the
notice's link. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.htmx import apply_validation_error
from residents.models import Building, District
from workorders.choices import System
from workorders.models import Incident

from .. import selectors, services
from ..choices import CREW_KIND_OF_SYSTEM, NoticeEvent, OutageState
from ..forms import OutageExtendForm, OutageFilterForm, OutagePlanForm
from ..permissions import can_plan_outage, can_run_outage, can_see_outages
from ..selectors import Scope, count_affected_homes
from . import error_text

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


def _runnable_outage(request: HttpRequest, pk: int) -> Incident:
    """The outage of a page's extend/end button: 404 to whom may not see it, 403 to whom may not run it."""
    _staff_or_404(request)
    incident = get_object_or_404(Incident, pk=pk)
    if not can_run_outage(request.user, incident):
        raise PermissionDenied(_("You may not change this outage."))
    return incident


@login_required
@require_POST
def outage_extend(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _runnable_outage(request, pk)
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
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The new expected end is set; the residents will be notified."))
    else:
        messages.error(request, _("Give the new expected end."))
    return redirect("operations:outage_detail", incident.pk)


@login_required
@require_POST
def outage_end(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _runnable_outage(request, pk)
    try:
        ended = services.end_outage(
            actor=request.user, incident_id=incident.pk, note=request.POST.get("note", "")
        )
    except services.OutageConflict as exc:
        messages.error(request, exc.message)
    else:
        if ended.notice_runs.filter(event=NoticeEvent.RESTORED).exists():
            messages.success(request, _("The outage is over; the residents will be told it is restored."))
        else:
            messages.success(request, _("The outage is called off; nobody had been told of it yet."))
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
