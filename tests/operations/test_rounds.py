"""Preventive rounds: templates (managers only), generation once per due time with the on-duty worker or
nobody, missed rounds kept visible, the walk with a reading out of range becoming a hazard, the overdue watch."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from operations.actions import rounds as r
from operations.models import Hazard, Round
from tests import factories as f

pytestmark = pytest.mark.django_db

ITEMS = [
    {"label": "出水压力", "kind": "reading", "unit": "MPa", "low": Decimal("0.2"), "high": Decimal("0.4")},
    {"label": "泵体无渗漏", "kind": "pass_fail"},
]


@pytest.fixture
def template(area, crew, manager):
    return r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=ITEMS,
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
        buildings=[area["b37"]],
    )


def test_only_managers_define_rounds(area, crew, leader):
    with pytest.raises(PermissionDenied):
        r.create_round_template(
            actor=leader.user,
            crew=crew,
            name="x",
            items=ITEMS,
            frequency="daily",
            due_time=time(9),
            facilities=[area["pump"]],
        )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"items": []}, "items"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": "weekdays", "weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        (
            {
                "items": [
                    {"label": "p", "kind": "reading", "unit": "m", "low": Decimal(5), "high": Decimal(1)}
                ]
            },
            "items.0.low",
        ),
        (
            {
                "items": [
                    {"label": "p", "kind": "reading", "unit": "m", "low": Decimal(1), "high": Decimal(1)}
                ]
            },
            "items.0.low",
        ),
        (
            {"items": [{"label": "p", "kind": "reading", "low": Decimal(1), "high": Decimal(2)}]},
            "items.0.unit",
        ),
        ({"facilities": []}, "facilities"),
    ],
)
def test_bad_templates_are_refused(area, crew, manager, kwargs, field):
    data = {"crew": crew, "name": "x", "items": ITEMS, "frequency": "daily", "due_time": time(9)}
    data["facilities"] = [area["pump"]]
    data.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        r.create_round_template(actor=manager, **data)
    assert field in exc.value.message_dict


def test_generation_creates_each_due_round_once_with_checks_per_place(template, now, worker):
    f.DutyShiftFactory(worker=worker, kind="water", starts_at=now, ends_at=now + timedelta(hours=8))
    assert r.generate_due_rounds(now=now) == 1
    assert r.generate_due_rounds(now=now) == 0  # beat runs twice
    assert r.generate_due_rounds(now=now + timedelta(minutes=1)) == 0
    round_ = Round.objects.get()
    assert round_.worker == worker and round_.status == "due"
    assert timezone.localtime(round_.due_at).hour == 11
    assert round_.items.count() == 4  # two checks at two places
    assert r.generate_due_rounds(now=now + timedelta(days=1)) == 1  # tomorrow's


def test_weekly_and_weekday_templates_are_due_on_their_days(area, crew, manager, now):
    monday = r.create_round_template(
        actor=manager,
        crew=crew,
        name="周检",
        items=ITEMS,
        frequency="weekly",
        weekdays=[0],
        due_time=time(9),
        facilities=[area["pump"]],
    )
    assert now.weekday() == 1  # Tuesday
    assert not monday.is_due_on(now.date()) and monday.is_due_on((now - timedelta(days=1)).date())
    tue_thu = r.create_round_template(
        actor=manager,
        crew=crew,
        name="二四",
        items=ITEMS,
        frequency="weekdays",
        weekdays=[1, 3],
        due_time=time(9),
        facilities=[area["pump"]],
    )
    assert tue_thu.is_due_on(now.date())


def test_nobody_on_duty_leaves_the_round_to_the_leader_and_it_is_missed_visibly(template, now, leader):
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    assert round_.worker is None
    assert r.mark_missed_rounds(now=now + timedelta(hours=12)) == 0
    assert r.mark_missed_rounds(now=now + timedelta(hours=14)) == 1
    round_.refresh_from_db()
    assert round_.status == "missed" and round_.missed_reason == "无人值班，班组长未指派。"


def test_walk_records_a_reading_out_of_range_as_a_hazard(template, now, worker):
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    pressure, leak = round_.items.filter(facility__isnull=False).order_by("position")
    r.start_round(actor=worker.user, round_id=round_.pk, now=now)
    item, hazard = r.record_check(
        actor=worker.user, round_id=round_.pk, item_id=pressure.pk, value="0.15", now=now
    )
    assert item.passed is False and hazard is not None
    assert hazard.round_item == item and hazard.facility == pressure.facility and hazard.system == "water"
    assert "0.15" in hazard.description and "0.2" in hazard.description
    # recording it again does not register a second hazard
    r.record_check(actor=worker.user, round_id=round_.pk, item_id=pressure.pk, value="0.1", now=now)
    assert Hazard.objects.count() == 1
    _, ok = r.record_check(actor=worker.user, round_id=round_.pk, item_id=leak.pk, passed=True, now=now)
    assert ok is None
    with pytest.raises(ValidationError):
        r.finish_round(actor=worker.user, round_id=round_.pk, now=now)  # the building's checks are missing
    for item in round_.items.filter(recorded_at__isnull=True):
        r.record_check(
            actor=worker.user, round_id=round_.pk, item_id=item.pk, passed=True, value="0.3", now=now
        )
    r.finish_round(actor=worker.user, round_id=round_.pk, now=now)
    round_.refresh_from_db()
    assert round_.status == "done" and round_.on_time
    with pytest.raises(r.RoundConflict):
        r.record_check(actor=worker.user, round_id=round_.pk, item_id=leak.pk, passed=False, now=now)


def test_a_bad_reading_is_refused_and_changes_nothing(template, now, worker):
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    pressure = round_.items.filter(kind="reading").first()
    for bad in ("", "abc", "1e400", "NaN"):
        with pytest.raises(ValidationError):
            r.record_check(actor=worker.user, round_id=round_.pk, item_id=pressure.pk, value=bad, now=now)
    pressure.refresh_from_db()
    assert pressure.recorded_at is None and not Hazard.objects.exists()


def test_another_crew_may_not_walk_the_round(template, now, other_leader, other_worker, worker):
    f.DutyShiftFactory(worker=worker, kind="water", starts_at=now, ends_at=now + timedelta(hours=8))
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    with pytest.raises(PermissionDenied):
        r.start_round(actor=other_leader.user, round_id=round_.pk, now=now)
    with pytest.raises(PermissionDenied):  # assigned to `worker`, not to a colleague
        r.start_round(actor=other_worker.user, round_id=round_.pk, now=now)


def test_overdue_rounds_escalate_once_per_level(template, now):
    r.generate_due_rounds(now=now)
    assert r.escalate_overdue_rounds(now=now) == 0  # due at 11:00
    assert r.escalate_overdue_rounds(now=now + timedelta(hours=2)) == 1
    assert r.escalate_overdue_rounds(now=now + timedelta(hours=2, minutes=1)) == 0
    assert r.escalate_overdue_rounds(now=now + timedelta(hours=6)) == 1
    assert Round.objects.get().escalation_level == 2
