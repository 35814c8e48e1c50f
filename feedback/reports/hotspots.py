"""Repeat-failure hotspots: rooms, buildings and public facilities with many orders, the fastest growing, and
the aging-infrastructure view (the places with the most repairs and hazards together)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from crews.choices import CrewKind
from workorders.choices import Status
from workorders.models import WorkOrder

from .periods import Period
from .stats import ratio

HOTSPOT_DAYS = 90


@dataclass
class Hotspots:
    end: datetime
    days: int
    min_orders: int
    rooms: list[dict]
    buildings: list[dict]
    growing: list[dict]
    facilities: list[dict] = field(default_factory=list)

    @property
    def since(self) -> datetime:
        return self.end - timedelta(days=self.days)


def _kind_label(kind: str) -> str:
    return str(CrewKind(kind).label) if kind in CrewKind.values else kind


def _place(r: dict) -> dict:
    """A building or facility row of `hotspots`, with the order filter (`param`) its counts open."""
    param = "building" if r["building_id"] is not None else "facility"
    return {
        "key": r[f"{param}_id"],
        "label": r[f"{param}__label"],
        "param": param,
        "system": _kind_label(r["category__crew_kind"]),
        "kind": r["category__crew_kind"],
        "orders": r["current"],
        "current": r["current"],
        "before": r["before"],
        "growth_pct": ratio(r["current"] - r["before"], r["before"]),
        "by_count": r["by_count"],
        "by_growth": r["by_growth"],
    }


def hotspots(
    *, end: datetime | None = None, min_orders: int = 3, days: int = HOTSPOT_DAYS, limit: int = 20
) -> Hotspots:
    """Repeat failures of one system (crew kind) in the `days` before `end`: rooms, buildings and public
    facilities (pump houses, substations…) with at least `min_orders` orders, and the buildings and
    facilities whose count grew against the `days` before that. 2 queries: the rooms, and the buildings and
    facilities counted over both windows at once, ranked twice by window functions within each kind of place
    (by this window's count, and by growth among those that grew), keeping the rows in either top `limit`."""
    end = end or timezone.now()
    since = end - timedelta(days=days)
    base = WorkOrder.objects.exclude(status=Status.CANCELLED)
    rooms = [
        {
            "key": r["room_id"],
            "label": r["room__label"],
            "system": _kind_label(r["category__crew_kind"]),
            "kind": r["category__crew_kind"],
            "orders": r["n"],
        }
        for r in base.filter(created_at__gte=since, created_at__lt=end, room__isnull=False)
        .values("room_id", "room__label", "category__crew_kind")
        .annotate(n=Count("id"))
        .filter(n__gte=min_orders)
        .order_by("-n", "room__label")[:limit]
    ]
    grew = ExpressionWrapper(Q(current__gt=F("before")), output_field=BooleanField())
    # Buildings and public facilities are ranked apart (a partition each): an order is at a room (whose
    # building it carries) or at a facility.
    is_facility = ExpressionWrapper(Q(building__isnull=True), output_field=BooleanField())
    rows = list(
        base.filter(created_at__gte=since - timedelta(days=days), created_at__lt=end)
        .filter(Q(building__isnull=False) | Q(facility__isnull=False))
        .values("building_id", "building__label", "facility_id", "facility__label", "category__crew_kind")
        .annotate(
            current=Count("id", filter=Q(created_at__gte=since)),
            before=Count("id", filter=Q(created_at__lt=since)),
        )
        .filter(current__gte=min_orders)
        .annotate(
            by_count=Window(
                RowNumber(),
                partition_by=[is_facility],
                order_by=[F("current").desc(), F("building__label").asc(), F("facility__label").asc()],
            ),
            by_growth=Window(
                RowNumber(),
                partition_by=[is_facility],
                order_by=[
                    grew.desc(),
                    (F("current") - F("before")).desc(),
                    F("building__label").asc(),
                    F("facility__label").asc(),
                ],
            ),
        )
        .filter(Q(by_count__lte=limit) | Q(by_growth__lte=limit))
        .order_by("by_count")
    )
    places = [_place(r) for r in rows]
    buildings = [p for p in places if p["param"] == "building" and p["by_count"] <= limit]
    facilities = [p for p in places if p["param"] == "facility" and p["by_count"] <= limit]
    growing = [
        p
        for p in sorted(places, key=lambda p: (p["by_growth"], p["param"]))
        if p["by_growth"] <= limit and p["current"] > p["before"]
    ][:limit]
    return Hotspots(end, days, min_orders, rooms, buildings, growing, facilities)


# --- The aging-infrastructure view (基础设施老化) --------------------------------------------------------------


@dataclass
class AgingPlaces:
    period: Period
    buildings: list[dict]
    facilities: list[dict]


def aging_places(period: Period, *, limit: int = 20, now: datetime | None = None) -> AgingPlaces:
    """The buildings and public facilities with the most repairs and hazards together in the period: orders
    created in it (cancelled ones excluded) and hazards found in it, per place (a hazard in a room counts for
    its building). Two grouped queries, one row per place each; the rows are joined by place and ranked by the
    sum, the top `limit` of each kind kept."""
    from operations.models import Hazard
    from operations.selectors import hazard_conditions

    start, end = period.start_at, period.end_at
    orders = (
        WorkOrder.objects.exclude(status=Status.CANCELLED)
        .filter(created_at__gte=start, created_at__lt=end)
        .filter(Q(building__isnull=False) | Q(facility__isnull=False))
        .values("building_id", "building__label", "facility_id", "facility__label")
        .annotate(n=Count("id"))
        .order_by()
    )
    hazards = (
        Hazard.objects.filter(found_at__gte=start, found_at__lt=end)
        .annotate(
            place_building=Coalesce("building_id", "room__building_id"),
            place_building_label=Coalesce("building__label", "room__building__label"),
        )
        .values("place_building", "place_building_label", "facility_id", "facility__label")
        .annotate(n=Count("id"), open=Count("id", filter=hazard_conditions(now or timezone.now())["overdue"]))
        .order_by()
    )
    places: dict[tuple[str, int], dict] = {}

    def place(param: str, key: int, label: str) -> dict:
        return places.setdefault(
            (param, key),
            {"param": param, "key": key, "label": label, "orders": 0, "hazards": 0, "overdue": 0},
        )

    for r in orders:
        param = "building" if r["building_id"] is not None else "facility"
        place(param, r[f"{param}_id"], r[f"{param}__label"])["orders"] = r["n"]
    for r in hazards:
        if r["facility_id"] is not None:
            row = place("facility", r["facility_id"], r["facility__label"])
        else:
            row = place("building", r["place_building"], r["place_building_label"])
        row["hazards"] += r["n"]
        row["overdue"] += r["open"]
    ranked = sorted(places.values(), key=lambda p: (-(p["orders"] + p["hazards"]), -p["hazards"], p["label"]))
    for p in ranked:
        p["total"] = p["orders"] + p["hazards"]
    return AgingPlaces(
        period,
        [p for p in ranked if p["param"] == "building"][:limit],
        [p for p in ranked if p["param"] == "facility"][:limit],
    )
