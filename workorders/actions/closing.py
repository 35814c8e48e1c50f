"""Ending an order: close, cancel, and rework (reopening a completed or closed one) (DESIGN §3)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import CancelReason, Move, Status
from ..models import WorkOrder
from ..selectors import deadlines_for
from . import _labels, _last_event_by, clean_text, perform, stamp


def close_order(
    *, actor, order_id: int, note: str = "", by_system: bool = False, now: datetime | None = None
) -> WorkOrder:
    """Close a completed order (已办结): after its follow-up (by_system from feedback), or by a manager."""
    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.CLOSE,
        apply=stamp("closed_at"),
        is_repeat=lambda o: o.status == Status.CLOSED,
        note=note,
        by_system=by_system,
        now=now,
    )


def cancel_order(
    *, actor, order_id: int, reason: str, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Cancel an order that will not be worked (已撤销): duplicate, malicious, outside scope, withdrawn."""
    if reason not in CancelReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order is cancelled: %(c)s.") % {"c": _labels(CancelReason)}]}
        )

    def apply(order: WorkOrder, at: datetime):
        order.cancelled_at, order.cancel_reason, order.on_hold_since = at, reason, None
        return ["cancelled_at", "cancel_reason", "on_hold_since"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.CANCEL,
        apply=apply,
        is_repeat=lambda o: o.status == Status.CANCELLED,
        note=note,
        data={"reason": reason},
        now=now,
    )


def rework_order(
    *, actor, order_id: int, reason: str, by_system: bool = False, now: datetime | None = None
) -> WorkOrder:
    """Send a completed or closed order back to its crew (返修/发回重办), flagged as rework, with fresh
    deadlines from now. Used by managers, by a 不满意 follow-up and by a failed inspection (by_system)."""
    reason = clean_text(reason, "reason", _("Say why the work must be redone."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        deadlines = deadlines_for(at=at, urgency=order.urgency, category=order.category)
        order.is_rework, order.rework_count = True, order.rework_count + 1
        order.worker, order.dispatched_at = None, at
        order.assigned_at = order.accepted_at = order.arrived_at = order.completed_at = order.closed_at = None
        order.respond_by, order.arrive_by, order.complete_by = (
            deadlines.respond_by,
            deadlines.arrive_by,
            deadlines.complete_by,
        )
        return [
            "is_rework",
            "rework_count",
            "worker",
            "dispatched_at",
            "assigned_at",
            "accepted_at",
            "arrived_at",
            "completed_at",
            "closed_at",
            "respond_by",
            "arrive_by",
            "complete_by",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REWORK,
        apply=apply,
        is_repeat=lambda o: (
            o.status == Status.DISPATCHED and o.is_rework and _last_event_by(o, Move.REWORK, actor, reason)
        ),
        note=reason,
        by_system=by_system,
        now=now,
    )
