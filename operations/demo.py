"""Demo data of the operations app: past, current and upcoming outages so a newcomer sees the calendar, the
public page and the caller screen at work. Called from `seed_demo`; a second run adds nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from residents.models import Building, District, Facility
from workorders.models import Incident

from .choices import NoticeEvent
from .models import OutageNoticeRun
from .selectors import Scope, count_affected_homes, phones_in_scope
from .services import notice_text

# (system, title, district index, buildings taken, hours from now to start, duration h, lead minutes, ended)
OUTAGES = (
    ("water", "更换主管阀门", 0, 2, -24 * 20, 6, 1440, True),
    ("power", "变电所检修", 1, 0, -24 * 9, 4, 1440, True),
    ("drainage", "污水主管疏通", 2, 3, -24 * 3, 5, 720, True),
    ("water", "DN200 主管爆管抢修", 3, 2, -2, 6, 0, False),
    ("water", "加压泵房水泵更换", 0, 4, 60, 8, 1440, False),
    ("power", "线路改造停电", 4, 2, 30, 4, 1440, False),
    ("water", "水箱清洗消毒", 1, 0, 24 * 6, 5, 4320, False),
)


def seed_demo_outages(*, rng, now: datetime) -> dict[str, int]:
    """Seven outages across the three systems: three ended (with their notices told), one sudden burst in
    progress, three upcoming. Notices of the past ones are recorded as runs; nothing is sent."""
    if Incident.objects.filter(kind="planned").exists():
        return {}
    districts = list(District.objects.order_by("number")[:5])
    if not districts:
        return {}
    User = get_user_model()
    leaders = {
        "water": User.objects.filter(username="leader_water").first(),
        "power": User.objects.filter(username="leader_electrical").first(),
        "drainage": User.objects.filter(username="leader_drainage").first(),
    }
    created = runs = 0
    with transaction.atomic():
        for system, title, d_index, n_buildings, hours, duration, lead, ended in OUTAGES:
            district = districts[d_index % len(districts)]
            buildings = list(Building.objects.filter(district=district).order_by("number")[:n_buildings])
            facilities = (
                list(Facility.objects.filter(district=district, kind="substation")[:1])
                if system == "power" and not buildings
                else []
            )
            starts = now + timedelta(hours=hours)
            scope = Scope(
                district_id=district.pk,
                building_ids=tuple(b.pk for b in buildings),
                facility_ids=tuple(f.pk for f in facilities),
            )
            incident = Incident.objects.create(
                title=title,
                system=system,
                kind="sudden" if lead == 0 else "planned",
                district=district,
                description="演示数据",
                starts_at=starts,
                expected_end_at=starts + timedelta(hours=duration),
                ended_at=starts + timedelta(hours=duration + rng.choice((-1, 0, 1))) if ended else None,
                notice_lead_minutes=lead,
                affected_homes=count_affected_homes(scope),
                created_by=leaders[system],
            )
            incident.buildings.set(buildings)
            incident.facilities.set(facilities)
            created += 1
            if ended:
                phones = phones_in_scope(scope).count()
                for event, at in (
                    (NoticeEvent.ADVANCE, starts - timedelta(minutes=lead)),
                    (NoticeEvent.RESTORED, incident.ended_at),
                ):
                    OutageNoticeRun.objects.create(
                        incident=incident,
                        event=event,
                        body=notice_text(incident, event),
                        phones=phones,
                        created_at=at,
                    )
                    runs += 1
    return {"outages": created, "notice runs": runs}


# (crew kind, template name, facility kind or "" for buildings, frequency, weekdays, due time, items)
TEMPLATES = (
    (
        "water",
        "加压泵房日检",
        "pump_house",
        "daily",
        [],
        time(9, 0),
        [
            ("出水压力", "reading", "MPa", Decimal("0.20"), Decimal("0.40")),
            ("泵体无渗漏", "pass_fail", "", None, None),
            ("水箱水位", "reading", "m", Decimal("1.5"), Decimal("3.0")),
        ],
    ),
    (
        "electrical",
        "变电所周检",
        "substation",
        "weekly",
        [0],
        time(10, 0),
        [
            ("变压器温度", "reading", "℃", Decimal("20"), Decimal("75")),
            ("配电柜无异响异味", "pass_fail", "", None, None),
        ],
    ),
    (
        "drainage",
        "污水井巡查",
        "",
        "weekdays",
        [1, 4],
        time(14, 0),
        [
            ("井盖完好", "pass_fail", "", None, None),
            ("井内水位（距井口）", "reading", "m", Decimal("0.5"), Decimal("3.0")),
        ],
    ),
)
DAYS_BACK = 90


def seed_demo_rounds(*, rng, now: datetime) -> dict[str, int]:
    """A round template per trade crew over the first districts' facilities (or buildings), 90 days of rounds
    (mostly done on time, some late, a few missed with nobody on duty), findings as hazards in every state,
    and today's rounds due. In bulk; a second run adds nothing."""
    from crews.models import Crew, Worker

    from .models import RoundTemplate

    if RoundTemplate.objects.exists():
        return {}
    districts = list(District.objects.order_by("number")[:3])
    if not districts:
        return {}
    counts = {"round templates": 0, "rounds": 0, "hazards": 0}
    with transaction.atomic():
        for kind, name, facility_kind, frequency, weekdays, due, items in TEMPLATES:
            crew = Crew.objects.filter(kind=kind, active=True).order_by("id").first()
            if crew is None:
                continue
            workers = list(Worker.objects.filter(crew=crew, active=True).order_by("id")[:6])
            template, places = _demo_template(
                crew, name, facility_kind, frequency, weekdays, due, items, districts
            )
            counts["round templates"] += 1
            rounds = _demo_rounds(template, crew, workers, due, rng=rng, now=now)
            counts["rounds"] += len(rounds)
            checks = _demo_checks(rounds, places, items, rng=rng)
            counts["hazards"] += _demo_hazards(checks, crew, SYSTEM_OF_KIND[kind], rng=rng, now=now)
    return counts


