"""The crew's moves: accept, arrive, hold and resume, complete, and deadline extensions (DESIGN §3, §4)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from config.numbers import MAX_AMOUNT, parse_decimal

from ..choices import CHECKLIST_FIELDS, CHECKLIST_KEYS, Charge, HoldReason, Move, Status, Urgency
from ..lifecycle import can, held_from
from ..models import MAX_MATERIAL_ROWS, Material, WorkOrder
from ..selectors import Calendar
from . import _labels, _last_event_by, clean_text, perform, stamp

PLANNED_MAX_WORKING_DAYS = 15  # a planned job, extensions included (DESIGN §4)


def accept_order(*, actor, order_id: int, by_system: bool = False, now: datetime | None = None) -> WorkOrder:
    """The assigned worker accepts (已接单): stamps the response time."""
    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ACCEPT,
        apply=stamp("accepted_at"),
        by_system=by_system,
        is_repeat=lambda o: (
            o.status == Status.ACCEPTED and o.accepted_at is not None and can(Move.ARRIVE, actor, o)
        ),
        now=now,
    )


def arrive_order(*, actor, order_id: int, by_system: bool = False, now: datetime | None = None) -> WorkOrder:
    """The worker is at the door (已到场): stamps arrival."""
    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ARRIVE,
        apply=stamp("arrived_at"),
        by_system=by_system,
        is_repeat=lambda o: o.status == Status.ON_SITE and can(Move.COMPLETE, actor, o),
        now=now,
    )


def _hold_reason(reason: str) -> str:
    if reason not in HoldReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order must wait: %(choices)s.") % {"choices": _labels(HoldReason)}]}
        )
    return reason


def request_hold(
    *, actor, order_id: int, reason: str, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """The worker asks to put the order on hold; the crew leader approves (hold_order) or refuses."""
    reason = _hold_reason(reason)

    def apply(order: WorkOrder, at: datetime):
        order.hold_requested_reason, order.hold_requested_note = reason, note.strip()[:200]
        return ["hold_requested_reason", "hold_requested_note"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REQUEST_HOLD,
        apply=apply,
        is_repeat=lambda o: (
            o.hold_requested_reason == reason and o.status in (Status.ACCEPTED, Status.ON_SITE)
        ),
        note=note,
        data={"reason": reason},
        now=now,
    )


def refuse_hold(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """The crew leader refuses a worker's hold request; the order carries on."""

    def apply(order: WorkOrder, at: datetime):
        if not order.hold_requested_reason:
            raise ValidationError({"reason": [_("There is no hold request to refuse.")]})
        order.hold_requested_reason, order.hold_requested_note = "", ""
        return ["hold_requested_reason", "hold_requested_note"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REFUSE_HOLD,
        apply=apply,
        is_repeat=lambda o: not o.hold_requested_reason and _last_event_by(o, Move.REFUSE_HOLD, actor),
        note=note,
        now=now,
    )


