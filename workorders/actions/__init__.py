"""Every change to a work order (DESIGN §3, STYLE habit 1).

`perform` is the one function that changes an order's state: it locks the row, returns early when the request
repeats what is already true, checks the actor's right and the transition table (`workorders.lifecycle`),
applies the change, writes the WorkOrderEvent in the same transaction and queues the domain signals on commit.
The verb functions of the modules beside it (`intake.create_order`, `dispatching.dispatch_order`,
`field_work.complete_order`…) validate their input and describe their change to it; views, API actions, admin
actions, tasks and commands call them and nothing else.

Errors: `TransitionNotAllowed` (API 409), django's `PermissionDenied` (403) and `ValidationError` (400).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals
from ..choices import Move, Status
from ..lifecycle import TRANSITIONS, can, next_deadline, target_of
from ..models import WorkOrder, WorkOrderEvent


class TransitionNotAllowed(Exception):
    """The order's current state does not allow this move (API: 409)."""

    def __init__(self, order: WorkOrder, move: str) -> None:
        self.order, self.move = order, move
        self.message = _("Order %(number)s is %(status)s; “%(move)s” is not possible now.") % {
            "number": order.number,
            "status": Status(order.status).label,
            "move": Move(move).label,
        }
        super().__init__(self.message)


def _labels(choices) -> str:
    """The choices' labels for a message (they are lazy: str() each before joining)."""
    return "、".join(str(label) for label in choices.labels)


def _deny(move: str) -> PermissionDenied:
    return PermissionDenied(_("You may not “%(move)s” this order.") % {"move": Move(move).label})


def clean_text(
    value: str | None, field: str, message: str, *, required: bool = True, max_length: int = 2000
) -> str:
    """Free text from a form or API: stripped; `message` (naming `field`) when required and empty; a clear
    length error instead of a database error past `max_length`. Shared by the services of higher apps."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [message]})
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": max_length}]})
    return value


Apply = Callable[[WorkOrder, datetime], Iterable[str]]


def stamp(field: str) -> Apply:
    """The `apply` of a move whose only change is the time it was made, kept on `field`."""

    def apply(order: WorkOrder, at: datetime) -> list[str]:
        setattr(order, field, at)
        return [field]

    return apply


def perform(
    *,
    order_id: int,
    actor,
    new_order: WorkOrder | None = None,
    move: str,
    apply: Apply | None = None,
    is_repeat: Callable[[WorkOrder], bool] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    by_system: bool = False,
    way: str | Callable[[WorkOrder], str] | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Make `move` on the order, or return it unchanged if `is_repeat` says this request is already true.

    Invariants: the row is locked for the whole change; a repeat is a no-op only for someone entitled to the
    move; the table allows the move from the current state (else TransitionNotAllowed, whoever asks); the
    actor's right is checked (unless `by_system`: a higher service that already checked its own rule, e.g. a
    follow-up closing the order); exactly one event is written; side effects run only after commit. The new
    state is the table's (`lifecycle.target_of`): `way` says how the move is made when its end depends on it
    (a crew or a worker for a transfer; for a resume, a function of the order: the state it was held from).
    `apply` never sets the status.

    `new_order`: the order as this very transaction just created it (intake dispatching on creation). No other
    transaction can see that row, so it is neither locked nor read again, and no savepoint is taken: the
    creating transaction is rolled back whole if the move fails."""
    now = now or timezone.now()
    with transaction.atomic(savepoint=new_order is None):
        order = new_order or (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("crew", "worker")
            .get(pk=order_id)
        )
        allowed = by_system or can(move, actor, order)
        if is_repeat is not None and is_repeat(order):
            # A repeat is answered only to someone who could have made the move (or just made it): a
            # stranger learns nothing and gets the same 403 as for a fresh request.
            if allowed or _last_event_by(order, move, actor):
                return order
            raise _deny(move)
        # The table first: a move the state does not allow is a 409 whoever asks (they can see the order,
        # or they would have had a 404); then whether this actor may make it.
        if order.status not in TRANSITIONS[move][0]:
            raise TransitionNotAllowed(order, move)
        if not allowed:
            raise _deny(move)
        from_status = order.status
        target = target_of(move, way(order) if callable(way) else way)
        changed = set(apply(order, now) if apply else ())
        if target is not None:
            order.status = target
        order.due_at = next_deadline(order)
        order.save(update_fields=sorted(changed | {"status", "due_at", "updated_at"}))
        event = WorkOrderEvent.objects.create(
            order=order,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=move,
            from_status=from_status,
            to_status=order.status,
            note=note,
            data=data or {},
        )
        _queue_signals(order.pk, move, from_status, order.status, event.pk)
    return order


def _last_event_by(order: WorkOrder, move: str, actor, note: str | None = None) -> bool:
    """Is the order's latest event this move by this actor (and, if given, with this note)? How a repeated
    request is recognised for moves whose effect leaves no other trace (hand back, rework, supervise…)."""
    last = order.events.order_by("-at", "-id").values("kind", "actor_id", "note").first()
    return bool(
        last
        and last["kind"] == move
        and last["actor_id"] == getattr(actor, "pk", None)
        and (note is None or last["note"] == note)
    )


def _queue_signals(
    order_id: int, move: str, from_status: str, to_status: str, event_id: int | None = None
) -> None:
    def send() -> None:
        signals.order_moved.send(sender=WorkOrder, order_id=order_id, move=move, event_id=event_id)
        if from_status != to_status:
            signals.order_status_changed.send(
                sender=WorkOrder, order_id=order_id, move=move, from_status=from_status, to_status=to_status
            )
        if to_status == Status.COMPLETED and from_status != Status.COMPLETED:
            signals.order_completed.send(sender=WorkOrder, order_id=order_id)

    transaction.on_commit(send)
