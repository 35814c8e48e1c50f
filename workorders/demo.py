"""Demo activity for `seed_demo`: orders with plausible timelines over the past weeks."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from crews.models import Crew, Worker

from .choices import CancelReason, Channel, Charge, HoldReason, Move, Status, Urgency
from .lifecycle import next_deadline
from .models import Category, OrderNumberCounter, WorkOrder, WorkOrderEvent
from .selectors import Calendar, deadlines_for

# --- Demo activity ----------------------------------------------------------------------------------------


def seed_demo_orders(*, rng, count: int, now: datetime) -> dict[str, int]:
    """About `count` orders spread over the last 60 days in the states such a history has (old ones closed,
    recent ones at every step, a few overdue, reworked, reminded or cancelled), with their timelines.

    Bulk inserts (orders, then events) with deadlines from the real commitments and calendar; numbers are
    unique per day and the day counters are moved past them so live intake continues the sequence. Does
    nothing when any order exists (idempotent) or when places or staff are missing."""
    from django.contrib.auth import get_user_model

    from crews.choices import Role
    from residents.models import Residency, Room

    from .models import ServiceCommitment
    from .selectors import commitment_for

    if WorkOrder.objects.exists():
        return {}
    User = get_user_model()
    rooms = list(Room.objects.order_by("id").values_list("id", "district_id", "building_id", "label"))
    leaves = list(Category.objects.filter(parent__isnull=False, active=True).order_by("id"))
    crews = {c.kind: c for c in Crew.objects.filter(active=True).order_by("id")}
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
        return {}
    reporters: dict[int, tuple[int, str, str]] = {}
    for room_id, resident_id, phone, name in Residency.objects.order_by("id").values_list(
        "room_id", "resident_id", "resident__phone", "resident__name"
    ):
        reporters.setdefault(room_id, (resident_id, phone, name))
    start = now - timedelta(days=60)
    calendar = Calendar.load(start, days=90)
    commitments: dict[tuple[str, int], ServiceCommitment] = {}
    leaves = [c for c in leaves if c.crew_kind in crews]
    weights = [1 if c.default_urgency == Urgency.EMERGENCY else 4 for c in leaves]

    def at(base: datetime, low_minutes: float, high_minutes: float) -> datetime:
        return base + timedelta(minutes=rng.uniform(low_minutes, high_minutes))

    plans = []
    for _i in range(count):
        created = start + timedelta(seconds=rng.uniform(0, 60 * 86400 - 600))
        # Office hours are busier than nights (but never move an order past now: the last night stays a night).
        if timezone.localtime(created).hour < 7 and rng.random() < 0.7 and created + timedelta(hours=9) < now:
            created += timedelta(hours=9)
        plans.append(created)
    plans.sort()

    orders: list[WorkOrder] = []
    timelines: list[list[tuple]] = []  # per order: (kind, at, actor, from, to, note, data)
    per_day: dict = {}
    for created in plans:
        category = rng.choices(leaves, weights)[0]
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
        room_id, district_id, building_id, label = rng.choice(rooms)
        reporter = reporters.get(room_id)
        crew = crews[category.crew_kind]
        crew_workers = workers.get(crew.id) or [leaders.get(crew.id)]
        worker = rng.choice(crew_workers) if crew_workers[0] else None
        leader = leaders.get(crew.id) or worker
        dispatcher = rng.choice(desk)
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
        events = [(Move.CREATE, created, dispatcher, "", Status.RECEIVED, order.description, {})]
        age = now - created
        # How far this order got: old orders are finished; recent ones stop anywhere along the way.
        if age > timedelta(days=7):
            target = rng.choices(["closed", "completed", "cancelled"], [90, 4, 6])[0]
        elif age > timedelta(days=2):
            target = rng.choices(
                ["closed", "completed", "on_site", "on_hold", "cancelled"], [45, 35, 8, 7, 5]
            )[0]
        else:
            target = rng.choices(
                ["received", "dispatched", "assigned", "accepted", "on_site", "on_hold", "completed"],
                [8, 12, 15, 15, 15, 5, 30],
            )[0]
        if target == "cancelled" or worker is None:
            order.status, order.cancelled_at = Status.CANCELLED, at(created, 5, 60)
            order.cancel_reason = rng.choice(CancelReason.values)
            events.append((Move.CANCEL, order.cancelled_at, dispatcher, "received", "cancelled", "", {}))
        else:
            path = ["received", "dispatched", "assigned", "accepted", "on_site", "completed", "closed"]
            stop = path.index("accepted" if target == "on_hold" else target)
            late = rng.random() < 0.12  # some miss a deadline
            t = created
            status = Status.RECEIVED
            for step in path[1 : stop + 1]:
                if step == "dispatched":
                    t = at(t, 1, 8)
                    order.crew, order.dispatched_at, actor, note = crew, t, dispatcher, ""
                elif step == "assigned":
                    t = at(t, 2, 15)
                    order.worker, order.assigned_at, actor, note = worker, t, leader.user, ""
                elif step == "accepted":
                    t = min(at(t, 1, 10), d.respond_by) if not late else d.respond_by + timedelta(minutes=20)
                    t = max(t, order.assigned_at)
                    order.accepted_at, actor, note = t, worker.user, ""
                elif step == "on_site":
                    limit = d.arrive_by or at(t, 60, 600)
                    t = max(t + timedelta(minutes=5), min(at(t, 15, 240), limit))
                    order.arrived_at, actor, note = t, worker.user, ""
                elif step == "completed":
                    t = max(t + timedelta(minutes=20), min(at(t, 30, 300), d.complete_by))
                    order.completed_at, order.resolution = t, "已修复，试用正常"
                    for name in WorkOrder.CHECKLIST_FIELDS:
                        setattr(order, name, True)
                    order.inspection_findings = "顺查无其他隐患"
                    if order.charge == Charge.PAID:
                        order.fee, order.fee_confirmed = Decimal(rng.choice(["20", "35", "50", "80"])), True
                    actor, note = worker.user, order.resolution
                else:  # closed after the next day's follow-up
                    t = at(t, 20 * 60, 30 * 60)
                    if t > now:
                        break
                    order.closed_at, actor, note = t, rng.choice(managers), "回访满意，办结"
                if t > now:
                    break
                events.append((step_move(step), t, actor, status, step, note, {}))
                status = step
            order.status = status
            if target == "on_hold" and status == Status.ACCEPTED:
                t = at(t, 10, 60)
                if t < now:
                    order.status, order.held_from_status, order.on_hold_since = Status.ON_HOLD, status, t
                    order.hold_reason = rng.choice(HoldReason.values)
                    events.append(
                        (Move.HOLD, t, leader.user, status, Status.ON_HOLD, "", {"reason": order.hold_reason})
                    )
            if order.status in ACTIVE_WORKING and rng.random() < 0.15:
                # The resident calls again after the last step, while still waiting.
                t = events[-1][1]
                for _n in range(rng.randint(1, 3)):
                    t = at(t, 20, 120)
                    if t >= now:
                        break
                    order.remind_count += 1
                    events.append(
                        (Move.REMIND, t, dispatcher, order.status, order.status, "住户再次来电催单", {})
                    )
        order.due_at = next_deadline(order)
        orders.append(order)
        timelines.append(events)

    with transaction.atomic():
        WorkOrder.objects.bulk_create(orders, batch_size=500)
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(
                    order_id=order.id,
                    at=when,
                    actor=actor,
                    kind=kind,
                    from_status=from_status,
                    to_status=to_status,
                    note=note,
                    data=data,
                )
                for order, events in zip(orders, timelines, strict=True)
                for kind, when, actor, from_status, to_status, note, data in sorted(
                    events, key=lambda e: e[1]
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
    return {"orders": len(orders), "events": sum(len(e) for e in timelines)}


ACTIVE_WORKING = frozenset(
    {Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE}
)


def step_move(step: str) -> str:
    """The move that leads into a state along the normal path (for demo timelines)."""
    return {
        "dispatched": Move.DISPATCH,
        "assigned": Move.ASSIGN,
        "accepted": Move.ACCEPT,
        "on_site": Move.ARRIVE,
        "completed": Move.COMPLETE,
        "closed": Move.CLOSE,
    }[step]
