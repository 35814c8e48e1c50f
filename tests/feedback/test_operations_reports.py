"""Reports of the three systems in operation (issue 16): rounds done on time per crew and month, hazards found,
fixed and overdue with the time to rectify, outages by system with homes and hours, the aging-infrastructure
view and the hotspots' facilities. Every figure against data built by hand through the services, each page's
denied case, its query count flat as rows grow, and every count opening the rows it counts."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from feedback.reports.hazards import hazard_report
from feedback.reports.hotspots import aging_places, hotspots
from feedback.reports.outages import outage_report
from feedback.reports.periods import Period, period_containing
from feedback.reports.rounds import rounds_report
from operations import services as outages
from operations.actions import hazards as h
from operations.actions import rounds as r
from operations.models import Round
from tests import factories as f

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # the suite clock: a Monday
Q4 = Period("quarter", NOW.date().replace(month=10, day=1), NOW.date().replace(year=2027, month=1, day=1))
OCT = period_containing("month", NOW.date().replace(month=10, day=1))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def place(district, building, room, resident):
    """Building 37 with two homes (302 and 303), a pump house of the district."""
    r303 = f.RoomFactory(unit=room.unit, number="303", floor=3)
    f.ResidencyFactory(resident=f.ResidentFactory(name="张三", phone="13900000001"), room=r303)
    pump = f.FacilityFactory(district=district, name="5区泵房", kind="pump_house", label="5区泵房")
    return {"b37": building, "r302": room, "r303": r303, "pump": pump}


# --- Rounds -------------------------------------------------------------------------------------------------


def _template(manager, crew, place, name="泵房日检"):
    return r.create_round_template(
        actor=manager,
        crew=crew,
        name=name,
        items=[{"label": "泵体无渗漏", "kind": "pass_fail"}],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[place["pump"]],
    )


def _round_on(day: datetime, template) -> Round:
    r.generate_due_rounds(now=day.replace(hour=6))
    return Round.objects.get(template=template, due_at__date=day.date())


def _walk(round_, who, started: datetime, finished: datetime | None) -> None:
    r.start_round(actor=who.user, round_id=round_.pk, now=started)
    if finished is not None:
        for item in round_.items.all():
            r.record_check(actor=who.user, round_id=round_.pk, item_id=item.pk, passed=True, now=finished)
        r.finish_round(actor=who.user, round_id=round_.pk, now=finished)


@pytest.fixture
def rounds(place, crew, other_crew, worker, manager):
    """Water crew, October: on time (5th), late (6th), missed (7th), overdue in progress (8th); November: on
    time (2nd) and one due later today (30th, 11:00). Electrical crew: one on time in October."""
    water = _template(manager, crew, place)
    _walk(_round_on(at(10, 5), water), worker, at(10, 5, 9), at(10, 5, 10, 30))
    _walk(_round_on(at(10, 6), water), worker, at(10, 6, 9), at(10, 6, 12))
    _round_on(at(10, 7), water)
    r.mark_missed_rounds(now=at(10, 8, 0))
    _walk(_round_on(at(10, 8), water), worker, at(10, 8, 10), None)
    _walk(_round_on(at(11, 2), water), worker, at(11, 2, 9), at(11, 2, 10))
    _round_on(at(11, 30), water)
    power = _template(manager, other_crew, place, name="配电室日检")
    electrician = f.WorkerFactory(crew=other_crew)
    _walk(_round_on(at(10, 5), power), electrician, at(10, 5, 9), at(10, 5, 9, 30))
    return {"water": water, "power": power, "electrician": electrician}


def test_rounds_on_time_per_crew_and_month(rounds, crew, other_crew):
    report = rounds_report(Q4, now=NOW)
    by = {(row.crew, f"{row.month:%Y-%m}"): row for row in report.rows}
    assert set(by) == {("供水班", "2026-10"), ("供水班", "2026-11"), ("电工班", "2026-10")}
    october = by[("供水班", "2026-10")]
    assert october.counts == {"total": 4, "on_time": 1, "late": 1, "missed": 1, "overdue": 1, "decided": 4}
    assert october.rate == 0.25
    november = by[("供水班", "2026-11")]
    assert november.counts["total"] == 2 and november.counts["decided"] == 1 and november.pending == 1
    assert november.rate == 1.0  # the round due later today is not counted yet
    assert by[("电工班", "2026-10")].rate == 1.0
    assert report.total.counts["total"] == 7 and report.total.counts["on_time"] == 3
    assert report.total.rate == 3 / 6


def test_a_missed_round_walked_late_counts_as_late_not_missed(rounds, worker):
    missed = Round.objects.get(template=rounds["water"], due_at__date=at(10, 7).date())
    _walk(missed, worker, at(10, 8, 9), at(10, 8, 9, 30))
    [october] = [row for row in rounds_report(OCT, now=NOW).rows if row.crew == "供水班"]
    assert october.counts["missed"] == 0 and october.counts["late"] == 2


# --- Hazards ------------------------------------------------------------------------------------------------


@pytest.fixture
def hazards(place, crew, other_crew, worker, leader, manager):
    """Water (the water crew): major in room 302 found Oct 1, rectified Oct 3 (on time), verified; critical at
    the pump Oct 3, still found (overdue); minor in building 37 found Nov 20 (due Dec 20, open). Power (the
    electrical crew): minor at the pump found Oct 2, rectified Nov 10 (late: due Nov 1). One found in
    September, outside the quarter."""
    electrician = f.WorkerFactory(crew=other_crew)

    def report(who, severity, system, found, **where):
        return h.report_hazard(
            actor=who.user, severity=severity, system=system, description="隐患", now=found, **where
        )

    fixed = report(worker, "major", "water", at(10, 1), room=place["r302"])
    h.start_rectifying(actor=worker.user, hazard_id=fixed.pk, now=at(10, 2))
    h.mark_rectified(actor=worker.user, hazard_id=fixed.pk, now=at(10, 3))
    h.verify_hazard(actor=leader.user, hazard_id=fixed.pk, now=at(10, 4))
    late = report(electrician, "minor", "power", at(10, 2), facility=place["pump"])
    h.start_rectifying(actor=electrician.user, hazard_id=late.pk, now=at(10, 5))
    h.mark_rectified(actor=electrician.user, hazard_id=late.pk, now=at(11, 10))
    overdue = report(worker, "critical", "water", at(10, 3), facility=place["pump"])
    pending = report(worker, "minor", "water", at(11, 20), building=place["b37"])
    report(worker, "major", "water", at(9, 30), room=place["r303"])
    return {"fixed": fixed, "late": late, "overdue": overdue, "pending": pending, "electrician": electrician}


def test_hazards_per_system(hazards):
    report = hazard_report(Q4, "system", now=NOW)
    by = {row.key: row for row in report.rows}
    water, power = by["water"], by["power"]
    assert (water.label, power.label) == ("供水", "供电")
    assert water.counts == {
        "found": 3, "fixed": 1, "verified": 1, "on_time": 1, "late": 0, "overdue": 1, "decided": 2,
    }  # fmt: skip
    assert water.rate == 0.5 and water.mean_days == 2.0
    assert power.counts["fixed"] == 1 and power.counts["late"] == 1 and power.rate == 0.0
    assert power.mean_days == 39.0
    assert report.total.counts["found"] == 4 and report.total.counts["fixed"] == 2
    assert report.total.mean_days == pytest.approx((2 + 39) / 2)


def test_hazards_per_crew_and_district(hazards, crew, other_crew, district):
    by_crew = {row.key: row for row in hazard_report(Q4, "crew", now=NOW).rows}
    assert by_crew[crew.pk].counts["found"] == 3 and by_crew[other_crew.pk].counts["found"] == 1
    assert by_crew[crew.pk].mean_days == 2.0
    [row] = hazard_report(Q4, "district", now=NOW).rows
    assert row.key == district.pk and row.counts["found"] == 4 and row.counts["overdue"] == 1


def test_a_hazard_counts_once_decided(hazards):
    """Before its due date an open hazard is neither on time nor late; the day after, it is overdue."""
    week_later = hazard_report(OCT, "system", now=at(10, 3, 12))
    assert {row.key: row.counts["overdue"] for row in week_later.rows} == {"water": 0, "power": 0}
    next_day = hazard_report(OCT, "system", now=at(10, 4, 12))
    assert {row.key: row.counts["overdue"] for row in next_day.rows} == {"water": 1, "power": 0}


# --- Outages ------------------------------------------------------------------------------------------------


@pytest.fixture
def outage_data(place, district, manager):
    """Water, planned over building 37 (2 homes): Oct 10 08:00–12:00, and Sep 30 20:00 – Oct 1 01:00 (one hour
    in October). Power, sudden over the district (2 homes): Oct 31 22:00 – Nov 1 02:00 (two hours in
    October). Drainage, planned in November only."""

    def outage(system, kind, start, end, **scope):
        incident = outages.plan_outage(
            actor=manager,
            title=f"{system} {start:%m-%d}",
            system=system,
            kind=kind,
            district=district,
            starts_at=start,
            expected_end_at=end,
            now=start - timedelta(days=1),
            **scope,
        )
        outages.end_outage(actor=manager, incident_id=incident.pk, now=end)
        return incident

    outage("water", "planned", at(10, 10, 8), at(10, 10, 12), buildings=[place["b37"]])
    outage("water", "planned", at(9, 30, 20), at(10, 1, 1), buildings=[place["b37"]])
    outage("power", "sudden", at(10, 31, 22), at(11, 1, 2))
    outage("drainage", "planned", at(11, 3, 8), at(11, 3, 9), buildings=[place["b37"]])


def test_outages_by_system_with_homes_and_hours(outage_data):
    report = outage_report(OCT, now=NOW)
    by = {row.key: row for row in report.rows}
    water = by["water"].by_kind["planned"]
    assert (water.outages, water.homes, water.hours, water.home_hours) == (2, 4, 5.0, 10.0)
    assert by["water"].by_kind["sudden"].outages == 0
    power = by["power"].by_kind["sudden"]
    assert (power.outages, power.homes, power.hours, power.home_hours) == (1, 2, 2.0, 4.0)
    assert by["drainage"].total.outages == 0
    assert (report.total.total.outages, report.total.total.hours, report.total.total.home_hours) == (3, 7, 14)


def test_an_outage_still_on_counts_until_now(place, district, manager):
    outages.plan_outage(
        actor=manager,
        title="抢修",
        system="water",
        kind="sudden",
        district=district,
        starts_at=NOW - timedelta(hours=3),
        expected_end_at=NOW + timedelta(hours=3),
        now=NOW - timedelta(hours=3),
    )
    row = outage_report(period_containing("month", NOW.date()), now=NOW).total.by_kind["sudden"]
    assert row.outages == 1 and row.hours == 3.0


# --- Hotspots and the aging-infrastructure view ---------------------------------------------------------------


def test_hotspots_include_facility_orders(make_order, place):
    for day in (1, 2, 3):
        make_order(now=at(11, day), room=None, facility=place["pump"])
    for day in (4, 5, 6):
        make_order(now=at(11, day))
    spots = hotspots(end=NOW, min_orders=3)
    assert [(p["label"], p["orders"], p["param"]) for p in spots.facilities] == [("5区泵房", 3, "facility")]
    assert [(p["label"], p["orders"]) for p in spots.buildings] == [("5区37栋", 3)]
    assert {p["param"] for p in spots.growing} == {"building", "facility"}  # both new in the window


def test_aging_places_join_repairs_and_hazards(make_order, hazards, place):
    make_order(now=at(10, 20), room=None, facility=place["pump"])
    make_order(now=at(10, 21))
    make_order(now=at(10, 22), room=place["r303"])
    cancelled = make_order("cancelled", now=at(10, 23))
    assert cancelled.status == "cancelled"
    places = aging_places(Q4, now=NOW)
    [b37] = places.buildings
    assert (b37["label"], b37["orders"], b37["hazards"], b37["overdue"], b37["total"]) == (
        "5区37栋",
        2,
        2,
        0,
        4,
    )
    [pump] = places.facilities
    assert (pump["orders"], pump["hazards"], pump["overdue"], pump["total"]) == (1, 2, 1, 3)


# --- Pages: who may open them, query counts, counts that open lists -------------------------------------------

PAGES = ["report-rounds", "report-hazards", "report-outages", "report-infrastructure"]


@pytest.mark.parametrize("name", PAGES)
def test_only_managers_open_the_operations_reports(
    name, manager_client, leader_client, worker_client, dispatcher_client, client
):
    url = reverse(f"feedback:{name}")
    assert manager_client.get(url).status_code == 200
    for denied in (leader_client, worker_client, dispatcher_client):
        assert denied.get(url).status_code == 403
    assert client.get(url).status_code == 302  # to the login


@pytest.mark.parametrize("name", PAGES)
def test_the_reports_are_in_the_navigation_and_export_to_excel(name, manager_client):
    page = manager_client.get(reverse("feedback:report-sla")).content.decode()
    assert reverse(f"feedback:{name}") in page
    response = manager_client.get(reverse(f"feedback:{name}") + "?period=quarter&from=2026-10-01&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_bad_grouping_is_a_clear_400(manager_client):
    response = manager_client.get(reverse("feedback:report-hazards") + "?group_by=colour")
    assert response.status_code == 400
    assert "system, crew, district" in response.content.decode()


def _grow(size: int, place, crew, worker, manager, make_order) -> None:
    """`size` more of everything: rounds, hazards, outages, orders at the pump and in building 37."""
    template = _template(manager, crew, place, name=f"巡检{size}")
    for i in range(size):
        _walk(_round_on(at(10, 10 + i), template), worker, at(10, 10 + i, 9), at(10, 10 + i, 10))
        h.report_hazard(
            actor=worker.user, severity="minor", system="water", description="x", now=at(10, 10 + i),
            facility=place["pump"],
        )  # fmt: skip
        make_order(now=at(10, 10 + i), room=None, facility=place["pump"])
        make_order(now=at(10, 10 + i))
        outages.plan_outage(
            actor=manager, title="x", system="water", district=place["b37"].district,
            starts_at=at(10, 10 + i), expected_end_at=at(10, 10 + i, 12), now=at(10, 9 + i),
        )  # fmt: skip


@pytest.mark.parametrize("size", [1, 4])
def test_report_pages_run_in_a_fixed_number_of_queries(
    size, manager_client, place, crew, worker, manager, make_order, django_assert_num_queries
):
    _grow(size, place, crew, worker, manager, make_order)
    q4 = "?period=quarter&from=2026-10-01"
    # session, user with roles; then the report's one grouped query
    for name in ("report-rounds", "report-outages"):
        with django_assert_num_queries(3):
            assert manager_client.get(reverse(f"feedback:{name}") + q4).status_code == 200
    for group_by in ("system", "crew", "district"):
        with django_assert_num_queries(3):
            manager_client.get(reverse("feedback:report-hazards") + q4 + f"&group_by={group_by}")
    # session, user with roles; orders per place, hazards per place
    with django_assert_num_queries(4):
        response = manager_client.get(reverse("feedback:report-infrastructure") + q4)
    assert response.context["places"].facilities[0]["total"] == 2 * size


def test_each_hazard_count_opens_exactly_those_hazards(manager_client, hazards):
    response = manager_client.get(reverse("feedback:report-hazards") + "?period=quarter&from=2026-10-01")
    rows = {row.key: row for row in response.context["report"].rows}
    for row in [rows["water"], rows["power"], response.context["report"].total]:
        for name, link in row.links.items():
            assert link in response.content.decode().replace("&amp;", "&") or not row.counts[name]
            listed = manager_client.get(link)
            assert listed.status_code == 200
            assert listed.context["page"].paginator.count == row.counts[name], (row.label, name)


def test_each_aging_count_opens_exactly_those_hazards(manager_client, make_order, hazards, place):
    make_order(now=at(10, 20), room=None, facility=place["pump"])
    response = manager_client.get(
        reverse("feedback:report-infrastructure") + "?period=quarter&from=2026-10-01"
    )
    places = response.context["places"]
    base = reverse("operations:hazard_list")
    for row in [*places.buildings, *places.facilities]:
        period = {"found_after": Q4.start_at.isoformat(), "found_before": Q4.end_at.isoformat()}
        query = "?" + urlencode({row["param"]: row["key"], **period})
        assert manager_client.get(base + query).context["page"].paginator.count == row["hazards"]
        overdue = manager_client.get(base + query + "&overdue=true")
        assert overdue.context["page"].paginator.count == row["overdue"]


# --- The monthly assessment's KPIs for rounds and hazards ---------------------------------------------------


def test_assessment_kpis_per_crew(rounds, hazards, crew, other_crew):
    from feedback.reports.assessment import month_assessment

    lines = {line.key: line for line in month_assessment(OCT.start, "crew", now=NOW)}
    water, power = lines[crew.pk], lines[other_crew.pk]
    # rounds due in October: on time 1 of 4 decided; hazards found in October: 1 on time of 2 decided
    assert water.values["rounds_on_time"] == 0.25 and water.values["hazards_on_time"] == 0.5
    assert power.values["rounds_on_time"] == 1.0 and power.values["hazards_on_time"] == 0.0
    weighted = {
        line.key: line for line in month_assessment(OCT.start, "crew", now=NOW, weights=_only("rounds"))
    }
    assert weighted[crew.pk].score == Decimal("25.00")
    weighted = {
        line.key: line for line in month_assessment(OCT.start, "crew", now=NOW, weights=_only("hazards"))
    }
    assert weighted[crew.pk].score == Decimal("50.00") and weighted[other_crew.pk].score == Decimal("0.00")


def _only(kind: str) -> dict[str, Decimal]:
    return {f"{kind}_on_time": Decimal("1")}


def test_assessment_kpis_per_worker(rounds, hazards, worker):
    from feedback.reports.assessment import month_assessment

    lines = {line.key: line for line in month_assessment(OCT.start, "worker", now=NOW)}
    mine = lines[worker.pk]
    # the rounds they walked (the missed one was never theirs): on time 1, late 1, overdue 1
    assert (mine.counts["rounds_on_time"], mine.counts["rounds_decided"]) == (1, 3)
    # the hazards they rectified: one, by its due date (the open one has no fixer yet)
    assert (mine.counts["hazards_on_time"], mine.counts["hazards_decided"]) == (1, 1)
    electrician = lines[hazards["electrician"].pk]
    assert electrician.values["hazards_on_time"] == 0.0


def test_the_new_kpis_have_default_weights_on_the_form(manager_client):
    from feedback.models import AssessmentWeight

    weights = dict(AssessmentWeight.objects.values_list("kpi", "weight"))
    assert weights["rounds_on_time"] == Decimal("5") and weights["hazards_on_time"] == Decimal("5")
    page = manager_client.get(reverse("feedback:assessment-weights")).content.decode()
    assert 'name="rounds_on_time"' in page and 'name="hazards_on_time"' in page
    assert "巡检按时率" in page and "隐患按时整改率" in page
    assessment = manager_client.get(reverse("feedback:assessment")).content.decode()
    assert "巡检按时率" in assessment


def test_each_repair_count_opens_exactly_those_orders(manager_client, make_order, place, hazards):
    """Hotspot and aging rows of a building and of a facility open the order list filtered to that place."""
    for day in (1, 2, 3):
        make_order(now=at(11, day), room=None, facility=place["pump"])
        make_order(now=at(11, day))
    make_order(now=at(10, 20), room=None, facility=place["pump"])  # in both windows too
    volume = manager_client.get(reverse("feedback:report-volume") + "?min=3")
    spots = volume.context["spots"]
    page = volume.content.decode().replace("&amp;", "&")
    orders = reverse("feedback:report-orders")
    for row in [*spots.buildings, *spots.facilities]:
        [link] = re.findall(rf'href="({orders}\?{row["param"]}={row["key"]}&[^"]*)"', page)[:1]
        assert manager_client.get(link).context["page"].paginator.count == row["orders"], row["label"]
    aging = manager_client.get(reverse("feedback:report-infrastructure") + "?period=quarter&from=2026-10-01")
    page = aging.content.decode().replace("&amp;", "&")
    places = aging.context["places"]
    assert [p["orders"] for p in places.facilities] == [4] and [p["orders"] for p in places.buildings] == [3]
    for row in [*places.buildings, *places.facilities]:
        [link] = re.findall(rf'href="({orders}\?{row["param"]}={row["key"]}&[^"]*)"', page)
        assert manager_client.get(link).context["page"].paginator.count == row["orders"], row["label"]
