"""Feedback pages: the dispatchers' follow-up workbench, the resident's rating page (no login), complaints,
praise and quality inspections. Thin: parse, call a service, redirect or render."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.files import file_view, send_file
from config.htmx import apply_validation_error, call_service, is_fragment, redirect_next
from crews.permissions import is_crew_leader
from residents.models import Room
from residents.selectors import suggest_rooms
from workorders.actions import TransitionNotAllowed
from workorders.choices import Charge
from workorders.filtersets import WorkOrderFilterSet
from workorders.models import WorkOrder
from workorders.selectors import work_orders_visible_to

from . import exports, selectors
from .actions.assessment import freeze_assessment, record_reward_penalty, set_assessment_weights
from .actions.complaints import (
    ComplaintTransitionNotAllowed,
    close_complaint,
    complaint_from_follow_up,
    investigate_complaint,
    register_complaint,
    resolve_complaint,
)
from .actions.exports import start_export
from .actions.follow_ups import FollowUpClosed, record_attempt
from .actions.inspections import draw_inspection_sample, record_inspection, week_of
from .actions.notifications import acknowledge_alert
from .actions.praise import record_praise
from .actions.rating_links import TokenProblem, follow_up_for_token, rate_by_link
from .choices import (
    RATINGS,
    AssessmentLevel,
    ComplaintStatus,
    ExportKind,
    ExportStatus,
    InspectionStatus,
    Outcome,
)
from .filtersets import ComplaintFilterSet, ReportOrderFilterSet
from .forms import (
    AnswersForm,
    AttemptForm,
    CloseForm,
    ComplaintForm,
    InspectionForm,
    PraiseForm,
    ResolveForm,
    RewardPenaltyForm,
    WeightsForm,
    _bool,
)
from .models import FollowUpAttempt
from .permissions import (
    can_export_orders,
    can_follow_up,
    can_handle_complaint,
    can_inspect,
    can_manage_assessment,
    can_record_praise,
    can_register_complaint,
    can_see_complainant,
    can_view_reports,
    can_view_satisfaction,
)
from .reports.assessment import KPIS, compare, current_weights, frozen_assessment, month_assessment
from .reports.hotspots import hotspots
from .reports.periods import (
    FOLLOW_UP_GROUPS,
    PERIOD_KINDS,
    PERIOD_LABELS,
    SLA_GROUPS,
    Period,
    parse_month,
    parse_period,
    period_containing,
)
from .reports.satisfaction import satisfaction_report, satisfaction_trend
from .reports.sla import (
    open_complaints_by_deadline,
    overdue_count,
    overdue_orders,
    sla_report,
)
from .reports.volume import volume_report

PAGE_SIZE = 50


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not open this page."))


# --- The follow-up workbench -----------------------------------------------------------------------------


@login_required
def follow_up_queue(request):
    """Due follow-ups, emergencies first then the oldest, each a link to its call script."""
    _require(can_follow_up(request.user))
    page = Paginator(selectors.follow_up_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "now": timezone.now()}
    if is_fragment(request):
        return render(request, "feedback/partials/followup_rows.html", context)
    return render(request, "feedback/followup_list.html", context)


@login_required
def follow_up_detail(request, pk: int):
    """The call script: the order's summary, earlier attempts, one form for this attempt."""
    _require(can_follow_up(request.user))
    follow_up = get_object_or_404(
        selectors.with_follow_up_relations(selectors.follow_ups_visible_to(request.user)).prefetch_related(
            Prefetch("attempts", queryset=FollowUpAttempt.objects.select_related("by"))
        ),
        pk=pk,
    )
    order = follow_up.work_order
    paid = order.charge == Charge.PAID
    form = AttemptForm(request.POST or None, paid=paid)
    if request.method == "POST" and form.is_valid():
        try:
            record_attempt(
                actor=request.user,
                follow_up_id=follow_up.pk,
                outcome=form.cleaned_data["outcome"],
                **form.answers(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except FollowUpClosed as exc:
            form.add_error(None, exc.message)
        else:
            if form.cleaned_data["outcome"] == Outcome.REACHED:
                messages.success(request, _("Follow-up recorded for order %(n)s.") % {"n": order.number})
            else:
                messages.info(
                    request, _("Attempt recorded; the order stays in the queue for another time of day.")
                )
            return redirect("feedback:follow-up", pk=follow_up.pk)
    context = {
        "follow_up": follow_up,
        "order": order,
        "form": form,
        "attempts": list(follow_up.attempts.all()),
        "complaint": follow_up.complaints.first(),
    }
    return render(request, "feedback/followup_detail.html", context)


@login_required
@require_POST
def follow_up_to_complaint(request, pk: int):
    """One click: the follow-up's comment becomes a complaint."""
    _require(can_register_complaint(request.user))
    follow_up = get_object_or_404(selectors.follow_ups_visible_to(request.user), pk=pk)
    try:
        complaint = complaint_from_follow_up(actor=request.user, follow_up_id=follow_up.pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("feedback:follow-up", pk=pk)
    messages.success(request, _("Complaint %(n)s registered.") % {"n": complaint.number})
    return redirect("feedback:complaint", pk=complaint.pk)


@login_required
@require_POST
def follow_up_to_praise(request, pk: int):
    _require(can_record_praise(request.user))
    follow_up = get_object_or_404(
        selectors.with_follow_up_relations(selectors.follow_ups_visible_to(request.user)), pk=pk
    )
    comment = follow_up.attempts.exclude(comment="").order_by("-at").values_list("comment", flat=True).first()
    try:
        record_praise(
            actor=request.user,
            summary=comment or "",
            work_order=follow_up.work_order,
            source="follow_up",
            praiser_name=follow_up.work_order.reporter_name,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Praise recorded."))
    return redirect("feedback:follow-up", pk=pk)


# --- The resident's rating page (no login) ---------------------------------------------------------------


def rate(request, token: str):
    """The tokenized link: shows only the order's category, date and address label, asks the same
    questions as the phone call. A used, expired or unknown link gets a clear page and nothing else."""
    try:
        follow_up = follow_up_for_token(token)
    except TokenProblem as problem:
        return render(
            request,
            "feedback/rate_invalid.html",
            {"reason": problem.reason},
            status=410 if problem.reason != "invalid" else 404,
        )
    order = follow_up.work_order
    form = AnswersForm(request.POST or None, paid=order.charge == Charge.PAID)
    if request.method == "POST" and form.is_valid():
        try:
            rate_by_link(token=token, **form.answers())
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except TokenProblem as problem:
            return render(request, "feedback/rate_invalid.html", {"reason": problem.reason}, status=410)
        else:
            return render(request, "feedback/rate_done.html")
    context = {
        "form": form,
        "category": order.category.name,
        "date": timezone.localtime(order.completed_at) if order.completed_at else None,
        "place": order.location_label,
    }
    response = render(request, "feedback/rate.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- Complaints -------------------------------------------------------------------------------------------


def _complaint_access(user) -> None:
    _require(can_see_complainant(user) or is_crew_leader(user))


@login_required
def complaint_list(request):
    _complaint_access(request.user)
    qs = selectors.with_complaint_relations(selectors.complaints_visible_to(request.user))
    filterset = ComplaintFilterSet(request.GET, queryset=qs)
    qs = filterset.qs
    status = request.GET.get("status", "")
    page = Paginator(qs.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filterset": filterset,
        "status": status,
        "statuses": ComplaintStatus.choices,
        "show_complainant": can_see_complainant(request.user),
        "alerts": list(selectors.open_alerts()[:20]) if can_handle_complaint(request.user) else [],
        "now": timezone.now(),
        "can_register": can_register_complaint(request.user),
    }
    if is_fragment(request):
        return render(request, "feedback/partials/complaint_rows.html", context)
    return render(request, "feedback/complaint_list.html", context)


@login_required
def complaint_create(request):
    _require(can_register_complaint(request.user))
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        order = None
        if d["order_number"]:
            order = WorkOrder.objects.filter(number=d["order_number"].strip()).first()
            if order is None:
                form.add_error("order_number", _("No order with this number."))
        if form.is_valid():
            try:
                complaint = register_complaint(
                    actor=request.user,
                    source=d["source"],
                    phone=d["phone"],
                    name=d["name"],
                    summary=d["summary"],
                    work_order=order,
                    crew=d["crew"],
                    worker=d["worker"],
                    type=d["type"],
                    severity=d["severity"],
                )
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Complaint %(n)s registered.") % {"n": complaint.number})
                return redirect("feedback:complaint", pk=complaint.pk)
    return render(request, "feedback/complaint_form.html", {"form": form})


def _complaint_context(request, complaint, **forms):
    return {
        "complaint": complaint,
        "show_complainant": can_see_complainant(request.user),
        "can_handle": can_handle_complaint(request.user),
        "events": list(complaint.events.select_related("actor")),
        "resolve_form": forms.get("resolve_form") or ResolveForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "now": timezone.now(),
    }


@login_required
def complaint_detail(request, pk: int):
    _complaint_access(request.user)
    complaint = get_object_or_404(
        selectors.with_complaint_relations(selectors.complaints_visible_to(request.user)), pk=pk
    )
    return render(request, "feedback/complaint_detail.html", _complaint_context(request, complaint))


@login_required
@require_POST
def complaint_action(request, pk: int, action: str):
    complaint = get_object_or_404(selectors.complaints_visible_to(request.user), pk=pk)
    _require(can_handle_complaint(request.user))
    forms = {}
    try:
        if action == "investigate":
            investigate_complaint(actor=request.user, complaint_id=pk, note=request.POST.get("note", ""))
        elif action == "resolve":
            form = forms["resolve_form"] = ResolveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            d = form.cleaned_data
            resolve_complaint(
                actor=request.user,
                complaint_id=pk,
                valid=_bool(d["valid"]),
                findings=d["findings"],
                responsible_person=d["responsible_person"],
                accountability=d["accountability"],
                points=d["points"] or 0,
                fine=d["fine"] or 0,
                rectification=d["rectification"],
            )
        elif action == "close":
            form = forms["close_form"] = CloseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            close_complaint(
                actor=request.user,
                complaint_id=pk,
                callback_note=form.cleaned_data["callback_note"],
                callback_satisfied=_bool(form.cleaned_data["callback_satisfied"]),
            )
        else:
            raise Http404
    except ValidationError as exc:
        for form in forms.values():
            if hasattr(exc, "message_dict"):
                apply_validation_error(form, exc)
        messages.error(request, _("Please correct the marked fields."))
        complaint = selectors.with_complaint_relations(selectors.complaints_visible_to(request.user)).get(
            pk=pk
        )
        return render(
            request,
            "feedback/complaint_detail.html",
            _complaint_context(request, complaint, **forms),
            status=400,
        )
    except ComplaintTransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Complaint %(n)s updated.") % {"n": complaint.number})
    return redirect("feedback:complaint", pk=pk)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    _require(can_handle_complaint(request.user))
    acknowledge_alert(actor=request.user, alert_id=pk)
    return redirect_next(request, "feedback:complaints")


# --- Praise ---------------------------------------------------------------------------------------------


@login_required
def praise_list(request):
    """The praise records — material for the monthly 真情服务小故事 — and a form to add one."""
    _require(can_record_praise(request.user))
    form = PraiseForm(request.POST or None)
    if call_service(
        request, form, lambda: record_praise(actor=request.user, **form.cleaned_data), _("Praise recorded.")
    ):
        return redirect("feedback:praise")
    page = Paginator(selectors.praise_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/praise_list.html", {"page": page, "form": form})


# --- Quality inspections -----------------------------------------------------------------------------------


@login_required
def inspection_list(request):
    _require(can_inspect(request.user))
    try:
        week = week_of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        week = week_of(timezone.localdate())
    if request.method == "POST":
        added = draw_inspection_sample(week=week)
        messages.success(request, _("%(n)s orders added to this week's sample.") % {"n": added})
        return redirect(f"{request.path}?week={week.isoformat()}")
    rows = list(selectors.inspections(week))
    context = {
        "rows": rows,
        "week": week,
        "previous": week - timedelta(days=7),
        "next": week + timedelta(days=7),
        "pending": sum(r.status == InspectionStatus.PENDING for r in rows),
    }
    return render(request, "feedback/inspection_list.html", context)


@login_required
def inspection_form(request, pk: int):
    _require(can_inspect(request.user))
    inspection = get_object_or_404(selectors.inspections(), pk=pk)
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record_inspection(
                actor=request.user,
                inspection_id=pk,
                workmanship=d["workmanship"],
                cleanliness=d["cleanliness"],
                checklist=d["checklist"],
                safety=d["safety"],
                passed=_bool(d["passed"]),
                findings=d["findings"],
                responsible_person=d["responsible_person"],
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except TransitionNotAllowed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect(f"{_url('feedback:inspections')}?week={inspection.week.isoformat()}")
    return render(
        request,
        "feedback/inspection_form.html",
        {"inspection": inspection, "order": inspection.work_order, "form": form},
    )


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


# --- Reports, assessment, rewards and penalties, exports (managers) -------------------------------------------

EXPORT_SYNC_LIMIT = 2000  # more rows than this run as a Celery task with a progress bar


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _period(request) -> tuple[Period, list[str]]:
    """The requested period, or this month with the error to show when the input is bad."""
    try:
        return parse_period(request.GET), []
    except ValidationError as exc:
        return parse_period({}), exc.messages


def _group_by(request, groups: dict, errors: list[str]) -> str:
    value = request.GET.get("group_by") or "crew"
    if value not in groups:
        errors.append(_("Group by one of: %(choices)s.") % {"choices": ", ".join(groups)})
        return "crew"
    return value


def _period_context(request, period: Period, groups: dict, group_by: str) -> dict:
    params = request.GET.copy()
    params.pop("format", None)
    prev, nxt = params.copy(), params.copy()
    for p, target in ((prev, period.previous()), (nxt, period.next())):
        p.pop("to", None)
        p.update(target.as_params())
    return {
        "period": period,
        "periods": [(k, PERIOD_LABELS[k]) for k in PERIOD_KINDS],
        "groups": [(k, g.title) for k, g in groups.items()],
        "group_by": group_by,
        "query": params.urlencode(),
        "prev_query": prev.urlencode(),
        "next_query": nxt.urlencode(),
    }


@login_required
def dashboard(request):
    """This month at a glance: satisfaction and its 12-month trend, SLA compliance, open complaints by
    deadline, top hotspots, the crew ranking. A fixed number of queries (see the test)."""
    _require(can_view_reports(request.user))
    now = timezone.now()
    period = period_containing("month", timezone.localdate(now))
    satisfaction = satisfaction_report(period, "crew", now=now)
    sla = sla_report(period, "crew", now=now)
    context = {
        "period": period,
        "satisfaction": satisfaction,
        "trend": satisfaction_trend(12, now=now),
        "sla": sla,
        "complaints": open_complaints_by_deadline(now=now),
        "spots": hotspots(end=now, limit=5),
        "ranking": month_assessment(period.start, "crew", now=now),
        "overdue_count": overdue_count(now=now),
    }
    return render(request, "feedback/dashboard.html", context)


def _report_page(
    request, name: str, period: Period, errors: list[str], context: dict, workbook: Callable[[], bytes]
) -> HttpResponse:
    """A period report: its workbook when asked for and the filters are valid, else the page
    (`feedback/report_<name>.html`) with the filters' errors and a 400 when there are any."""
    if request.GET.get("format") == "xlsx" and not errors:
        return _xlsx(workbook(), f"{name}-{period.start:%Y%m%d}.xlsx")
    context = {**context, "errors": errors}
    return render(request, f"feedback/report_{name}.html", context, status=400 if errors else 200)


def _grouped(
    request, groups: dict, build: Callable[[Period, str], Any]
) -> tuple[Any, Period, list[str], dict]:
    """A grouped period report as the query asks for it (this month, by crew, where the query is wrong): the
    report, its period, the query's errors and the page's period and grouping context."""
    period, errors = _period(request)
    group_by = _group_by(request, groups, errors)
    return build(period, group_by), period, errors, _period_context(request, period, groups, group_by)


@login_required
def report_satisfaction(request):
    _require(can_view_satisfaction(request.user))
    report, period, errors, context = _grouped(request, FOLLOW_UP_GROUPS, satisfaction_report)
    context = {"report": report, "ratings": RATINGS, **context}
    return _report_page(
        request, "satisfaction", period, errors, context, lambda: exports.satisfaction_workbook(report)
    )


@login_required
def report_sla(request):
    _require(can_view_reports(request.user))
    report, period, errors, context = _grouped(request, SLA_GROUPS, sla_report)
    overdue = overdue_orders()
    context = {"report": report, "overdue": overdue, **context}
    return _report_page(
        request, "sla", period, errors, context, lambda: exports.sla_workbook(report, overdue)
    )


@login_required
def report_volume(request):
    _require(can_view_reports(request.user))
    period, errors = _period(request)
    try:
        min_orders = max(2, min(int(request.GET.get("min") or 3), 100))
    except ValueError:
        min_orders = 3
        errors.append(_("The minimum number of orders must be a whole number."))
    report = volume_report(period)
    spots = hotspots(end=min(period.end_at, timezone.now()), min_orders=min_orders)
    context = {
        "report": report,
        "spots": spots,
        "min_orders": min_orders,
        **_period_context(request, period, {}, ""),
    }
    return _report_page(
        request, "volume", period, errors, context, lambda: exports.volume_workbook(report, spots)
    )


@login_required
def assessment(request):
    """The month's assessment, live and (once frozen) frozen side by side; POST freezes the month."""
    _require(can_view_reports(request.user))
    errors: list[str] = []
    try:
        month = parse_month(request.GET.get("month") or request.POST.get("month"))
    except ValidationError as exc:
        month, errors = parse_month(None), exc.messages
    level = request.GET.get("level") or request.POST.get("level") or AssessmentLevel.CREW
    if level not in AssessmentLevel.values:
        level, errors = AssessmentLevel.CREW, [*errors, _("Choose crew or worker.")]
    if request.method == "POST":
        try:
            freeze_assessment(actor=request.user, month=month, level=level)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("The assessment of %(month)s is frozen.") % {"month": f"{month:%Y-%m}"}
            )
        return redirect(f"{request.path}?month={month:%Y-%m}&level={level}")
    live = month_assessment(month, level)
    frozen = frozen_assessment(month, level)
    if request.GET.get("format") == "xlsx":
        use_frozen = request.GET.get("figures") == "frozen" and frozen is not None
        lines = frozen.lines if use_frozen else live
        content = exports.assessment_workbook(
            lines,
            month_label=f"{month:%Y-%m}",
            level_label=str(AssessmentLevel(level).label),
            frozen=str(_("Frozen") if use_frozen else _("Live")),
        )
        return _xlsx(content, f"assessment-{month:%Y%m}-{level}.xlsx")
    context = {
        "month": month,
        "level": level,
        "levels": AssessmentLevel.choices,
        "rows": compare(live, frozen),
        "frozen": frozen,
        "kpis": KPIS,
        "errors": errors,
        "can_freeze": timezone.localdate() >= period_containing("month", month).end,
        "prev_month": period_containing("month", month).previous().start,
        "next_month": period_containing("month", month).next().start,
    }
    return render(request, "feedback/assessment_list.html", context, status=400 if errors else 200)


@login_required
def assessment_weights(request):
    _require(can_manage_assessment(request.user))
    form = WeightsForm(request.POST or None, initial_weights=current_weights())
    if call_service(
        request,
        form,
        lambda: set_assessment_weights(actor=request.user, weights=form.cleaned_data),
        _("Weights saved. Frozen months keep the weights they were frozen with."),
    ):
        return redirect("feedback:assessment-weights")
    return render(
        request, "feedback/assessmentweight_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def reward_penalty_list(request):
    """Rewards and penalties (奖惩) of a month, and the form to enter one."""
    _require(can_manage_assessment(request.user))
    try:
        month = parse_month(request.GET.get("month"))
    except ValidationError:
        month = parse_month(None)
    form = RewardPenaltyForm(request.POST or None, initial={"date": timezone.localdate(), "kind": "reward"})
    if call_service(
        request, form, lambda: record_reward_penalty(actor=request.user, **form.cleaned_data), _("Recorded.")
    ):
        return redirect(f"{request.path}?month={form.cleaned_data['date']:%Y-%m}")
    period = period_containing("month", month)
    rows = selectors.rewards_penalties(period.start, period.end)
    context = {
        "form": form,
        "rows": rows,
        "month": month,
        "prev_month": period.previous().start,
        "next_month": period.next().start,
    }
    return render(request, "feedback/rewardpenalty_list.html", context, status=400 if form.errors else 200)


@login_required
def export_orders(request):
    """The order list with the list's filters, as the user sees it, to Excel: at most EXPORT_SYNC_LIMIT rows
    right away, more as a background job with a progress bar."""
    _require(can_export_orders(request.user))
    params = {k: v if len(v) > 1 else v[0] for k, v in request.GET.lists() if k not in ("export", "page")}
    filterset = WorkOrderFilterSet(request.GET, queryset=WorkOrder.objects.none())
    if request.GET.get("export") and filterset.is_valid():
        try:
            qs, _filters = exports.orders_queryset(request.user, params)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            total = qs.count()
            if total <= EXPORT_SYNC_LIMIT:
                filename, content = exports.orders_export(request.user, params)
                return _xlsx(content, filename)
            job = start_export(actor=request.user, kind=ExportKind.ORDERS, params=params, total=total)
            return redirect("feedback:export", pk=job.pk)
    jobs = selectors.export_jobs_of(request.user)[:10]
    # The room is picked by search-as-you-type (export_room_options), not from a list of every room.
    form = filterset.form
    form.fields["room"].widget = forms.HiddenInput()
    room = form["room"].value()
    chosen_room = Room.objects.filter(pk=room).first() if str(room or "").isdigit() else None
    context = {"filterset": filterset, "jobs": jobs, "chosen_room": chosen_room}
    return render(request, "feedback/exportjob_list.html", context)


@login_required
def export_room_options(request):
    """Rooms whose address starts like the text typed in the export's room field (at most ten)."""
    _require(can_export_orders(request.user))
    text = request.GET.get("q", "").strip()[:40]
    rooms = list(suggest_rooms(text, limit=10)) if text else []
    return render(request, "feedback/partials/room_options.html", {"rooms": rooms})


@login_required
def export_detail(request, pk: int):
    """The job's progress; htmx polls the fragment every second until it is done."""
    job = get_object_or_404(selectors.export_jobs_of(request.user), pk=pk)
    if is_fragment(request):
        return render(request, "feedback/partials/exportjob_progress.html", {"job": job})
    return render(request, "feedback/exportjob_detail.html", {"job": job})


@file_view
@login_required
def export_download(request, pk: int):
    job = get_object_or_404(selectors.export_jobs_of(request.user), pk=pk, status=ExportStatus.DONE)
    if not job.file:
        raise Http404
    return send_file(job.file, as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])


# --- The orders behind a figure ----------------------------------------------------------------------------


@login_required
@require_GET
def report_orders(request):
    """The orders behind a count on the dashboard or a report (managers), filtered by ReportOrderFilterSet.
    Paginated, a fixed number of queries."""
    _require(can_view_reports(request.user))
    data = request.GET.copy()
    data.pop("page", None)
    filterset = ReportOrderFilterSet(data, queryset=work_orders_visible_to(request.user))
    qs = filterset.qs.select_related("category__parent", "crew", "worker").order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filter_errors": filterset.errors,
        "now": timezone.now(),
        "query": data.urlencode(),
    }
    return render(request, "feedback/report_orders.html", context)
