"""Who works on an order: dispatch to a crew, assign to a worker, hand back, transfer (DESIGN §3)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crews.models import Crew, Worker

from ..choices import HandBackReason, Move, Status
from ..lifecycle import can
from ..models import WorkOrder
from ..permissions import is_crew_leader_of, is_manager
from . import _deny, _labels, _last_event_by, clean_text, perform

# --- The moves --------------------------------------------------------------------------------------------


def dispatch_order(
    *,
    actor,
    order_id: int,
    crew: Crew,
    note: str = "",
    by_system: bool = False,
    new_order: WorkOrder | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Send a received order to a crew (已派单). `by_system` and `new_order`: see `perform` (intake)."""
    if not crew.active:
        raise ValidationError({"crew": [_("This crew is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        order.crew, order.worker, order.dispatched_at = crew, None, at
        return ["crew", "worker", "dispatched_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.DISPATCH,
        apply=apply,
        is_repeat=lambda o: o.status == Status.DISPATCHED and o.crew_id == crew.id,
        note=note,
        data={"crew": crew.id, "crew_name": crew.name},
        by_system=by_system,
        new_order=new_order,
        now=now,
    )


def assign_order(
    *, actor, order_id: int, worker: Worker, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Name the worker for a dispatched order (the crew leader, or a worker taking it from the crew pool)."""
    if not worker.active:
        raise ValidationError({"worker": [_("This worker is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        if order.crew_id != worker.crew_id:
            raise ValidationError({"worker": [_("The worker is not in the order's crew.")]})
        if not (is_crew_leader_of(actor, order) or is_manager(actor)) and worker.user_id != actor.pk:
            # A worker taking an order from the crew pool takes it for themself, not for a colleague.
            raise _deny(Move.ASSIGN)
        order.worker, order.assigned_at = worker, at
        return ["worker", "assigned_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ASSIGN,
        apply=apply,
        is_repeat=lambda o: o.status == Status.ASSIGNED and o.worker_id == worker.id,
        note=note,
        data={"worker": worker.id, "worker_name": worker.name},
        now=now,
    )


def hand_back_order(
    *, actor, order_id: int, reason: str, note: str, now: datetime | None = None
) -> WorkOrder:
    """The crew hands the order back to the dispatcher (退单) with a reason from the fixed list and a text."""
    if reason not in HandBackReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order is handed back: %(c)s.") % {"c": _labels(HandBackReason)}]}
        )
    note = clean_text(note, "note", _("Explain the hand-back in a few words."), max_length=500)
    data: dict = {"reason": reason}

    def apply(order: WorkOrder, at: datetime):
        # The event names the crew that handed the order back (read under the lock), so the desk can show
        # it and suggest another crew.
        data["crew"] = order.crew_id
        order.crew, order.worker = None, None
        return ["crew", "worker"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.HAND_BACK,
        apply=apply,
        is_repeat=lambda o: o.status == Status.RECEIVED and _last_event_by(o, Move.HAND_BACK, actor, note),
        note=note,
        data=data,
        now=now,
    )


def transfer_order(
    *,
    actor,
    order_id: int,
    reason: str,
    crew: Crew | None = None,
    worker: Worker | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Transfer (转派) to another crew (→ dispatched) or another worker (→ assigned). A crew leader may only
    transfer within the crew."""
    if (crew is None) == (worker is None):
        raise ValidationError({"crew": [_("Transfer to either a crew or a worker.")]})
    reason = clean_text(reason, "reason", _("Say why the order is transferred."), max_length=500)
    target = worker or crew
    if not target.active:
        raise ValidationError({"worker" if worker else "crew": [_("The target is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        if not (can(Move.DISPATCH, actor, order)) and (worker is None or worker.crew_id != order.crew_id):
            raise _deny(Move.TRANSFER)
        if worker is not None:
            order.crew_id, order.worker, order.assigned_at = worker.crew_id, worker, at
            order.accepted_at = None
            return ["crew", "worker", "assigned_at", "accepted_at"]
        order.crew, order.worker, order.dispatched_at = crew, None, at
        order.accepted_at = None
        return ["crew", "worker", "dispatched_at", "accepted_at"]

    def repeat(order: WorkOrder) -> bool:
        if worker is not None:
            return order.status == Status.ASSIGNED and order.worker_id == worker.id
        return order.status == Status.DISPATCHED and order.crew_id == crew.id

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.TRANSFER,
        apply=apply,
        way="worker" if worker is not None else "crew",
        is_repeat=repeat,
        note=reason,
        data={"crew": crew.id if crew else worker.crew_id, "worker": worker.id if worker else None},
        now=now,
    )
