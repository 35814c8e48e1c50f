"""Reads about outages: the rooms, homes and phones in an outage's scope, the outages covering some rooms, the
calendar and the notice progress. An outage's scope is its district, narrowed to some buildings and units;
one that lists only facilities covers no homes; one that lists nothing covers the whole district."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from residents.models import Residency, Resident, Room
from residents.selectors import homes_in_area, rooms_in_area
from workorders.models import Incident

from .choices import (
    HAZARD_OPEN,
    UPCOMING_HOURS,
    HazardStatus,
    NoticeEvent,
    NoticeStatus,
    OutageState,
    RoundStatus,
)
from .models import OutageNotice


@dataclass(frozen=True)
class Scope:
    """An area: a district narrowed to buildings and units, or public facilities of it (ids only)."""

    district_id: int
    building_ids: tuple[int, ...] = ()
    unit_ids: tuple[int, ...] = ()
    facility_ids: tuple[int, ...] = ()

    @classmethod
    def of(cls, incident: Incident) -> Scope:
        """The incident's scope (three queries unless the M2Ms are prefetched)."""
        return cls(
            district_id=incident.district_id,
            building_ids=tuple(b.pk for b in incident.buildings.all()),
            unit_ids=tuple(u.pk for u in incident.units.all()),
            facility_ids=tuple(f.pk for f in incident.facilities.all()),
        )

    @property
    def whole_district(self) -> bool:
        return not (self.building_ids or self.unit_ids or self.facility_ids)


def rooms_in_scope(scope: Scope) -> QuerySet[Room]:
    return rooms_in_area(scope.district_id, scope.building_ids, scope.unit_ids, scope.facility_ids)


def homes_in_scope(scope: Scope) -> QuerySet[Room]:
    """Rooms in scope that someone lives in (a current residency): the homes an outage affects."""
    return homes_in_area(scope.district_id, scope.building_ids, scope.unit_ids, scope.facility_ids)


def count_affected_homes(scope: Scope) -> int:
    """One COUNT over the rooms index."""
    return homes_in_scope(scope).count()


def phones_in_scope(scope: Scope) -> QuerySet:
    """The distinct phones (main and other) of everyone living in scope: one UNION query, deduplicated by the
    database, so a phone shared by several homes appears once and a resident with two phones twice."""
    living = Resident.objects.filter(
        Exists(Residency.objects.filter(resident_id=OuterRef("pk"), room__in=rooms_in_scope(scope)))
    )
    main = living.exclude(phone="").order_by().values_list("phone", flat=True)
    other = living.exclude(alt_phone="").order_by().values_list("alt_phone", flat=True)
    return main.union(other)


