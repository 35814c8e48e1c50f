"""Manager reports on constructed data with known answers: satisfaction statistics (Wilson interval, the
two-proportion test), SLA compliance with hold time excluded, volume by local hour, hotspots; each report in a
fixed number of queries at two data sizes."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from django.utils import timezone

from feedback.reports.hotspots import hotspots
from feedback.reports.periods import Period, parse_period, period_containing
from feedback.reports.satisfaction import satisfaction_report, satisfaction_trend
from feedback.reports.sla import open_complaints_by_deadline, overdue_orders, sla_report
from feedback.reports.stats import two_proportion_z_test, wilson_interval
from feedback.reports.volume import volume_report
from tests import factories as f
from tests.factories import NOW, OCT_10, SEP_10, add_follow_ups
from workorders.actions.dispatching import assign_order, dispatch_order
from workorders.actions.field_work import accept_order, arrive_order, complete_order, hold_order, resume_order
from workorders.actions.intake import create_order

pytestmark = pytest.mark.django_db

OCTOBER = Period("month", date(2026, 10, 1), date(2026, 11, 1))


# --- Statistics by hand -------------------------------------------------------------------------------------


def hand_wilson(x: int, n: int) -> tuple[float, float]:
    z = 1.959963984540054
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    return centre - half, centre + half


def test_wilson_interval_of_980_in_1000_by_hand():
    # p = .98, z²/n = .0038415, centre = .9819207/1.0038415 = .978164, half = 1.96·√(.0000196+.00000096)/1.0038 = .008853
    low, high = wilson_interval(980, 1000)
    assert (round(low, 3), round(high, 3)) == (0.969, 0.987)
    assert (low, high) == pytest.approx(hand_wilson(980, 1000), abs=1e-12)
    assert wilson_interval(0, 0) == (None, None)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)


def test_two_proportion_test_by_hand():
    # pooled .977, se = √(.977·.023·(1/1000+1/1000)) = .0067039, z = .006/.0067039 = .895, p = .371
    z, p = two_proportion_z_test(980, 1000, 974, 1000)
    assert round(z, 3) == 0.895
    assert round(p, 2) == 0.37
    # Ten times the sample, the same +0.6 pp: se = .0021199, z = 2.830, p = .0047 < .05
    z, p = two_proportion_z_test(9800, 10000, 9740, 10000)
    assert round(z, 2) == 2.83
    assert p < 0.05
    assert two_proportion_z_test(5, 5, 3, 3) == (0.0, 1.0)
    assert two_proportion_z_test(1, 0, 1, 1) == (None, None)


# --- Satisfaction ---------------------------------------------------------------------------------------------


@pytest.fixture
def done_order(make_order):
    """A completed order whose rounds carry the bulk-created follow-ups (no real follow-up is made: the
    on-commit callbacks are not run)."""
    return make_order("completed", now=SEP_10 - timedelta(days=5))


def test_satisfaction_980_vs_974_is_not_significant(done_order, crew):
    add_follow_ups(done_order, OCT_10, satisfied=700, basically=280, dissatisfied=20, refused=10, open_=40)
    add_follow_ups(done_order, SEP_10, satisfied=900, basically=74, dissatisfied=26)
    report = satisfaction_report(OCTOBER, "crew", now=NOW)

    assert report.previous.label == "2026-09"
    [row] = report.rows
    assert row.label == "供水班"
    assert (row.due, row.contacted, row.reached) == (1050, 1010, 1000)
    assert (row.satisfied, row.basically_satisfied, row.dissatisfied) == (700, 280, 20)
    assert row.follow_up_rate == pytest.approx(1010 / 1050)
    assert row.rate == pytest.approx(0.98)
    assert row.prev_rate == pytest.approx(0.974)
    assert round(row.delta_pp, 1) == 0.6
    assert (round(row.ci_low, 3), round(row.ci_high, 3)) == (0.969, 0.987)
    assert row.significant is False
    assert report.total.reached == 1000 and report.total.rate == pytest.approx(0.98)


def test_the_same_change_on_a_larger_sample_is_significant(done_order):
    add_follow_ups(done_order, OCT_10, satisfied=9000, basically=800, dissatisfied=200)
    add_follow_ups(done_order, SEP_10, satisfied=9000, basically=740, dissatisfied=260)
    row = satisfaction_report(OCTOBER, "crew", now=NOW).total
    assert (row.rate, row.prev_rate) == (pytest.approx(0.98), pytest.approx(0.974))
    assert round(row.delta_pp, 1) == 0.6
    assert row.significant is True
    assert row.p_value < 0.05


def test_five_heart_averages_and_grouping(make_order, crew, other_crew, worker, other_leader):
    water = make_order("completed", now=SEP_10)
    add_follow_ups(
        water,
        OCT_10,
        satisfied=2,
        ratings={"care": 5, "workmanship": 4, "safety": 5, "quality": 3, "comfort": 4},
    )
    add_follow_ups(
        water,
        OCT_10,
        dissatisfied=2,
        ratings={"care": 3, "workmanship": 2, "safety": 5, "quality": 1, "comfort": 2},
    )
    # Attributed to the electrical crew (the crew that did the rated completion), not the order's crew now.
    add_follow_ups(
        water,
        OCT_10,
        basically=1,
        crew=other_crew,
        worker=other_leader,
        ratings={"care": 4, "workmanship": 4, "safety": 4, "quality": 4, "comfort": 4},
    )
    by_crew = {r.label: r for r in satisfaction_report(OCTOBER, "crew", now=NOW).rows}
    assert by_crew["供水班"].ratings == {
        "care": 4.0,
        "workmanship": 3.0,
        "safety": 5.0,
        "quality": 2.0,
        "comfort": 3.0,
    }
    assert by_crew["供水班"].rate == 0.5
    assert by_crew["电工班"].basically_satisfied == 1 and by_crew["电工班"].rate == 1.0
    total = satisfaction_report(OCTOBER, "crew", now=NOW).total
    assert total.ratings["care"] == pytest.approx((5 * 2 + 3 * 2 + 4) / 5)

    by_district = satisfaction_report(OCTOBER, "district", now=NOW).rows
    assert [(r.label, r.reached) for r in by_district] == [("5区", 5)]
    by_category = satisfaction_report(OCTOBER, "category", now=NOW).rows
    assert by_category[0].label.endswith(water.category.name) and "/" in by_category[0].label
    by_worker = {r.label: r.reached for r in satisfaction_report(OCTOBER, "worker", now=NOW).rows}
    assert by_worker == {f"{worker.name}（供水班）": 4, f"{other_leader.name}（电工班）": 1}


def test_follow_ups_not_yet_due_are_not_counted(done_order):
    add_follow_ups(done_order, NOW - timedelta(hours=1), satisfied=1)
    add_follow_ups(done_order, NOW + timedelta(hours=1), open_=3)
    report = satisfaction_report(period_containing("month", NOW.date()), now=NOW)
    assert report.total.due == 1


def test_trend_counts_each_local_month(done_order):
    oct_1 = timezone.make_aware(timezone.datetime(2026, 10, 1))  # Beijing midnight = Sep 30 16:00 UTC
    add_follow_ups(done_order, oct_1, satisfied=2, dissatisfied=1)  # October, not September
    add_follow_ups(done_order, oct_1 - timedelta(seconds=1), basically=1, refused=4, open_=2)  # September
    add_follow_ups(done_order, NOW - timedelta(hours=1), satisfied=1)  # this month, due already
    add_follow_ups(done_order, NOW + timedelta(hours=1), satisfied=1)  # this month, not yet due
    add_follow_ups(done_order, timezone.make_aware(timezone.datetime(2025, 11, 30)), satisfied=1)  # too old
    points = satisfaction_trend(12, now=NOW)
    assert [p.month for p in points][:2] == [date(2025, 12, 1), date(2026, 1, 1)]
    by_month = {p.month: (p.reached, p.good) for p in points}
    assert by_month[date(2026, 9, 1)] == (1, 1)  # refused and open ones are not reached
    assert by_month[date(2026, 10, 1)] == (3, 2)
    assert by_month[date(2026, 11, 1)] == (1, 1)
    assert sum(r for r, _ in by_month.values()) == 5
    october = points[10]
    assert october.rate == pytest.approx(2 / 3)
    assert (october.ci_low, october.ci_high) == pytest.approx(hand_wilson(2, 3))
    assert points[0].rate is None and points[0].ci_low is None


def test_periods():
    assert parse_period({"period": "quarter", "from": "2026-11-15"}).label == "2026Q4"
    q = period_containing("quarter", date(2026, 2, 3))
    assert (q.start, q.end, q.previous().start) == (date(2026, 1, 1), date(2026, 4, 1), date(2025, 10, 1))
    week = parse_period({"period": "week", "from": "2026-11-19"})  # a Thursday
    assert (week.start, week.previous().start) == (date(2026, 11, 16), date(2026, 11, 9))
    custom = parse_period({"period": "custom", "from": "2026-10-01", "to": "2026-10-10"})
    assert (custom.days, custom.previous().start, custom.previous().end) == (
        10,
        date(2026, 9, 21),
        date(2026, 10, 1),
    )
    jan = parse_period({"from": "2026-01"})
    assert jan.previous().label == "2025-12"
    for bad in (
        {"period": "year"},
        {"from": "2026-13-01"},
        {"period": "custom", "from": "2026-10-05", "to": "2026-10-01"},
        {"period": "custom", "from": "2026-10-05"},
    ):
        with pytest.raises(Exception) as info:
            parse_period(bad)
        assert info.type.__name__ == "ValidationError"


# --- SLA compliance ---------------------------------------------------------------------------------------------


def _drive(order_id, *, leader, worker, dispatcher, times):
    dispatch_order(actor=dispatcher, order_id=order_id, crew=leader.crew, now=times["dispatch"])
    assign_order(actor=leader.user, order_id=order_id, worker=worker, now=times["assign"])
    accept_order(actor=worker.user, order_id=order_id, now=times["accept"])
    arrive_order(actor=worker.user, order_id=order_id, now=times["arrive"])
    if "hold" in times:
        hold_order(actor=leader.user, order_id=order_id, reason="waiting_parts", now=times["hold"])
        resume_order(actor=leader.user, order_id=order_id, now=times["resume"])
    if "complete" in times:
        complete_order(actor=worker.user, order_id=order_id, now=times["complete"], **f.COMPLETE_KWARGS)


def _emergency(dispatcher, room, at):
    # water.burst_pipe-like emergency: respond ≤ 5 min, arrive ≤ 30 min (day), complete ≤ 4 h, on the clock.
    return create_order(
        actor=dispatcher,
        category=f.leaf_category("water.leak_fitting"),
        urgency="emergency",
        room=room,
        description="水管爆裂",
        reporter_phone="13800138000",
        now=at,
    )


def test_hold_time_is_not_counted_against_completion(dispatcher, leader, worker, room):
    t0 = OCT_10
    held = _emergency(dispatcher, room, t0)
    # On site after 20 min, three hours on hold waiting for parts, done 5 h after the call: 1 h late on the
    # clock but 2 h early once the hold is excluded (complete_by moved from t0+4h to t0+7h).
    _drive(
        held.pk,
        leader=leader,
        worker=worker,
        dispatcher=dispatcher,
        times={
            "dispatch": t0 + timedelta(minutes=1),
            "assign": t0 + timedelta(minutes=2),
            "accept": t0 + timedelta(minutes=3),
            "arrive": t0 + timedelta(minutes=20),
            "hold": t0 + timedelta(minutes=30),
            "resume": t0 + timedelta(hours=3, minutes=30),
            "complete": t0 + timedelta(hours=5),
        },
    )
    late = _emergency(dispatcher, room, t0)
    _drive(
        late.pk,
        leader=leader,
        worker=worker,
        dispatcher=dispatcher,
        times={
            "dispatch": t0 + timedelta(minutes=1),
            "assign": t0 + timedelta(minutes=2),
            "accept": t0 + timedelta(minutes=9),
            "arrive": t0 + timedelta(minutes=40),
            "complete": t0 + timedelta(hours=5),
        },
    )
    held.refresh_from_db()
    assert held.held_seconds == 3 * 3600
    assert held.complete_by == t0 + timedelta(hours=7)
    report = sla_report(OCTOBER, "crew", now=NOW)
    [row] = report.rows
    assert (row.orders, row.respond_due, row.respond_ok) == (2, 2, 1)  # 3 min ok, 9 min > 5 min late
    assert (row.arrive_due, row.arrive_ok) == (2, 1)  # 20 min ok, 40 min > 30 min late
    assert (row.complete_due, row.complete_ok) == (2, 1)  # the held one on time, the other 1 h late
    assert row.complete_rate == 0.5
    by_urgency = sla_report(OCTOBER, "urgency", now=NOW).rows
    assert [(r.label, r.orders) for r in by_urgency] == [("急修", 2)]


def test_undecided_deadlines_are_not_counted_and_a_paused_clock_is_not_late(dispatcher, leader, worker, room):
    now = OCT_10 + timedelta(hours=1)
    waiting = _emergency(
        dispatcher, room, OCT_10 + timedelta(minutes=58)
    )  # respond_by in 3 minutes: undecided
    on_hold = _emergency(dispatcher, room, OCT_10)
    _drive(
        on_hold.pk,
        leader=leader,
        worker=worker,
        dispatcher=dispatcher,
        times={
            "dispatch": OCT_10,
            "assign": OCT_10,
            "accept": OCT_10,
            "arrive": OCT_10 + timedelta(minutes=10),
        },
    )
    hold_order(
        actor=leader.user, order_id=on_hold.pk, reason="waiting_parts", now=OCT_10 + timedelta(minutes=20)
    )
    forgotten = _emergency(dispatcher, room, OCT_10)  # nobody accepted: late once respond_by has passed
    row = sla_report(OCTOBER, "crew", now=now + timedelta(hours=4)).total
    assert waiting.pk and forgotten.pk
    # respond: on_hold accepted (ok), waiting and forgotten both past 5 min unaccepted → 3 decided, 1 ok
    assert (row.respond_due, row.respond_ok) == (3, 1)
    # complete: the held order's clock is paused (not decided); the two others passed complete_by (late)
    assert (row.complete_due, row.complete_ok) == (2, 0)


def test_overdue_list_says_who_holds_each_order(make_order, worker):
    order = make_order("accepted")
    wo_model = type(order)
    wo_model.objects.filter(pk=order.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    [row] = overdue_orders()
    assert row.number == order.number and row.current_holder == worker


# --- Volume and hotspots -----------------------------------------------------------------------------------------


def test_volume_by_local_hour_category_and_district(make_order):
    # 09:30 Beijing time is 01:30 UTC: the report must say 9.
    make_order(now=timezone.make_aware(timezone.datetime(2026, 10, 5, 9, 30)))
    make_order(
        now=timezone.make_aware(timezone.datetime(2026, 10, 6, 23, 10)), category="electrical.home_outage"
    )
    make_order("cancelled", now=OCT_10)  # cancelled orders are not volume
    report = volume_report(OCTOBER)
    assert report.total == 2
    assert report.by_hour[9] == 1 and report.by_hour[23] == 1 and sum(report.by_hour) == 2
    assert sorted(r["orders"] for r in report.by_category) == [1, 1]
    assert report.by_district == [{"key": report.by_district[0]["key"], "label": "5区", "orders": 2}]


def test_repeat_failure_hotspots(make_order, room, unit):
    other_room = f.RoomFactory(unit=unit, number="402", floor=4)
    for days in (5, 20, 60):  # three water orders in the same room within 90 days
        make_order(now=NOW - timedelta(days=days))
    make_order(now=NOW - timedelta(days=200))  # outside both windows
    make_order(room=other_room, now=NOW - timedelta(days=10))
    make_order(room=other_room, now=NOW - timedelta(days=120))  # in the 90 days before
    make_order(category="electrical.home_outage", now=NOW - timedelta(days=3))  # another system
    spots = hotspots(end=NOW, min_orders=3)
    assert [(r["label"], r["system"], r["orders"]) for r in spots.rooms] == [(room.label, "供水", 3)]
    assert [(r["label"], r["orders"]) for r in spots.buildings] == [("5区37栋", 4)]
    [growing] = spots.growing
    assert (growing["current"], growing["before"], growing["growth_pct"]) == (4, 1, 3.0)


def test_hotspot_buildings_are_ranked_by_count_and_growth_separately(make_order, building, room, district):
    def room_in(number):
        return f.RoomFactory(unit=f.UnitFactory(building=f.BuildingFactory(district=district, number=number)))

    steady, grew, small = room_in(1), room_in(2), room_in(3)
    for days in (1, 2, 3, 4, 5):  # 5区37栋: the most orders now, but more before (shrinking)
        make_order(now=NOW - timedelta(days=days))
    for days in range(6):
        make_order(now=NOW - timedelta(days=100 + days))
    for days in (1, 2, 3, 4):  # 5区1栋: 4 now, 4 before (steady)
        make_order(room=steady, now=NOW - timedelta(days=days))
        make_order(room=steady, now=NOW - timedelta(days=100 + days))
    for days in (1, 2, 3):  # 5区2栋 and 5区3栋: 3 now, none before (the same growth: by label)
        make_order(room=grew, now=NOW - timedelta(days=days))
        make_order(room=small, now=NOW - timedelta(days=days))
    spots = hotspots(end=NOW, min_orders=3, limit=2)
    assert [(r["label"], r["orders"]) for r in spots.buildings] == [("5区37栋", 5), ("5区1栋", 4)]
    assert [(r["label"], r["current"], r["before"]) for r in spots.growing] == [
        ("5区2栋", 3, 0),
        ("5区3栋", 3, 0),
    ]
    assert hotspots(end=NOW, min_orders=4, limit=2).growing == []  # 5区1栋 did not grow


# --- Fixed number of queries whatever the size -------------------------------------------------------------------


def _grow(make_order, n):
    for i in range(n):
        order = make_order("completed", now=OCT_10 + timedelta(hours=i))
        add_follow_ups(
            order,
            OCT_10,
            satisfied=3,
            dissatisfied=1,
            ratings={"care": 5, "workmanship": 5, "safety": 5, "quality": 5, "comfort": 5},
        )
        add_follow_ups(order, SEP_10, basically=2)


@pytest.mark.parametrize("size", [1, 6])
def test_each_report_runs_in_a_fixed_number_of_queries(
    make_order, django_assert_num_queries, size, other_crew
):
    _grow(make_order, size)
    f.WorkerFactory(crew=other_crew)
    for group in ("crew", "worker", "district", "category"):
        with django_assert_num_queries(1):  # counts of both periods per group and the 五心 averages, one pass
            report = satisfaction_report(OCTOBER, group, now=NOW)
        assert report.total.reached == 3 * size + size
    with django_assert_num_queries(1):  # grouped conditional counts
        assert sla_report(OCTOBER, "category", now=NOW).total.orders == size
    with django_assert_num_queries(3):  # by category, by district, by hour
        volume_report(OCTOBER)
    with django_assert_num_queries(2):  # rooms; buildings by count and by growth (one query, two rankings)
        hotspots(end=NOW)
    with django_assert_num_queries(1):
        assert len(satisfaction_trend(12, end_month=date(2026, 10, 1), now=NOW)) == 12
    with django_assert_num_queries(1):
        open_complaints_by_deadline()
    with django_assert_num_queries(1):
        overdue_orders()
