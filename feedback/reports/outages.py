"""Outages (停水/停电/停排) by system: how many, planned or not, how long, and how many homes for how long."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.choices import IncidentKind, System
from workorders.models import Incident

from .periods import Period

OUTAGE_KINDS = (IncidentKind.PLANNED, IncidentKind.SUDDEN)


@dataclass
class OutageFigures:
    outages: int = 0
    homes: int = 0
    duration: timedelta = timedelta(0)
    home_duration: timedelta = timedelta(0)

    @property
    def hours(self) -> float:
        return self.duration.total_seconds() / 3600

    @property
    def home_hours(self) -> float:
        """Homes × hours: each outage's affected homes times its hours in the period, summed."""
        return self.home_duration.total_seconds() / 3600

    def add(self, other: OutageFigures) -> None:
        self.outages += other.outages
        self.homes += other.homes
        self.duration += other.duration
        self.home_duration += other.home_duration


@dataclass
class OutageRow:
    key: str | None
    label: str
    by_kind: dict[str, OutageFigures] = field(
        default_factory=lambda: {k: OutageFigures() for k in OUTAGE_KINDS}
    )
    total: OutageFigures = field(default_factory=OutageFigures)


@dataclass
class OutageReport:
    period: Period
    rows: list[OutageRow]
    total: OutageRow


def outage_report(period: Period, *, now: datetime | None = None) -> OutageReport:
    """Outages that were on during the period (started before its end, not ended before its start), per system
    and kind (planned or sudden): how many, the homes they affected (as stamped when planned), and their
    duration within the period (an outage still on counts until now) in hours and in homes × hours. One query."""
    now = now or timezone.now()
    start, end = period.start_at, min(period.end_at, now)
    on_from = Greatest(F("starts_at"), Value(start))
    on_until = Least(Coalesce(F("ended_at"), Value(now)), Value(end))
    duration = ExpressionWrapper(on_until - on_from, output_field=DurationField())
    homes = ExpressionWrapper(F("affected_homes"), output_field=IntegerField())
    rows = {s: OutageRow(key=s, label=str(System(s).label)) for s in System.values}
    qs = (
        Incident.objects.filter(starts_at__lt=end)
        .exclude(ended_at__lt=start)
        .annotate(on=duration)
        .values("system", "kind")
        .annotate(
            outages=Count("id"),
            homes=Sum("affected_homes"),
            duration=Sum("on"),
            # SQLite multiplies a duration only by an IntegerField (not a PositiveIntegerField).
            home_duration=Sum(ExpressionWrapper(homes * F("on"), output_field=DurationField())),
        )
        .order_by("system", "kind")
    )
    for r in qs:
        row = rows.get(r["system"])
        if row is None or r["kind"] not in row.by_kind:
            continue
        figures = OutageFigures(
            outages=r["outages"],
            homes=r["homes"] or 0,
            duration=max(r["duration"] or timedelta(0), timedelta(0)),
            home_duration=max(r["home_duration"] or timedelta(0), timedelta(0)),
        )
        row.by_kind[r["kind"]] = figures
        row.total.add(figures)
    total = OutageRow(key=None, label=str(_("Total")))
    for row in rows.values():
        for kind in OUTAGE_KINDS:
            total.by_kind[kind].add(row.by_kind[kind])
        total.total.add(row.total)
    return OutageReport(period, list(rows.values()), total)
