"""Demo activity for `seed_demo`: orders with plausible timelines over the past weeks.

The rows are built in memory and written with one bulk INSERT per table, but every step of a timeline is made
by `walk`, which moves the order along TRANSITIONS exactly as `perform` would (from a state the table allows,
to the state it names): the demo cannot show a history the application could not have produced."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crews.models import Crew, Worker

from .choices import CancelReason, Channel, Charge, HoldReason, Move, Status, Urgency
from .lifecycle import TRANSITIONS, next_deadline, target_of
from .models import Category, OrderNumberCounter, WorkOrder, WorkOrderEvent
from .selectors import Calendar, deadlines_for

# The normal path, and the move that leads into each of its states.
PATH = (Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.COMPLETED, Status.CLOSED)
STEP_MOVE = {
    Status.DISPATCHED: Move.DISPATCH,
    Status.ASSIGNED: Move.ASSIGN,
    Status.ACCEPTED: Move.ACCEPT,
    Status.ON_SITE: Move.ARRIVE,
    Status.COMPLETED: Move.COMPLETE,
    Status.CLOSED: Move.CLOSE,
}
REMINDED = frozenset({Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE})


@dataclass
class Timeline:
    """An order being built and its events: (kind, at, actor, from, to, note, data)."""

    order: WorkOrder
    events: list[tuple] = field(default_factory=list)


def walk(line: Timeline, move: str, at: datetime, actor, note: str = "", data=None, way=None) -> None:
    """Make `move` on the demo order as the table says, and record its event."""
    order = line.order
    if order.status not in TRANSITIONS[move][0]:
        raise ValueError(f"demo: {move} is not possible from {order.status}")
    before = order.status
    order.status = target_of(move, way) or before
    line.events.append((move, at, actor, before, order.status, note, data or {}))


@dataclass
class Cast:
    """Who and what the demo orders are made of."""

    rooms: list
    leaves: list
    weights: list
    crews: dict
    workers: dict
    leaders: dict
    desk: list
    managers: list
    reporters: dict


def _cast() -> Cast | None:
    from django.contrib.auth import get_user_model

    from crews.choices import Role
    from residents.models import Residency, Room

    User = get_user_model()
    rooms = list(Room.objects.order_by("id").values_list("id", "district_id", "building_id", "label"))
    crews = {c.kind: c for c in Crew.objects.filter(active=True).order_by("id")}
    leaves = [
        c
        for c in Category.objects.filter(parent__isnull=False, active=True).order_by("id")
        if c.crew_kind in crews
    ]
    workers: dict[int, list[Worker]] = {}
    leaders: dict[int, Worker] = {}
    for w in Worker.objects.filter(active=True).select_related("user").order_by("id"):
        if w.is_leader:
            leaders.setdefault(w.crew_id, w)
        else:
            workers.setdefault(w.crew_id, []).append(w)
    desk = list(User.objects.filter(groups__name=Role.DISPATCHER).order_by("id"))
    managers = list(User.objects.filter(groups__name=Role.MANAGER).order_by("id"))
    if not (rooms and leaves and crews and desk and managers):
        return None
    reporters: dict[int, tuple[int, str, str]] = {}
    for room_id, resident_id, phone, name in Residency.objects.order_by("id").values_list(
        "room_id", "resident_id", "resident__phone", "resident__name"
    ):
        reporters.setdefault(room_id, (resident_id, phone, name))
    weights = [1 if c.default_urgency == Urgency.EMERGENCY else 4 for c in leaves]
    return Cast(rooms, leaves, weights, crews, workers, leaders, desk, managers, reporters)


def seed_demo_orders(*, rng, count: int, now: datetime) -> dict[str, int]:
    """About `count` orders spread over the last 60 days in the states such a history has (old ones closed,
    recent ones at every step, a few overdue, reworked, reminded or cancelled), with their timelines.

    Bulk inserts (orders, then events) with deadlines from the real commitments and calendar; numbers are
    unique per day and the day counters are moved past them so live intake continues the sequence. Does
    nothing when any order exists (idempotent) or when places or staff are missing."""
    if WorkOrder.objects.exists():
        return {}
    cast = _cast()
    if cast is None:
        return {}
    start = now - timedelta(days=60)
    calendar = Calendar.load(start, days=90)
    commitments: dict = {}
    per_day: dict = {}
    lines = []
    for created in _creation_times(rng, count, start, now):
        line, deadlines, people = _new_order(rng, cast, created, calendar, commitments, per_day)
        _live(rng, line, deadlines, people, now)
        line.order.due_at = next_deadline(line.order)
        lines.append(line)
    _write(lines, per_day)
    return {"orders": len(lines), "events": sum(len(line.events) for line in lines)}


def _creation_times(rng, count: int, start: datetime, now: datetime) -> list[datetime]:
    times = []
    for _i in range(count):
        created = start + timedelta(seconds=rng.uniform(0, 60 * 86400 - 600))
        # Office hours are busier than nights (but never move an order past now: the last night stays a night).
        if timezone.localtime(created).hour < 7 and rng.random() < 0.7 and created + timedelta(hours=9) < now:
            created += timedelta(hours=9)
        times.append(created)
    return sorted(times)


def _new_order(rng, cast: Cast, created: datetime, calendar, commitments: dict, per_day: dict):
    """A received order (not saved) with its deadlines and the people who will work on it."""
    from .selectors import commitment_for

    category = rng.choices(cast.leaves, cast.weights)[0]
    urgency = category.default_urgency
    roll = rng.random()
    if urgency == Urgency.NORMAL and roll < 0.05:
        urgency = Urgency.PLANNED
    elif urgency == Urgency.NORMAL and roll < 0.1:
        urgency = Urgency.APPOINTMENT
    appointment = None
    if urgency == Urgency.APPOINTMENT:
        appointment = timezone.localtime(created).replace(minute=0, second=0, microsecond=0)
        appointment += timedelta(days=1, hours=rng.choice([0, 2, 4]))
    key = (urgency, category.id)
    if key not in commitments:
        commitments[key] = commitment_for(urgency, category)
    d = deadlines_for(
        at=created,
        urgency=urgency,
        category=category,
        appointment_at=appointment,
        commitment=commitments[key],
        calendar=calendar,
    )
    room_id, district_id, building_id, label = rng.choice(cast.rooms)
    reporter = cast.reporters.get(room_id)
    crew = cast.crews[category.crew_kind]
    crew_workers = cast.workers.get(crew.id) or [cast.leaders.get(crew.id)]
    worker = rng.choice(crew_workers) if crew_workers[0] else None
    leader = cast.leaders.get(crew.id) or worker
    dispatcher = rng.choice(cast.desk)
    day = timezone.localdate(created)
    per_day[day] = per_day.get(day, 0) + 1
    order = WorkOrder(
        number=f"{day:%Y%m%d}-{per_day[day]:04d}",
        room_id=room_id,
        district_id=district_id,
        building_id=building_id,
        location_label=label,
        category=category,
        urgency=urgency,
        area=category.default_area,
        charge=Charge.PAID if rng.random() < 0.08 else Charge.FREE,
        channel=Channel.WALK_IN if rng.random() < 0.1 else Channel.PHONE,
        description=f"{category.name}，请尽快处理",
        appointment_at=appointment,
        reporter_id=reporter[0] if reporter else None,
        reporter_phone=reporter[1] if reporter else "",
        reporter_name=reporter[2] if reporter else "",
        first_contact_owner=dispatcher,
        respond_by=d.respond_by,
        arrive_by=d.arrive_by,
        complete_by=d.complete_by,
        created_at=created,
    )
    line = Timeline(order, [(Move.CREATE, created, dispatcher, "", Status.RECEIVED, order.description, {})])
    people = {"crew": crew, "worker": worker, "leader": leader, "dispatcher": dispatcher, "cast": cast}
    return line, d, people


def _target(rng, age: timedelta) -> str:
    """How far an order of this age got: old orders are finished; recent ones stop anywhere along the way."""
    if age > timedelta(days=7):
        return rng.choices(["closed", "completed", "cancelled"], [90, 4, 6])[0]
    if age > timedelta(days=2):
        return rng.choices(["closed", "completed", "on_site", "on_hold", "cancelled"], [45, 35, 8, 7, 5])[0]
    return rng.choices(
        ["received", "dispatched", "assigned", "accepted", "on_site", "on_hold", "completed"],
        [8, 12, 15, 15, 15, 5, 30],
    )[0]


def _live(rng, line: Timeline, d, people: dict, now: datetime) -> None:
    """The order's life up to now, towards the state its age makes likely."""
    order, created = line.order, line.order.created_at
    target = _target(rng, now - created)
    if target == "cancelled" or people["worker"] is None:
        order.cancelled_at = _at(rng, created, 5, 60)
        order.cancel_reason = rng.choice(CancelReason.values)
        walk(line, Move.CANCEL, order.cancelled_at, people["dispatcher"])
        return
    stop = PATH.index(Status.ACCEPTED if target == "on_hold" else target) if target != "received" else -1
    late = rng.random() < 0.12  # some miss a deadline
    t = created
    for step in PATH[: stop + 1]:
        t, actor, note = _step(rng, order, step, t, d, people, late)
        if t > now:
            break
        if step == Status.CLOSED:
            order.closed_at = t
        walk(line, STEP_MOVE[step], t, actor, note)
    if target == "on_hold" and order.status == Status.ACCEPTED:
        t = _at(rng, t, 10, 60)
        if t < now:
            order.held_from_status, order.on_hold_since = order.status, t
            order.hold_reason = rng.choice(HoldReason.values)
            walk(line, Move.HOLD, t, people["leader"].user, data={"reason": order.hold_reason})
    if order.status in REMINDED and rng.random() < 0.15:
        _reminders(rng, line, people["dispatcher"], now)


