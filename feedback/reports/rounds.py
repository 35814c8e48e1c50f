"""Preventive rounds (巡检) done on time, per crew and month."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.models import Round
from operations.selectors import round_conditions

from .periods import Period
from .stats import ratio

ROUND_COUNTS = ("total", "on_time", "late", "missed", "overdue", "decided")


def round_aggregates(now: datetime) -> dict[str, Count]:
    """The counts of `operations.selectors.round_conditions` (and of all rounds) as aggregates."""
    return {"total": Count("id"), **{k: Count("id", filter=q) for k, q in round_conditions(now).items()}}


def round_population(start: datetime, end: datetime) -> QuerySet[Round]:
    """The rounds the figures of a period are about: those due in [start, end)."""
    return Round.objects.filter(due_at__gte=start, due_at__lt=end)


@dataclass
class RoundRow:
    crew_id: int | None
    crew: str
    month: date | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROUND_COUNTS, 0))

    @property
    def rate(self) -> float | None:
        """Done on time ÷ decided (done, missed, or overdue still open)."""
        return ratio(self.counts["on_time"], self.counts["decided"])

    @property
    def pending(self) -> int:
        """Still due later: not decided yet."""
        return self.counts["total"] - self.counts["decided"]


@dataclass
class RoundsReport:
    period: Period
    rows: list[RoundRow]
    total: RoundRow


def rounds_report(period: Period, *, now: datetime | None = None) -> RoundsReport:
    """Rounds due in the period per crew and local month, counted by `round_conditions`: one query."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    rows = [
        RoundRow(
            crew_id=r["crew_id"],
            crew=r["crew__name"],
            month=timezone.localtime(r["month"], tz).date() if r["month"] else None,
            counts={k: r[k] for k in ROUND_COUNTS},
        )
        for r in round_population(period.start_at, period.end_at)
        .annotate(month=TruncMonth("due_at", tzinfo=tz))
        .values("crew_id", "crew__name", "month")
        .annotate(**round_aggregates(now))
        .order_by("crew__name", "crew_id", "month")
    ]
    total = RoundRow(crew_id=None, crew=str(_("Total")), month=None)
    for row in rows:
        for k in ROUND_COUNTS:
            total.counts[k] += row.counts[k]
    return RoundsReport(period, rows, total)
