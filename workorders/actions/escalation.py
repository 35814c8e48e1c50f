"""Pressure on late orders: the resident's reminder (催单), supervision (督办) and the overdue watch (DESIGN §7)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import signals
from ..choices import DeadlineKind, EscalationLevel, Move, Urgency
from ..lifecycle import deadline_kind
from ..models import Escalation, WorkOrder, WorkOrderEvent
from . import _last_event_by, clean_text, perform, stamp


def remind_order(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """The resident called again (催单): counted on the same order, never a new one."""

    def apply(order: WorkOrder, at: datetime):
        order.remind_count += 1
        return ["remind_count"]

    return perform(order_id=order_id, actor=actor, move=Move.REMIND, apply=apply, note=note, now=now)


def supervise_order(*, actor, order_id: int, note: str, now: datetime | None = None) -> WorkOrder:
    """A manager flags an overdue or complained-about order for supervision (督办)."""
    note = clean_text(note, "note", _("Say what must be done and by when."), max_length=500)

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.SUPERVISE,
        apply=stamp("supervised_at"),
        is_repeat=lambda o: _last_event_by(o, Move.SUPERVISE, actor, note),
        note=note,
        now=now,
    )


# --- Overdue watch (DESIGN §7) ----------------------------------------------------------------------------

# How late a deadline must be before each step: leader at once, then the manager, then 督办.
ESCALATION_AFTER = {
    Urgency.EMERGENCY: {
        EscalationLevel.LEADER: timedelta(0),
        EscalationLevel.MANAGER: timedelta(minutes=15),
        EscalationLevel.SUPERVISION: timedelta(hours=1),
    },
    None: {
        EscalationLevel.LEADER: timedelta(0),
        EscalationLevel.MANAGER: timedelta(hours=2),
        EscalationLevel.SUPERVISION: timedelta(hours=24),
    },
}


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Take the next escalation steps for every order whose next deadline has passed; returns how many.

    Invariants: one Escalation row per (order, rework round, deadline kind, level), guaranteed by the unique
    constraint and a conditional insert (a second run, or two beats at once, insert nothing); each step is
    an `escalate` event on the timeline (no actor: the system); the 督办 step stamps `supervised_at` if not
    yet set; `order_escalated` is sent on commit so a higher app can notify the people concerned."""
    now = now or timezone.now()
    orders = list(
        WorkOrder.objects.filter(due_at__lt=now).only(
            "id", "status", "urgency", "due_at", "arrive_by", "rework_count", "supervised_at"
        )
    )
    done = set(
        Escalation.objects.filter(order__in=[o.id for o in orders]).values_list(
            "order_id", "round", "deadline", "level"
        )
    )
    created = 0
    for order in orders:
        kind = deadline_kind(order)
        if kind is None:
            continue
        steps = ESCALATION_AFTER.get(order.urgency, ESCALATION_AFTER[None])
        for level, after in steps.items():
            if now - order.due_at < after:
                break
            if (order.id, order.rework_count, kind, level) in done:
                continue
            if _escalate(order, kind, level, now):
                created += 1
    return created


def _escalate(order: WorkOrder, kind: str, level: int, now: datetime) -> bool:
    try:
        with transaction.atomic():
            Escalation.objects.create(
                order_id=order.id,
                round=order.rework_count,
                deadline=kind,
                level=level,
                due_at=order.due_at,
                created_at=now,
            )
            WorkOrderEvent.objects.create(
                order_id=order.id,
                at=now,
                actor=None,
                kind=Move.ESCALATE,
                from_status=order.status,
                to_status=order.status,
                note=f"{DeadlineKind(kind).label}: {EscalationLevel(level).label}",
                data={"deadline": kind, "level": level, "due_at": order.due_at.isoformat()},
            )
            if level == EscalationLevel.SUPERVISION:
                WorkOrder.objects.filter(pk=order.id, supervised_at__isnull=True).update(supervised_at=now)
            order_id = order.id
            transaction.on_commit(
                lambda: signals.order_escalated.send(
                    sender=WorkOrder, order_id=order_id, level=level, deadline=kind
                )
            )
    except IntegrityError:  # another run took this step first
        return False
    return True
