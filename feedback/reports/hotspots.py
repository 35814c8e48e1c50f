"""Repeat-failure hotspots: rooms and buildings with many orders, and the fastest growing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from crews.choices import CrewKind
from workorders.choices import Status
from workorders.models import WorkOrder

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

    @property
    def since(self) -> datetime:
        return self.end - timedelta(days=self.days)


def _kind_label(kind: str) -> str:
    return str(CrewKind(kind).label) if kind in CrewKind.values else kind


def hotspots(
    *, end: datetime | None = None, min_orders: int = 3, days: int = HOTSPOT_DAYS, limit: int = 20
) -> Hotspots:
    """Repeat failures of one system (crew kind) in the `days` before `end`: rooms and buildings with at least
    `min_orders` orders, and buildings whose count grew against the `days` before that. 2 queries: the
    rooms, and the buildings counted over both windows at once, ranked twice by window functions (by this
    window's count, and by growth among those that grew), keeping the rows in either top `limit`."""
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
    rows = list(
        base.filter(created_at__gte=since - timedelta(days=days), created_at__lt=end, building__isnull=False)
        .values("building_id", "building__label", "category__crew_kind")
        .annotate(
            current=Count("id", filter=Q(created_at__gte=since)),
            before=Count("id", filter=Q(created_at__lt=since)),
        )
        .filter(current__gte=min_orders)
        .annotate(
            by_count=Window(RowNumber(), order_by=[F("current").desc(), F("building__label").asc()]),
            by_growth=Window(
                RowNumber(),
                order_by=[grew.desc(), (F("current") - F("before")).desc(), F("building__label").asc()],
            ),
        )
        .filter(Q(by_count__lte=limit) | Q(by_growth__lte=limit))
        .order_by("by_count")
    )
    buildings = [
        {
            "key": r["building_id"],
            "label": r["building__label"],
            "system": _kind_label(r["category__crew_kind"]),
            "kind": r["category__crew_kind"],
            "orders": r["current"],
        }
        for r in rows
        if r["by_count"] <= limit
    ]
    growing = [
        {
            "key": r["building_id"],
            "label": r["building__label"],
            "system": _kind_label(r["category__crew_kind"]),
            "kind": r["category__crew_kind"],
            "current": r["current"],
            "before": r["before"],
            "growth_pct": ratio(r["current"] - r["before"], r["before"]),
        }
        for r in sorted(rows, key=lambda r: r["by_growth"])
        if r["by_growth"] <= limit and r["current"] > r["before"]
    ]
    return Hotspots(end, days, min_orders, rooms, buildings, growing)
