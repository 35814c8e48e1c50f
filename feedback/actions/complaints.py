"""Complaints (投诉): registered, investigated, resolved, closed, escalated when late (DESIGN §7)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from config.numbers import MAX_AMOUNT, parse_decimal
from crews.models import Crew, Worker
from residents.selectors import PhoneError, clean_phone
from workorders.actions import clean_text
from workorders.models import WorkOrder
from workorders.selectors import Calendar

from ..choices import (
    COMPLAINT_TRANSITIONS,
    Accountability,
    AlertKind,
    ComplaintSource,
    ComplaintStatus,
    EscalationStage,
    Severity,
)
from ..models import Complaint, ComplaintEvent, ComplaintType, FollowUp
from ..permissions import can_handle_complaint, can_register_complaint
from .notifications import _phone_of, raise_alert


class ComplaintTransitionNotAllowed(Exception):
    """The complaint's state does not allow this step (API: 409)."""

    def __init__(self, complaint: Complaint, action: str) -> None:
        self.message = _("Complaint %(number)s is %(status)s; this step is not possible now.") % {
            "number": complaint.number,
            "status": ComplaintStatus(complaint.status).label,
        }
        super().__init__(self.message)


# --- Complaints -------------------------------------------------------------------------------------------


def complaint_deadlines(received_at: datetime, severity: str) -> tuple[datetime, datetime, datetime]:
    """DESIGN §4: contact the complainant ≤ 24 h (urgent ≤ 2 h), decide ≤ 3 working days, close ≤ 7."""
    calendar = Calendar.load(received_at)
    contact = received_at + timedelta(hours=2 if severity == Severity.URGENT else 24)
    return contact, calendar.add_working_days(received_at, 3), calendar.add_working_days(received_at, 7)


def _complaint_event(complaint: Complaint, actor, kind: str, note: str = "", now=None) -> None:
    ComplaintEvent.objects.create(
        complaint=complaint,
        at=now or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        note=note,
    )


def register_complaint(
    *,
    actor,
    source: str,
    phone: str,
    name: str,
    summary: str,
    work_order: WorkOrder | None = None,
    crew: Crew | None = None,
    worker: Worker | None = None,
    type: ComplaintType | None = None,
    severity: str = Severity.NORMAL,
    follow_up: FollowUp | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Register a complaint (received) with its three deadlines. Crew and worker default to the linked
    order's. Called by the hotline desk, the follow-up workbench and the API."""
    now = now or timezone.now()
    if not can_register_complaint(actor):
        raise PermissionDenied(_("Only dispatchers and managers may register complaints."))
    if source not in ComplaintSource.values:
        raise ValidationError({"source": [_("Choose where the complaint came from.")]})
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Unknown severity.")]})
    summary = clean_text(summary, "summary", _("Write down what the complaint is about."))
    try:
        phone = clean_phone(phone)
    except PhoneError as exc:
        raise ValidationError({"phone": [exc.message]}) from None
    name = clean_text(name, "name", "", required=False, max_length=40)
    if worker is not None and crew is not None and worker.crew_id != crew.id:
        raise ValidationError({"worker": [_("The worker is not in that crew.")]})
    if work_order is not None:
        crew = crew or work_order.crew
        worker = worker or work_order.worker
    if worker is not None and crew is None:
        crew = worker.crew
    contact_by, decide_by, close_by = complaint_deadlines(now, severity)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            source=source,
            complainant_name=name,
            complainant_phone=phone,
            summary=summary,
            work_order=work_order,
            follow_up=follow_up,
            crew=crew,
            worker=worker,
            type=type,
            severity=severity,
            received_at=now,
            contact_by=contact_by,
            decide_by=decide_by,
            close_by=close_by,
            created_by=actor,
        )
        _complaint_event(complaint, actor, "received", summary[:200], now)
    return complaint


def _complaint_step(*, actor, complaint_id: int, action: str, apply, note: str = "", now=None) -> Complaint:
    now = now or timezone.now()
    if not can_handle_complaint(actor):
        raise PermissionDenied(_("Only managers may handle complaints."))
    sources, target = COMPLAINT_TRANSITIONS[action]
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        if complaint.status == target:
            return complaint  # a repeated request is a no-op
        if complaint.status not in sources:
            raise ComplaintTransitionNotAllowed(complaint, action)
        changed = set(apply(complaint, now))
        complaint.status = target
        complaint.save(update_fields=sorted(changed | {"status"}))
        _complaint_event(complaint, actor, action, note, now)
    return complaint


def investigate_complaint(
    *, actor, complaint_id: int, note: str = "", now: datetime | None = None
) -> Complaint:
    """Start the investigation; stamps the contact with the complainant (the 24 h / 2 h commitment)."""

    def apply(c: Complaint, at):
        c.contacted_at = c.contacted_at or at
        c.handler = actor
        return ["contacted_at", "handler"]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="investigate", apply=apply, note=note, now=now
    )


def _money(value: Any, field: str) -> Decimal:
    amount = parse_decimal(value)
    if amount is None:
        raise ValidationError({field: [_("Enter a number.")]})
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError({field: [_("Enter an amount between 0 and 9999999.99.")]})
    return amount