def _demo_template(crew, name, facility_kind, frequency, weekdays, due, items, districts):
    """One round template with its places (facilities of a kind, or the first buildings) and its items."""
    from .models import RoundTemplate, RoundTemplateItem

    template = RoundTemplate.objects.create(
        crew=crew, name=name, frequency=frequency, weekdays=weekdays, due_time=due
    )
    if facility_kind:
        places = [
            ("facility", f) for f in Facility.objects.filter(district__in=districts, kind=facility_kind)
        ]
        template.facilities.set([p for _, p in places])
    else:
        buildings = list(Building.objects.filter(district__in=districts).order_by("id")[:4])
        places = [("building", b) for b in buildings]
        template.buildings.set(buildings)
    RoundTemplateItem.objects.bulk_create(
        [
            RoundTemplateItem(template=template, position=i, label=lbl, kind=k, unit=u, low=lo, high=hi)
            for i, (lbl, k, u, lo, hi) in enumerate(items)
        ]
    )
    return template, places


def _demo_rounds(template, crew, workers, due, *, rng, now: datetime) -> list:
    """DAYS_BACK days of the template's rounds: done (a tenth late), or missed when nobody was on duty."""
    from .choices import RoundStatus
    from .models import Round

    rounds, day = [], timezone.localdate(now) - timedelta(days=DAYS_BACK)
    while day < timezone.localdate(now):
        if template.is_due_on(day):
            due_at = timezone.make_aware(datetime.combine(day, due))
            roll = rng.random()
            worker = rng.choice(workers) if workers and roll > 0.04 else None
            if worker is None:
                status, started, finished = RoundStatus.MISSED, None, None
            else:
                status = RoundStatus.DONE
                started = due_at - timedelta(minutes=rng.randint(20, 90))
                late = roll > 0.9
                finished = (
                    due_at + timedelta(minutes=rng.randint(5, 120))
                    if late
                    else started + timedelta(minutes=rng.randint(10, 40))
                )
            rounds.append(
                Round(
                    template=template,
                    crew=crew,
                    worker=worker,
                    due_at=due_at,
                    status=status,
                    started_at=started,
                    finished_at=finished,
                    created_at=due_at - timedelta(hours=9),
                    missed_reason="无人值班，班组长未指派。" if worker is None else "",
                )
            )
        day += timedelta(days=1)
    Round.objects.bulk_create(rounds)
    return rounds