def state_of(incident: Incident, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if incident.ended_at is not None:
        return OutageState.ENDED
    return OutageState.ACTIVE if incident.starts_at <= now else OutageState.UPCOMING


def filter_by_state(qs: QuerySet[Incident], state: str, now: datetime) -> QuerySet[Incident]:
    if state == OutageState.ENDED:
        return qs.filter(ended_at__isnull=False)
    if state == OutageState.ACTIVE:
        return qs.filter(ended_at__isnull=True, starts_at__lte=now)
    if state == OutageState.UPCOMING:
        return qs.filter(ended_at__isnull=True, starts_at__gt=now)
    return qs


def _listed(through) -> Exists:
    return Exists(through.objects.filter(incident_id=OuterRef("pk")))


def outages_covering_places(
    *,
    building_ids: Iterable[int],
    unit_ids: Iterable[int],
    district_ids: Iterable[int],
    now: datetime,
    hours_ahead: float = UPCOMING_HOURS,
    system: str | None = None,
) -> QuerySet[Incident]:
    """Outages not ended that have started or start within `hours_ahead` and whose scope holds one of these
    buildings or units (listed, or the whole district listed by nothing). A scope of facilities only holds no
    home. One query, the district joined, soonest first."""
    district_ids = set(district_ids)
    if not district_ids:
        return Incident.objects.none()
    through_b, through_u = Incident.buildings.through, Incident.units.through
    whole_district = ~_listed(through_b) & ~_listed(through_u) & ~_listed(Incident.facilities.through)
    qs = Incident.objects.filter(
        ended_at__isnull=True,
        starts_at__lte=now + timedelta(hours=hours_ahead),
        district_id__in=district_ids,
    )
    if system:
        qs = qs.filter(system=system)
    qs = qs.filter(
        Exists(through_b.objects.filter(incident_id=OuterRef("pk"), building_id__in=set(building_ids)))
        | Exists(through_u.objects.filter(incident_id=OuterRef("pk"), unit_id__in=set(unit_ids)))
        | whole_district
    )
    return qs.select_related("district").order_by("starts_at", "id")


def outages_covering(
    *, rooms: Iterable[Room], now: datetime, hours_ahead: float = UPCOMING_HOURS, system: str | None = None
) -> QuerySet[Incident]:
    """`outages_covering_places` for these rooms (the caller's homes)."""
    rooms = list(rooms)
    return outages_covering_places(
        building_ids={r.building_id for r in rooms},
        unit_ids={r.unit_id for r in rooms},
        district_ids={r.district_id for r in rooms},
        now=now,
        hours_ahead=hours_ahead,
        system=system,
    )


def outages_visible_to(user) -> QuerySet[Incident]:
    """Every member of staff sees every outage (they are public facts); the district is joined, the scope
    prefetched."""
    return Incident.objects.select_related("district").prefetch_related("buildings", "units", "facilities")


def notice_progress(incident: Incident) -> dict:
    """`{phones, by_event: {event: {queued, sent, failed}}}`: phones in scope now, and per event what its
    runs queued, sent and failed (two queries: the UNION count and one GROUP BY)."""
    by_event = {event: {"queued": 0, "sent": 0, "failed": 0} for event in NoticeEvent.values}
    rows = (
        OutageNotice.objects.filter(run__incident=incident)
        .values("run__event", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        bucket = {
            NoticeStatus.PENDING: "queued",
            NoticeStatus.SENDING: "queued",
            NoticeStatus.SENT: "sent",
            NoticeStatus.FAILED: "failed",
        }[row["status"]]
        by_event[row["run__event"]][bucket] += row["n"]
    return {"phones": phones_in_scope(Scope.of(incident)).count(), "by_event": by_event}


# --- Rounds and hazards -----------------------------------------------------------------------------------


def _crew_id_of(user) -> int | None:
    from crews.selectors import worker_of

    worker = worker_of(user)
    return worker.crew_id if worker else None


def hazards_visible_to(user) -> QuerySet:
    """Managers and the desk see the whole register; a crew member sees the crew's hazards and anyone on staff
    those they reported themselves (to follow what became of them; others are 404)."""
    from crews.permissions import is_dispatcher, is_manager

    from .models import Hazard

    qs = Hazard.objects.select_related("district", "room", "building", "facility", "crew")
    if is_manager(user) or is_dispatcher(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    crew_id = _crew_id_of(user)
    return qs.filter(Q(crew_id=crew_id) | Q(found_by=user)) if crew_id else qs.filter(found_by=user)


def rounds_visible_to(user) -> QuerySet:
    """Managers see every round; a crew member sees the crew's rounds (others are 404)."""
    from crews.permissions import is_manager

    from .models import Round

    qs = Round.objects.select_related("template", "crew", "worker")
    if is_manager(user):
        return qs
    crew_id = _crew_id_of(user)
    return qs.filter(crew_id=crew_id) if crew_id else qs.none()


def round_templates_visible_to(user) -> QuerySet:
    from crews.permissions import is_manager

    from .models import RoundTemplate

    qs = RoundTemplate.objects.select_related("crew").prefetch_related("items", "facilities", "buildings")
    if is_manager(user):
        return qs
    crew_id = _crew_id_of(user)
    return qs.filter(crew_id=crew_id) if crew_id else qs.none()


# --- On time: the one definition of each kind --------------------------------------------------------------


def round_conditions(now: datetime) -> dict[str, Q]:
    """THE definition of a round done on time, late, missed or overdue, used by the rounds report, the monthly
    assessment and the round lists those figures open (as sla.on_time_conditions is for orders).

    A round is on time when it was finished by its due time, late when finished after it; missed when nobody
    walked it (mark_missed_rounds); overdue when it is still due or in progress past its due time (it can no
    longer be on time). A round is *decided* in any of these four cases; one still due in the future is not
    counted yet. The rate is on time ÷ decided."""
    open_ = Q(status__in=[RoundStatus.DUE, RoundStatus.IN_PROGRESS])
    return {
        "on_time": Q(status=RoundStatus.DONE, finished_at__lte=F("due_at")),
        "late": Q(status=RoundStatus.DONE, finished_at__gt=F("due_at")),
        "missed": Q(status=RoundStatus.MISSED),
        "overdue": open_ & Q(due_at__lt=now),
        "decided": Q(status__in=[RoundStatus.DONE, RoundStatus.MISSED]) | open_ & Q(due_at__lt=now),
    }


def hazard_conditions(now: datetime) -> dict[str, Q]:
    """THE definition of a hazard fixed, rectified on time or late, and overdue, used by the hazard report, the
    monthly assessment and the hazard register's `overdue` filter.

    Fixed = rectified or verified (rectified_at is stamped by the move). On time = rectified by its due date
    (which follows the severity); late = rectified after it; overdue = still found or rectifying past it. A
    hazard is *decided* once fixed or overdue; the rate is on time ÷ decided."""
    fixed = Q(status__in=[HazardStatus.RECTIFIED, HazardStatus.VERIFIED])
    overdue = Q(status__in=HAZARD_OPEN, due_at__lt=now)
    return {
        "fixed": fixed,
        "verified": Q(status=HazardStatus.VERIFIED),
        "on_time": fixed & Q(rectified_at__lte=F("due_at")),
        "late": fixed & Q(rectified_at__gt=F("due_at")),
        "overdue": overdue,
        "decided": fixed | overdue,
    }


# --- Places (the hazard form's type-ahead) -------------------------------------------------------------------

PLACE_KINDS = ("room", "building", "facility")


def suggest_places(text: str, *, limit: int = 8) -> list[tuple[str, str]]:
    """`(token, label)` of the places a reporter may mean by what they typed so far: public facilities and
    buildings whose label holds it, then rooms whose address starts like it. A token is `kind:id`. Three
    indexed queries at most, nothing for an empty or over-long text."""
    from residents.models import Building, Facility
    from residents.selectors import MAX_ADDRESS_LENGTH, suggest_rooms

    text = (text or "").strip()
    if not text or len(text) > MAX_ADDRESS_LENGTH:
        return []
    found = [(f"facility:{f.pk}", f.label) for f in Facility.objects.filter(label__icontains=text)[:limit]]
    found += [(f"building:{b.pk}", b.label) for b in Building.objects.filter(label__icontains=text)[:limit]]
    found += [(f"room:{r.pk}", r.label) for r in suggest_rooms(text, limit=limit)]
    return found[:limit]


def place_of(token: str):
    """The Room, Building or Facility a `kind:id` token names, or None."""
    from residents.models import Building, Facility

    kind, _sep, pk = (token or "").partition(":")
    if kind not in PLACE_KINDS or not pk.isdigit() or len(pk) > 12:
        return None
    model = {"room": Room, "building": Building, "facility": Facility}[kind]
    return model.objects.filter(pk=int(pk)).first()
