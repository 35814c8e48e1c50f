"""One factory per model. Orders are put into a state by calling services, not by assigning fields."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from crews.models import Crew, DutyShift, Worker
from residents.models import Building, District, Facility, Residency, Resident, Room, Unit


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"{o.number}区")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    district = factory.SubFactory(DistrictFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"{o.district.name}{o.number}栋")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    building = factory.SubFactory(BuildingFactory)
    number = 1
    label = factory.LazyAttribute(lambda o: f"{o.building.label}{o.number}单元")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    unit = factory.SubFactory(UnitFactory)
    building = factory.LazyAttribute(lambda o: o.unit.building)
    district = factory.LazyAttribute(lambda o: o.unit.building.district)
    number = factory.Sequence(lambda n: f"{100 + n % 900}")
    floor = factory.LazyAttribute(lambda o: int(o.number[0]) if o.number[0].isdigit() else 1)
    label = factory.LazyAttribute(lambda o: f"{o.unit.label}{o.number}室")


class FacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Facility

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"泵房{n}")
    kind = "pump_house"
    label = factory.LazyAttribute(lambda o: f"{o.district.name}{o.name}")


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"住户{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")


class ResidencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Residency

    resident = factory.SubFactory(ResidentFactory)
    room = factory.SubFactory(RoomFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get_or_create(name=extracted)[0])


class CrewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Crew
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"班组{n}")
    kind = "water"


class WorkerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Worker

    user = factory.SubFactory(UserFactory, role="worker")
    crew = factory.SubFactory(CrewFactory)
    name = factory.LazyAttribute(lambda o: o.user.first_name)
    role = "member"
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class LeaderFactory(WorkerFactory):
    user = factory.SubFactory(UserFactory, role="crew_leader")
    role = "leader"


class DutyShiftFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyShift

    worker = factory.SubFactory(WorkerFactory)
    kind = factory.LazyAttribute(lambda o: o.worker.crew.kind)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=10))


def leaf_category(code: str = "water.leak_fitting"):
    """A seeded leaf category (the data migration seeds DESIGN §5)."""
    from workorders.models import Category

    return Category.objects.get(code=code)


COMPLETE_KWARGS = {
    "resolution": "更换阀门密封圈，试水无渗漏",
    "checklist": {
        "greeting": True,
        "shoe_covers": True,
        "cloth": True,
        "inspection": True,
        "note_left": True,
    },
    "inspection_findings": "顺查厨房、卫生间水管，无异常",
    "materials": [{"name": "密封圈", "quantity": "2", "unit_price": "1.50"}],
}


def drive_order(order, to: str, *, dispatcher, leader, worker, manager, now=None):
    """Put an order into state `to` by calling the services along the normal path (never by assigning)."""
    from workorders.actions.closing import cancel_order, close_order
    from workorders.actions.dispatching import assign_order, dispatch_order
    from workorders.actions.field_work import accept_order, arrive_order, complete_order, hold_order

    path = ["received", "dispatched", "assigned", "accepted", "on_site", "completed", "closed"]
    if to == "cancelled":
        return cancel_order(
            actor=dispatcher.user if hasattr(dispatcher, "user") else dispatcher,
            order_id=order.id,
            reason="duplicate",
            now=now,
        )
    if to == "on_hold":
        order = drive_order(
            order, "accepted", dispatcher=dispatcher, leader=leader, worker=worker, manager=manager, now=now
        )
        return hold_order(actor=leader.user, order_id=order.id, reason="waiting_parts", now=now)
    steps = {
        "dispatched": lambda o: dispatch_order(actor=dispatcher, order_id=o.id, crew=leader.crew, now=now),
        "assigned": lambda o: assign_order(actor=leader.user, order_id=o.id, worker=worker, now=now),
        "accepted": lambda o: accept_order(actor=worker.user, order_id=o.id, now=now),
        "on_site": lambda o: arrive_order(actor=worker.user, order_id=o.id, now=now),
        "completed": lambda o: complete_order(actor=worker.user, order_id=o.id, now=now, **COMPLETE_KWARGS),
        "closed": lambda o: close_order(actor=manager, order_id=o.id, now=now),
    }
    for state in path[path.index(order.status) + 1 : path.index(to) + 1]:
        order = steps[state](order)
    return order


def tiny_png(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 8) -> bytes:
    """A valid size×size PNG of one colour, made on the fly (photo uploads in view and browser tests)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


# --- Reports and assessments (feedback) ---------------------------------------------------------------
from datetime import datetime  # noqa: E402

# "Now" in the report tests: mid-November 2026, so October is a finished month and September the one before.
NOW = timezone.make_aware(datetime(2026, 11, 15, 12, 0))
OCT_10 = timezone.make_aware(datetime(2026, 10, 10, 10, 0))
SEP_10 = timezone.make_aware(datetime(2026, 9, 10, 10, 0))


def add_follow_ups(
    order,
    due_at,
    *,
    satisfied: int = 0,
    basically: int = 0,
    dissatisfied: int = 0,
    refused: int = 0,
    open_: int = 0,
    ratings: dict[str, int] | None = None,
    crew=None,
    worker=None,
) -> list:
    """Bulk-create follow-ups of `order` due at `due_at` with the given answers (the rounds of one order stand
    for many completions: 20,000 answers in a second). Reached ones get a reached attempt carrying `ratings`
    when given; all are attributed to `crew`/`worker` (default: the order's)."""
    from feedback.models import FollowUp, FollowUpAttempt

    start = (
        FollowUp.objects.filter(work_order=order).order_by("-round").values_list("round", flat=True).first()
        or 0
    ) + 1
    crew_id = crew.pk if crew else order.crew_id
    worker_id = worker.pk if worker else order.worker_id
    plan = (
        [("done", "reached", "satisfied")] * satisfied
        + [("done", "reached", "basically_satisfied")] * basically
        + [("done", "reached", "dissatisfied")] * dissatisfied
        + [("done", "refused", "")] * refused
        + [("due", "", "")] * open_
    )
    rows = [
        FollowUp(
            work_order=order,
            round=start + i,
            status=status,
            outcome=outcome,
            verdict=verdict,
            resolved=True if outcome == "reached" else None,
            due_at=due_at,
            done_at=due_at if status == "done" else None,
            crew_id=crew_id,
            worker_id=worker_id,
            # The reached answer's ratings on the follow-up too, as feedback.actions.follow_ups._finish copies them.
            **({f"rating_{k}": v for k, v in ratings.items()} if ratings and outcome == "reached" else {}),
        )
        for i, (status, outcome, verdict) in enumerate(plan)
    ]
    made = FollowUp.objects.bulk_create(rows, batch_size=2000)
    if ratings is not None:
        made = list(
            FollowUp.objects.filter(work_order=order, round__gte=start, outcome="reached").values_list(
                "pk", "verdict"
            )
        )
        FollowUpAttempt.objects.bulk_create(
            [
                FollowUpAttempt(
                    follow_up_id=pk,
                    at=due_at,
                    outcome="reached",
                    resolved=True,
                    verdict=verdict,
                    **{f"rating_{k}": v for k, v in ratings.items()},
                )
                for pk, verdict in made
            ],
            batch_size=2000,
        )
    return made
