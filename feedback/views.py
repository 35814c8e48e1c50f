"""Feedback pages: the dispatchers' follow-up workbench, the resident's rating page (no login), complaints,
praise and quality inspections. Thin: parse, call a service, redirect or render."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crews.permissions import is_crew_leader
from workorders.choices import Charge
from workorders.models import WorkOrder
from workorders.services import TransitionNotAllowed

from . import selectors, services
from .choices import ComplaintStatus, InspectionStatus, Outcome
from .filtersets import ComplaintFilterSet
from .forms import (
    AnswersForm,
    AttemptForm,
    CloseForm,
    ComplaintForm,
    InspectionForm,
    PraiseForm,
    ResolveForm,
    _bool,
    put_errors,
)
from .models import FollowUpAttempt
from .permissions import (
    can_follow_up,
    can_handle_complaint,
    can_inspect,
    can_record_praise,
    can_register_complaint,
    can_see_complainant,
)

PAGE_SIZE = 50


def _fragment(request) -> bool:
    return bool(request.htmx) and not request.htmx.boosted


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
    if _fragment(request):
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
            services.record_attempt(
                actor=request.user,
                follow_up_id=follow_up.pk,
                outcome=form.cleaned_data["outcome"],
                **form.answers(),
            )
        except ValidationError as exc:
            put_errors(form, exc)
        except services.FollowUpClosed as exc:
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
        "can_see_phone": True,
    }
    return render(request, "feedback/followup_detail.html", context)


@login_required
@require_POST
def follow_up_to_complaint(request, pk: int):
    """One click: the follow-up's comment becomes a complaint."""
    _require(can_register_complaint(request.user))
    follow_up = get_object_or_404(selectors.follow_ups_visible_to(request.user), pk=pk)
    try:
        complaint = services.complaint_from_follow_up(actor=request.user, follow_up_id=follow_up.pk)
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
        services.record_praise(
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
        follow_up = services.follow_up_for_token(token)
    except services.TokenProblem as problem:
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
            services.rate_by_link(token=token, **form.answers())
        except ValidationError as exc:
            put_errors(form, exc)
        except services.TokenProblem as problem:
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
    qs = ComplaintFilterSet(request.GET, queryset=qs).qs
    status = request.GET.get("status", "")
    page = Paginator(qs.order_by("-received_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": ComplaintStatus.choices,
        "show_complainant": can_see_complainant(request.user),
        "alerts": list(selectors.open_alerts()[:20]) if can_handle_complaint(request.user) else [],
        "now": timezone.now(),
        "can_register": can_register_complaint(request.user),
    }
    if _fragment(request):
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
                complaint = services.register_complaint(
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
                put_errors(form, exc)
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
            services.investigate_complaint(
                actor=request.user, complaint_id=pk, note=request.POST.get("note", "")
            )
        elif action == "resolve":
            form = forms["resolve_form"] = ResolveForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            d = form.cleaned_data
            services.resolve_complaint(
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
            services.close_complaint(
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
                put_errors(form, exc)
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
    except services.ComplaintTransitionNotAllowed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Complaint %(n)s updated.") % {"n": complaint.number})
    return redirect("feedback:complaint", pk=pk)


@login_required
@require_POST
def alert_acknowledge(request, pk: int):
    _require(can_handle_complaint(request.user))
    services.acknowledge_alert(actor=request.user, alert_id=pk)
    return redirect(request.POST.get("next") or "feedback:complaints")


# --- Praise ---------------------------------------------------------------------------------------------


@login_required
def praise_list(request):
    """The praise records — material for the monthly 真情服务小故事 — and a form to add one."""
    _require(can_record_praise(request.user))
    form = PraiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_praise(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Praise recorded."))
            return redirect("feedback:praise")
    page = Paginator(selectors.praise_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "feedback/praise_list.html", {"page": page, "form": form})


# --- Quality inspections -----------------------------------------------------------------------------------


@login_required
def inspection_list(request):
    _require(can_inspect(request.user))
    try:
        week = services.week_of(date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        week = services.week_of(timezone.localdate())
    if request.method == "POST":
        added = services.draw_inspection_sample(week=week)
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
            services.record_inspection(
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
            put_errors(form, exc)
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