def resolve_complaint(
    *,
    actor,
    complaint_id: int,
    valid: Any,
    findings: str,
    responsible_person: str,
    accountability: str = Accountability.NONE,
    points: Any = 0,
    fine: Any = 0,
    rectification: str = "",
    responsible_worker: Worker | None = None,
    now: datetime | None = None,
) -> Complaint:
    """Decide: valid or not, the findings (检查结果) and the responsible person (责任人) always; for a valid
    complaint the accountability outcome and the rectification. An invalid one carries no accountability."""
    errors: dict[str, list[str]] = {}
    if not isinstance(valid, bool):
        errors["valid"] = [_("Decide whether the complaint is valid.")]
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = [_("Record the findings of the investigation.")]
    responsible_person = (responsible_person or "").strip()[:40]
    if not responsible_person and responsible_worker is None:
        errors["responsible_person"] = [_("Name the responsible person.")]
    if accountability not in Accountability.values:
        errors["accountability"] = [_("Choose the accountability outcome.")]
    try:
        points = int(points or 0)
        if not 0 <= points <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["points"] = [_("Points are a whole number from 0 to 100.")]
        points = 0
    fine_amount = _money(fine, "fine")
    if valid is False and accountability != Accountability.NONE:
        errors["accountability"] = [_("An invalid complaint carries no accountability.")]
    if accountability == Accountability.POINTS and points <= 0:
        errors["points"] = [_("Give the points deducted.")]
    if accountability == Accountability.FINE and fine_amount <= 0:
        errors["fine"] = [_("Give the amount of the fine.")]
    rectification = (rectification or "").strip()
    if valid is True and not rectification:
        errors["rectification"] = [_("Say what is rectified.")]
    if errors:
        raise ValidationError(errors)

    def apply(c: Complaint, at):
        c.valid, c.findings, c.responsible_person = (
            valid,
            findings,
            responsible_person or responsible_worker.name,
        )
        c.responsible_worker, c.accountability = responsible_worker, accountability
        c.points = points if accountability == Accountability.POINTS else 0
        c.fine = fine_amount if accountability == Accountability.FINE else Decimal("0.00")
        c.rectification, c.decided_at, c.resolved_at = rectification, at, at
        return [
            "valid",
            "findings",
            "responsible_person",
            "responsible_worker",
            "accountability",
            "points",
            "fine",
            "rectification",
            "decided_at",
            "resolved_at",
        ]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="resolve", apply=apply, note=findings[:200], now=now
    )


def close_complaint(
    *, actor, complaint_id: int, callback_note: str, callback_satisfied: Any, now: datetime | None = None
) -> Complaint:
    """Close after calling the complainant back (回访投诉人) with what was found and done."""
    callback_note = clean_text(callback_note, "callback_note", _("Record the callback to the complainant."))
    if not isinstance(callback_satisfied, bool):
        raise ValidationError({"callback_satisfied": [_("Say whether the complainant accepted the result.")]})

    def apply(c: Complaint, at):
        c.callback_note, c.callback_satisfied, c.callback_at, c.closed_at = (
            callback_note,
            callback_satisfied,
            at,
            at,
        )
        return ["callback_note", "callback_satisfied", "callback_at", "closed_at"]

    return _complaint_step(
        actor=actor, complaint_id=complaint_id, action="close", apply=apply, note=callback_note[:200], now=now
    )


_STAGE_FILTERS = (
    (EscalationStage.CLOSE, "close_by", Q(closed_at__isnull=True)),
    (EscalationStage.DECIDE, "decide_by", Q(decided_at__isnull=True)),
    (EscalationStage.CONTACT, "contact_by", Q(contacted_at__isnull=True)),
)


def escalate_overdue_complaints(*, now: datetime | None = None) -> int:
    """Each missed complaint deadline escalates once (contact → decide → close, highest first): the stage is
    raised by a conditional UPDATE and a manager alert is written, both in one transaction."""
    now = now or timezone.now()
    escalated = 0
    for stage, deadline, unmet in _STAGE_FILTERS:
        ids = (
            Complaint.objects.exclude(status=ComplaintStatus.CLOSED)
            .filter(unmet, escalation__lt=stage, **{f"{deadline}__lt": now})
            .values_list("pk", flat=True)
        )
        for cid in list(ids):
            with transaction.atomic():
                if not Complaint.objects.filter(pk=cid, escalation__lt=stage).update(
                    escalation=stage, escalated_at=now
                ):
                    continue
                complaint = Complaint.objects.select_related("work_order").get(pk=cid)
                raise_alert(
                    key=f"complaint:{cid}:{int(stage)}",
                    kind=AlertKind.COMPLAINT_OVERDUE,
                    message=_("Complaint %(number)s: %(stage)s.")
                    % {"number": complaint.number, "stage": EscalationStage(stage).label},
                    work_order=complaint.work_order,
                    complaint=complaint,
                )
                _complaint_event(complaint, None, "escalate", EscalationStage(stage).label, now)
                escalated += 1
    return escalated


def complaint_from_follow_up(*, actor, follow_up_id: int, now: datetime | None = None) -> Complaint:
    """One click on the workbench: the last comment of a follow-up becomes a complaint about the order's crew
    and worker (once: a second click finds the same complaint)."""
    follow_up = FollowUp.objects.select_related("work_order", "work_order__reporter").get(pk=follow_up_id)
    existing = follow_up.complaints.first()
    if existing is not None:
        return existing
    comment = (
        follow_up.attempts.exclude(comment="")
        .order_by("-at", "-id")
        .values_list("comment", flat=True)
        .first()
    )
    if not comment:
        raise ValidationError({"comment": [_("This follow-up has no comment to turn into a complaint.")]})
    order = follow_up.work_order
    return register_complaint(
        actor=actor,
        source=ComplaintSource.FOLLOW_UP,
        phone=_phone_of(order),
        name=order.reporter_name or (order.reporter.name if order.reporter else ""),
        summary=comment,
        work_order=order,
        follow_up=follow_up,
        now=now,
    )
