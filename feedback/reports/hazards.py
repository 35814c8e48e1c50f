"""The hazard register (隐患台账) in figures: found, fixed, overdue and the time to rectify, per system, crew or
district."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from operations.models import Hazard
from operations.selectors import hazard_conditions
from workorders.choices import System

from .periods import Grouping, Period
from .stats import ratio

HAZARD_COUNTS = ("found", "fixed", "verified", "on_time", "late", "overdue", "decided")

# Paths relative to Hazard; the query parameter of the hazard register each row's counts open.
HAZARD_GROUPS = {
    "system": Grouping("system", (), gettext_lazy("System")),
    "crew": Grouping("crew_id", ("crew__name",), gettext_lazy("Crew")),
    "district": Grouping("district_id", ("district__name",), gettext_lazy("District")),
}


def hazard_aggregates(now: datetime) -> dict[str, Any]:
    """The counts of `operations.selectors.hazard_conditions` (and of all hazards found) as aggregates, with
    the mean time from found to rectified over the fixed ones."""
    conditions = hazard_conditions(now)
    to_rectify = ExpressionWrapper(F("rectified_at") - F("found_at"), output_field=DurationField())
    return {
        "found": Count("id"),
        **{k: Count("id", filter=q) for k, q in conditions.items()},
        "mean_to_rectify": Avg(to_rectify, filter=conditions["fixed"], output_field=DurationField()),
    }


def hazard_population(start: datetime, end: datetime) -> QuerySet[Hazard]:
    """The hazards the figures of a period are about: those found in [start, end)."""
    return Hazard.objects.filter(found_at__gte=start, found_at__lt=end)


@dataclass
class HazardRow:
    key: Any
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HAZARD_COUNTS, 0))
    mean_to_rectify: timedelta | None = None
    links: dict[str, str] = field(default_factory=dict)  # set by the page: count → the register it opens

    @property
    def rate(self) -> float | None:
        """Rectified on time ÷ decided (fixed, or open past the due date)."""
        return ratio(self.counts["on_time"], self.counts["decided"])

    @property
    def mean_days(self) -> float | None:
        if self.mean_to_rectify is None:
            return None
        return self.mean_to_rectify.total_seconds() / 86400


@dataclass
class HazardReport:
    period: Period
    group_by: str
    grouping_title: str
    rows: list[HazardRow]
    total: HazardRow


def _label(value: Any, label: str | None, group_by: str) -> str:
    if group_by == "system":
        return str(System(value).label) if value in System.values else str(_("(none)"))
    return label or str(_("(none)"))


def hazard_report(period: Period, group_by: str = "system", *, now: datetime | None = None) -> HazardReport:
    """Hazards found in the period per system, crew or district: found, fixed (rectified or verified), verified,
    rectified on time and late, overdue now, and the mean time to rectify. One query; the total's mean is the
    rows' means weighted by their fixed counts."""
    now = now or timezone.now()
    if group_by not in HAZARD_GROUPS:
        raise ValidationError(
            {"group_by": [_("Group by one of: %(choices)s.") % {"choices": ", ".join(HAZARD_GROUPS)}]}
        )
    grouping = HAZARD_GROUPS[group_by]
    rows = [
        HazardRow(
            key=r[grouping.key],
            label=_label(r[grouping.key], r[grouping.labels[0]] if grouping.labels else None, group_by),
            counts={k: r[k] for k in HAZARD_COUNTS},
            mean_to_rectify=r["mean_to_rectify"],
        )
        for r in hazard_population(period.start_at, period.end_at)
        .values(grouping.key, *grouping.labels)
        .annotate(**hazard_aggregates(now))
        .order_by(grouping.key)
    ]
    rows.sort(key=lambda r: r.label)
    total = HazardRow(key=None, label=str(_("Total")))
    weighted = timedelta(0)
    for row in rows:
        for k in HAZARD_COUNTS:
            total.counts[k] += row.counts[k]
        if row.mean_to_rectify is not None:
            weighted += row.mean_to_rectify * row.counts["fixed"]
    if total.counts["fixed"]:
        total.mean_to_rectify = weighted / total.counts["fixed"]
    return HazardReport(period, group_by, str(grouping.title), rows, total)