def _at(rng, base: datetime, low_minutes: float, high_minutes: float) -> datetime:
    return base + timedelta(minutes=rng.uniform(low_minutes, high_minutes))


def _step(rng, order: WorkOrder, step: str, t: datetime, d, people: dict, late: bool):
    """When the next step along the path happens, who makes it, and the order's fields it stamps."""
    worker = people["worker"]
    if step == Status.DISPATCHED:
        t = _at(rng, t, 1, 8)
        order.crew, order.dispatched_at = people["crew"], t
        return t, people["dispatcher"], ""
    if step == Status.ASSIGNED:
        t = _at(rng, t, 2, 15)
        order.worker, order.assigned_at = worker, t
        return t, people["leader"].user, ""
    if step == Status.ACCEPTED:
        t = min(_at(rng, t, 1, 10), d.respond_by) if not late else d.respond_by + timedelta(minutes=20)
        order.accepted_at = t = max(t, order.assigned_at)
        return t, worker.user, ""
    if step == Status.ON_SITE:
        limit = d.arrive_by or _at(rng, t, 60, 600)
        order.arrived_at = t = max(t + timedelta(minutes=5), min(_at(rng, t, 15, 240), limit))
        return t, worker.user, ""
    if step == Status.COMPLETED:
        order.completed_at = t = max(t + timedelta(minutes=20), min(_at(rng, t, 30, 300), d.complete_by))
        order.resolution, order.inspection_findings = "已修复，试用正常", "顺查无其他隐患"
        for name in WorkOrder.CHECKLIST_FIELDS:
            setattr(order, name, True)
        if order.charge == Charge.PAID:
            order.fee, order.fee_confirmed = Decimal(rng.choice(["20", "35", "50", "80"])), True
        return t, worker.user, order.resolution
    # closed after the next day's follow-up
    return _at(rng, t, 20 * 60, 30 * 60), rng.choice(people["cast"].managers), "回访满意，办结"


def _reminders(rng, line: Timeline, dispatcher, now: datetime) -> None:
    """The resident calls again after the last step, while still waiting."""
    t = line.events[-1][1]
    for _n in range(rng.randint(1, 3)):
        t = _at(rng, t, 20, 120)
        if t >= now:
            break
        line.order.remind_count += 1
        walk(line, Move.REMIND, t, dispatcher, "住户再次来电催单")


def _write(lines: list[Timeline], per_day: dict) -> None:
    with transaction.atomic():
        WorkOrder.objects.bulk_create([line.order for line in lines], batch_size=500)
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(
                    order_id=line.order.id,
                    at=when,
                    actor=actor,
                    kind=kind,
                    from_status=from_status,
                    to_status=to_status,
                    note=note,
                    data=data,
                )
                for line in lines
                for kind, when, actor, from_status, to_status, note, data in sorted(
                    line.events, key=lambda e: e[1]
                )
            ],
            batch_size=1000,
        )
        for day, last in per_day.items():
            counter, created_counter = OrderNumberCounter.objects.get_or_create(
                day=day, defaults={"last": last}
            )
            if not created_counter and counter.last < last:
                OrderNumberCounter.objects.filter(day=day).update(last=last)
