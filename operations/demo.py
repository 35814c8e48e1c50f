"""Demo data of the operations app: past, current and upcoming outages so a newcomer sees the calendar, the
public page and the caller screen at work. Called from `seed_demo`; a second run adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

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