def _demo_reading(lo: Decimal, hi: Decimal, *, rng) -> Decimal:
    """A reading inside its normal range, or (2%) 30% of the range above it."""
    span = hi - lo
    value = (lo + span * Decimal(str(round(rng.uniform(0.1, 0.9), 2)))).quantize(Decimal("0.01"))
    if rng.random() < 0.02:
        value = (hi + span * Decimal("0.3")).quantize(Decimal("0.01"))
    return value


def _demo_checks(rounds, places, items, *, rng) -> list:
    """Every item at every place of each done round; 1% of pass/fail items fail, 2% of readings are high."""
    from .choices import RoundStatus
    from .models import RoundItem

    checks = []
    for round_ in rounds:
        if round_.status != RoundStatus.DONE:
            continue
        for p, (field, place) in enumerate(places):
            for i, (lbl, k, u, lo, hi) in enumerate(items):
                value, passed = None, rng.random() > 0.01
                if k == "reading":
                    value = _demo_reading(lo, hi, rng=rng)
                    passed = lo <= value <= hi
                checks.append(
                    RoundItem(
                        round=round_,
                        position=p * 100 + i,
                        label=lbl,
                        kind=k,
                        unit=u,
                        low=lo,
                        high=hi,
                        passed=passed,
                        value=value,
                        recorded_at=round_.finished_at,
                        **{field: place},
                    )
                )
    RoundItem.objects.bulk_create(checks, batch_size=2000)
    return checks


def _demo_hazards(checks, crew, system: str, *, rng, now: datetime) -> int:
    """A hazard for every failed check, in a state by its age (older ones mostly verified), with its event."""
    from .models import Hazard, HazardEvent

    hazards = [_demo_hazard(check, crew, system, rng=rng, now=now) for check in checks if not check.passed]
    Hazard.objects.bulk_create(hazards)
    HazardEvent.objects.bulk_create(
        [
            HazardEvent(
                hazard=h,
                at=h.found_at,
                actor=h.found_by,
                move="report",
                to_status="found",
                note=h.description[:300],
            )
            for h in hazards
        ]
    )
    return len(hazards)


def _demo_hazard(check, crew, system: str, *, rng, now: datetime):
    from .actions.hazards import HAZARD_DUE_DAYS
    from .choices import HazardStatus
    from .models import Hazard

    found = check.recorded_at
    severity = rng.choice(["major", "major", "minor", "critical"])
    age = (now - found).days
    status = (
        HazardStatus.VERIFIED
        if age > 30 and rng.random() < 0.8
        else HazardStatus.RECTIFIED
        if age > 10 and rng.random() < 0.5
        else HazardStatus.RECTIFYING
        if rng.random() < 0.5
        else HazardStatus.FOUND
    )
    fixer = check.round.worker
    rectified = (
        found + timedelta(days=rng.randint(1, 9))
        if status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED)
        else None
    )
    place = check.facility or check.building
    reading = f"读数 {check.value}{check.unit}，超出正常范围" if check.value is not None else "不合格"
    return Hazard(
        district_id=place.district_id,
        facility=check.facility,
        building=check.building,
        system=system,
        crew=crew,
        severity=severity,
        description=f"{place}：{check.label}{reading}",
        status=status,
        round_item=check,
        found_by=fixer.user if fixer else None,
        found_at=found,
        due_at=found + timedelta(days=HAZARD_DUE_DAYS[severity]),
        rectifying_at=found + timedelta(hours=rng.randint(2, 48)) if status != HazardStatus.FOUND else None,
        rectified_at=rectified,
        rectified_by=fixer.user if rectified and fixer else None,
        verified_at=rectified + timedelta(days=1) if status == HazardStatus.VERIFIED else None,
    )


SYSTEM_OF_KIND = {"water": "water", "electrical": "power", "drainage": "drainage"}
