"""Notices to the crew about their work (DESIGN §1, §7): a worker's SMS when an order is assigned or
transferred to them, reminded (催单) or put under supervision (督办); the overdue watch's steps told to the
crew's leaders (SMS), then the managers (an alert), then the worker (督办).

Each SMS is a feedback Notification row whose `key` names the event it is about (the WorkOrderEvent, or the
escalation step), so a signal delivered twice, a task run twice or a second sweep finds the row instead of
writing another, and delivery claims the row with a conditional UPDATE (`deliver_notification`): at most one
SMS per order and event. A worker who turned SMS off (`Worker.sms_notices`) gets none; the badge on their
list shows the same news."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from crews.choices import WorkerRole
from crews.models import Worker
from workorders.choices import DeadlineKind, EscalationLevel, Move
from workorders.models import WorkOrder

from ..choices import AlertKind, NotificationKind
from ..models import Notification
from .notifications import queue_notification, raise_alert

# The moves a worker hears about, and what the SMS says. Every text names the order, where and by when.
WORKER_MESSAGES = {
    Move.ASSIGN: (
        NotificationKind.WORKER_ASSIGNED,
        gettext_noop("[10196] New order %(number)s for you: %(address)s, %(category)s. Due %(deadline)s."),
    ),
    Move.TRANSFER: (
        NotificationKind.WORKER_ASSIGNED,
        gettext_noop("[10196] New order %(number)s for you: %(address)s, %(category)s. Due %(deadline)s."),
    ),
    Move.REMIND: (
        NotificationKind.WORKER_REMINDED,
        gettext_noop(
            "[10196] The resident called again (催单) about %(number)s: %(address)s. Due %(deadline)s."
        ),
    ),
    Move.SUPERVISE: (
        NotificationKind.WORKER_SUPERVISED,
        gettext_noop("[10196] Order %(number)s is under supervision (督办): %(address)s. Due %(deadline)s."),
    ),
}
LEADER_MESSAGE = gettext_noop(
    "[10196] Order %(number)s is overdue (%(deadline_kind)s, was due %(deadline)s): %(address)s; worker: %(worker)s."
)


def _order(order_id: int) -> WorkOrder | None:
    return (
        WorkOrder.objects.select_related("category", "worker")
        .only(
            "number",
            "location_label",
            "due_at",
            "crew_id",
            "rework_count",
            "category__name",
            "worker__name",
            "worker__phone",
            "worker__active",
            "worker__sms_notices",
        )
        .filter(pk=order_id)
        .first()
    )


def _when(value) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else "—"


def _facts(order: WorkOrder) -> dict[str, str]:
    return {
        "number": order.number,
        "address": order.location_label,
        "category": order.category.name,
        "deadline": _when(order.due_at),
        "worker": order.worker.name if order.worker_id else "—",
    }


def _reaches(worker: Worker | None) -> bool:
    return bool(worker is not None and worker.active and worker.sms_notices and worker.phone)


def notify_worker_of_move(*, order_id: int, move: str, event_id: int | None) -> Notification | None:
    """The SMS to the order's worker about this move (assigned, transferred to them, reminded, supervised):
    one per order and event (`key`), none when the worker turned SMS off or has no phone."""
    if move not in WORKER_MESSAGES or event_id is None:
        return None
    order = _order(order_id)
    if order is None or not _reaches(order.worker):
        return None
    kind, text = WORKER_MESSAGES[move]
    return queue_notification(
        key=f"{kind}:{order.pk}:{event_id}",
        kind=kind,
        phone=order.worker.phone,
        body=_(text) % _facts(order),
        work_order=order,
    )


def notify_escalation(*, order_id: int, level: int, deadline: str) -> int:
    """One step of the overdue watch told to the people it concerns (DESIGN §7: leader → manager → 督办):
    the crew's leaders by SMS, then the managers by an alert, then the worker by SMS. Once per order, rework
    round, deadline and step (`key`); returns how many notices are new."""
    order = _order(order_id)
    if order is None:
        return 0
    facts = _facts(order) | {"deadline_kind": DeadlineKind(deadline).label if deadline else ""}
    step = f"{order.pk}:{order.rework_count}:{deadline}"
    if level == EscalationLevel.LEADER:
        leaders = Worker.objects.filter(crew_id=order.crew_id, role=WorkerRole.LEADER, active=True)
        sent = 0
        for leader in leaders:
            if _reaches(leader) and queue_notification(
                key=f"{NotificationKind.LEADER_ESCALATED}:{step}:{leader.pk}",
                kind=NotificationKind.LEADER_ESCALATED,
                phone=leader.phone,
                body=_(LEADER_MESSAGE) % facts,
                work_order=order,
            ):
                sent += 1
        return sent
    if level == EscalationLevel.MANAGER:
        raise_alert(
            key=f"{AlertKind.ORDER_OVERDUE}:{step}",
            kind=AlertKind.ORDER_OVERDUE,
            message=_(LEADER_MESSAGE) % facts,
            work_order=order,
        )
        return 1
    if level == EscalationLevel.SUPERVISION and _reaches(order.worker):
        kind, text = WORKER_MESSAGES[Move.SUPERVISE]
        queue_notification(
            key=f"{kind}:{step}:watch",
            kind=kind,
            phone=order.worker.phone,
            body=_(text) % facts,
            work_order=order,
        )
        return 1
    return 0


# --- Rounds and hazards (operations.signals) ----------------------------------------------------------------

ROUND_MESSAGE = gettext_noop("[10196] Round %(name)s is overdue (was due %(deadline)s); worker: %(worker)s.")
HAZARD_MESSAGE = gettext_noop(
    "[10196] Hazard #%(number)s is past its rectification date (%(deadline)s): %(place)s, %(description)s."
)


def _escalation_step(
    *, level: int, crew_id: int, key: str, kinds: tuple[str, str], body: str, about: dict
) -> int:
    """Level 1: one SMS to each active leader of the crew who takes SMS; level 2: one manager alert linked to
    the row (`about`: round= or hazard=). Keyed by the row and step (and the leader), so a second watch finds
    them instead of sending again."""
    leader_kind, alert_kind = kinds
    if level != EscalationLevel.LEADER:
        raise_alert(key=f"{alert_kind}:{key}", kind=alert_kind, message=body, **about)
        return 1
    sent = 0
    for leader in Worker.objects.filter(crew_id=crew_id, role=WorkerRole.LEADER, active=True):
        if _reaches(leader) and queue_notification(
            key=f"{leader_kind}:{key}:{leader.pk}", kind=leader_kind, phone=leader.phone, body=body
        ):
            sent += 1
    return sent


def notify_round_escalation(*, round_id: int, level: int) -> int:
    """The overdue watch's step for a round: level 1 the crew's leaders by SMS, level 2 the managers by an
    alert; once per round and step. Returns how many notices are new (or found)."""
    from operations.models import Round

    round_ = Round.objects.select_related("template", "worker").filter(pk=round_id).first()
    if round_ is None:
        return 0
    facts = {
        "name": round_.template.name,
        "deadline": _when(round_.due_at),
        "worker": round_.worker.name if round_.worker_id else _("nobody assigned"),
    }
    return _escalation_step(
        level=level,
        crew_id=round_.crew_id,
        key=f"{round_.pk}",
        kinds=(NotificationKind.LEADER_ROUND_LATE, AlertKind.ROUND_OVERDUE),
        body=_(ROUND_MESSAGE) % facts,
        about={"round": round_},
    )


def notify_hazard_escalation(*, hazard_id: int, level: int) -> int:
    """The overdue watch's step for a hazard past its rectification date: level 1 the crew's leaders by SMS,
    level 2 the managers by an alert; once per hazard and step."""
    from operations.models import Hazard

    hazard = Hazard.objects.select_related("room", "building", "facility").filter(pk=hazard_id).first()
    if hazard is None:
        return 0
    facts = {
        "number": hazard.pk,
        "deadline": _when(hazard.due_at),
        "place": str(hazard.place or ""),
        "description": hazard.description[:60],
    }
    return _escalation_step(
        level=level,
        crew_id=hazard.crew_id,
        key=f"{hazard.pk}",
        kinds=(NotificationKind.LEADER_HAZARD_LATE, AlertKind.HAZARD_OVERDUE),
        body=_(HAZARD_MESSAGE) % facts,
        about={"hazard": hazard},
    )