def hold_order(
    *, actor, order_id: int, reason: str = "", note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Put the order on hold (已挂起), approving the worker's request or on the leader's own decision.
    The commitment clock pauses until resume."""
    data: dict[str, Any] = {}

    def apply(order: WorkOrder, at: datetime):
        chosen = _hold_reason(reason or order.hold_requested_reason)
        data["reason"] = chosen
        order.held_from_status, order.on_hold_since, order.hold_reason = order.status, at, chosen
        order.hold_requested_reason, order.hold_requested_note = "", ""
        return [
            "held_from_status",
            "on_hold_since",
            "hold_reason",
            "hold_requested_reason",
            "hold_requested_note",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.HOLD,
        apply=apply,
        is_repeat=lambda o: o.status == Status.ON_HOLD,
        note=note,
        data=data,
        now=now,
    )


def resume_order(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """Take the order off hold: back to the state it was held from, the unmet deadlines moved later by
    exactly the time on hold, which is added to `held_seconds`."""

    def apply(order: WorkOrder, at: datetime):
        held = max(at - (order.on_hold_since or at), timedelta(0))
        order.held_seconds += int(held.total_seconds())
        if order.accepted_at is None:
            order.respond_by += held
        if order.arrived_at is None and order.arrive_by is not None:
            order.arrive_by += held
        order.complete_by += held
        order.held_from_status, order.on_hold_since = "", None
        return ["held_seconds", "respond_by", "arrive_by", "complete_by", "held_from_status", "on_hold_since"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.RESUME,
        apply=apply,
        way=held_from,
        is_repeat=lambda o: (
            o.status in (Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE)
            and o.on_hold_since is None
            and o.held_seconds > 0
        ),
        note=note,
        now=now,
    )


def _decimal(value: Any, field: str, *, minimum: Decimal = Decimal("0")) -> Decimal:
    number = parse_decimal(value, blank_is_zero=False)
    if number is None:
        raise ValidationError({field: [_("Enter a number.")]})
    if number < minimum or number > MAX_AMOUNT:
        raise ValidationError(
            {field: [_("Enter an amount between %(min)s and 9999999.99.") % {"min": minimum}]}
        )
    return number


def complete_order(
    *,
    actor,
    order_id: int,
    resolution: str,
    checklist: dict[str, bool],
    checklist_notes: str = "",
    inspection_findings: str = "",
    materials: list[dict[str, Any]] | None = None,
    fee: Any = "0",
    fee_confirmed: bool = False,
    now: datetime | None = None,
) -> WorkOrder:
    """The worker completes the order (已完工) with the 六个一 checklist answered (any "no" needs a reason),
    the resolution, the full-inspection findings, materials and, for paid work, the fee the resident
    confirmed. Everything is validated before anything is written."""
    resolution = clean_text(resolution, "resolution", _("Say what was done."))
    checklist = checklist if isinstance(checklist, dict) else {}
    missing = [key for key in CHECKLIST_KEYS if not isinstance(checklist.get(key), bool)]
    if missing:
        raise ValidationError(
            {"checklist": [_("Answer every item of the 六个一 checklist (yes or no) before completing.")]}
        )
    checklist_notes = str(checklist_notes or "")
    if not all(checklist[key] for key in CHECKLIST_KEYS) and not checklist_notes.strip():
        raise ValidationError({"checklist_notes": [_("Give a one-line reason for each item answered “no”.")]})
    if materials is not None and not isinstance(materials, list | tuple):
        raise ValidationError({"materials": [_("Materials must be a list of {name, quantity, unit_price}.")]})
    if len(materials or ()) > MAX_MATERIAL_ROWS:
        raise ValidationError({"materials": [_("At most %(n)s material rows.") % {"n": MAX_MATERIAL_ROWS}]})
    inspection_findings = clean_text(
        inspection_findings, "inspection_findings", "", required=False, max_length=2000
    )
    rows = []
    for index, row in enumerate(materials or []):
        if not isinstance(row, dict):
            raise ValidationError({"materials": [_("Material %(n)s needs a name.") % {"n": index + 1}]})
        name = str(row.get("name") or "").strip()
        if not name:
            raise ValidationError({"materials": [_("Material %(n)s needs a name.") % {"n": index + 1}]})
        quantity = _decimal(row.get("quantity"), "materials", minimum=Decimal("0.01"))
        unit_price = _decimal(row.get("unit_price", "0") or "0", "materials")
        rows.append(Material(name=name[:80], quantity=quantity, unit_price=unit_price))
    amount = _decimal(fee if fee not in (None, "") else "0", "fee")

    def apply(order: WorkOrder, at: datetime):
        if order.charge == Charge.FREE and amount > 0:
            raise ValidationError({"fee": [_("This order is free of charge; the fee must be 0.")]})
        if order.charge == Charge.PAID and amount > 0 and not fee_confirmed:
            raise ValidationError({"fee_confirmed": [_("The resident must confirm the fee for paid work.")]})
        for key in CHECKLIST_KEYS:
            setattr(order, f"checklist_{key}", checklist[key])
        order.checklist_notes = checklist_notes.strip()[:300]
        order.resolution, order.inspection_findings = resolution, inspection_findings
        order.fee, order.fee_confirmed, order.completed_at = amount, fee_confirmed, at
        order.materials.all().delete()  # a rework's completion replaces the earlier record
        for material in rows:
            material.order = order
        Material.objects.bulk_create(rows)
        return [
            *CHECKLIST_FIELDS,
            "checklist_notes",
            "resolution",
            "inspection_findings",
            "fee",
            "fee_confirmed",
            "completed_at",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.COMPLETE,
        apply=apply,
        is_repeat=lambda o: o.status == Status.COMPLETED and can(Move.COMPLETE, actor, o),
        note=resolution[:200],
        data={"checklist": checklist, "fee": str(amount), "materials": len(rows)},
        now=now,
    )


def request_extension(
    *, actor, order_id: int, until: datetime, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The crew leader asks for more time on a planned job (≤ 15 working days in all); a manager approves."""
    reason = clean_text(reason, "reason", _("Say why more time is needed."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        if order.urgency != Urgency.PLANNED:
            raise ValidationError({"until": [_("Only planned jobs can be extended.")]})
        if until <= order.complete_by:
            raise ValidationError({"until": [_("The new deadline must be later than the current one.")]})
        # The cap is DESIGN §4's "≤ 15 working days via extension" from intake, plus any time on hold.
        limit = Calendar.load(order.created_at).add_working_days(order.created_at, PLANNED_MAX_WORKING_DAYS)
        limit += timedelta(seconds=order.held_seconds)
        if until > limit:
            raise ValidationError(
                {
                    "until": [
                        _("A planned job may run at most until %(d)s.")
                        % {"d": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")}
                    ]
                }
            )
        order.extension_requested_until = until
        return ["extension_requested_until"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REQUEST_EXTENSION,
        apply=apply,
        is_repeat=lambda o: o.extension_requested_until == until,
        note=reason,
        data={"until": until.isoformat()},
        now=now,
    )


def extend_deadline(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """A manager approves the requested extension: the completion deadline moves to the requested time."""

    def apply(order: WorkOrder, at: datetime):
        if order.extension_requested_until is None:
            raise ValidationError({"until": [_("There is no extension request to approve.")]})
        order.complete_by, order.extension_requested_until = order.extension_requested_until, None
        return ["complete_by", "extension_requested_until"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.EXTEND,
        apply=apply,
        is_repeat=lambda o: o.extension_requested_until is None and _last_event_by(o, Move.EXTEND, actor),
        note=note,
        now=now,
    )
