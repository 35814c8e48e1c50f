"""Volume: orders by category, district and hour of the day."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractHour
from django.utils import timezone

from workorders.choices import Status
from workorders.models import WorkOrder

from .periods import Period

# --- Volume and hotspots ----------------------------------------------------------------------------------


@dataclass
class VolumeReport:
    period: Period
    total: int
    by_category: list[dict]
    by_district: list[dict]
    by_hour: list[int]


def volume_report(period: Period) -> VolumeReport:
    """Orders created in the period by top-level category, by district and by local hour of day: 3 queries."""
    base = WorkOrder.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_at).exclude(
        status=Status.CANCELLED
    )
    by_category = [
        {"key": r["category__parent_id"], "label": r["category__parent__name"] or "—", "orders": r["n"]}
        for r in base.values("category__parent_id", "category__parent__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category__parent__name")
    ]
    by_district = [
        {"key": r["district_id"], "label": r["district__name"], "orders": r["n"]}
        for r in base.values("district_id", "district__name")
        .annotate(n=Count("id"))
        .order_by("-n", "district__name")
    ]
    hours = [0] * 24
    for r in (
        base.annotate(hour=ExtractHour("created_at", tzinfo=timezone.get_current_timezone()))
        .values("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    ):
        hours[r["hour"]] = r["n"]
    total = sum(r["orders"] for r in by_district)
    return VolumeReport(period, total, by_category, by_district, hours)
