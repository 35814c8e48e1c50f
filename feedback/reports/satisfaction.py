"""Satisfaction (满意率) and reach (回访率) by group, with the previous period and the monthly trend."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import RATING_KEYS, Outcome, Verdict
from ..models import FollowUp
from .periods import FOLLOW_UP_GROUPS, Period, _add_months, _group, _label, _local_midnight
from .stats import ALPHA, ratio, two_proportion_z_test, wilson_interval

# --- Satisfaction -----------------------------------------------------------------------------------------


@dataclass
class SatisfactionRow:
    key: Any
    label: str
    due: int = 0
    contacted: int = 0
    reached: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    dissatisfied: int = 0
    prev_reached: int = 0
    prev_good: int = 0
    rated: int = 0
    ratings: dict[str, float | None] = field(default_factory=dict)
    # Derived (see finish())
    follow_up_rate: float | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    prev_rate: float | None = None
    delta_pp: float | None = None
    z: float | None = None
    p_value: float | None = None
    significant: bool | None = None

    @property
    def good(self) -> int:
        return self.satisfied + self.basically_satisfied

    @property
    def counts(self) -> list[tuple[str, int]]:
        """The row's counts in the report's column order, each named as the order list's `follow_up` filter."""
        return [
            ("due", self.due),
            ("reached", self.reached),
            ("satisfied", self.satisfied),
            ("basically_satisfied", self.basically_satisfied),
            ("dissatisfied", self.dissatisfied),
        ]

    def finish(self) -> SatisfactionRow:
        self.follow_up_rate = ratio(self.contacted, self.due)
        self.rate = ratio(self.good, self.reached)
        self.ci_low, self.ci_high = wilson_interval(self.good, self.reached)
        self.prev_rate = ratio(self.prev_good, self.prev_reached)
        if self.rate is not None and self.prev_rate is not None:
            self.delta_pp = round((self.rate - self.prev_rate) * 100, 4)
            self.z, self.p_value = two_proportion_z_test(
                self.good, self.reached, self.prev_good, self.prev_reached
            )
            self.significant = self.p_value is not None and self.p_value < ALPHA
        return self


@dataclass
class SatisfactionReport:
    period: Period
    previous: Period
    group_by: str
    grouping_title: str
    rows: list[SatisfactionRow]
    total: SatisfactionRow
    # The report-orders query of the follow-ups it counts: those due in the period up to now.
    follow_ups_query: str = ""


def satisfaction_report(
    period: Period, group_by: str = "crew", *, now: datetime | None = None
) -> SatisfactionReport:
    """One query whatever the data size: the counts of this and the previous period per group and the 五心
    averages of this period's reached answers, in one pass over both periods with conditional aggregates
    (index-only on followup_due_answers)."""
    now = now or timezone.now()
    name, grouping = _group(FOLLOW_UP_GROUPS, group_by)
    previous = period.previous()
    current = Q(due_at__gte=period.start_at, due_at__lt=min(period.end_at, now))
    before = Q(due_at__gte=previous.start_at, due_at__lt=min(previous.end_at, now))
    reached = Q(outcome=Outcome.REACHED)
    good = reached & Q(verdict__in=[Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED])
    fields = (grouping.key, *grouping.labels)
    counts = (
        FollowUp.objects.filter(due_at__gte=previous.start_at, due_at__lt=min(period.end_at, now))
        .values(*fields)
        .annotate(
            due=Count("id", filter=current),
            contacted=Count("id", filter=current & ~Q(outcome="")),
            reached=Count("id", filter=current & reached),
            satisfied=Count("id", filter=current & reached & Q(verdict=Verdict.SATISFIED)),
            basically_satisfied=Count(
                "id", filter=current & reached & Q(verdict=Verdict.BASICALLY_SATISFIED)
            ),
            dissatisfied=Count("id", filter=current & reached & Q(verdict=Verdict.DISSATISFIED)),
            prev_reached=Count("id", filter=before & reached),
            prev_good=Count("id", filter=before & good),
            # The 五心 averages of the reached answers, carried by the follow-ups (FollowUp.rating_*).
            rated=Count("id", filter=current & reached),
            **{k: Avg(f"rating_{k}", filter=current & reached) for k in RATING_KEYS},
        )
        .order_by(grouping.key)
    )
    rows = []
    for r in counts:
        row = SatisfactionRow(
            key=r[grouping.key],
            label=_label(r, grouping),
            **{k: r[k] for k in ("due", "contacted", "reached", "satisfied", "basically_satisfied")},
            dissatisfied=r["dissatisfied"],
            prev_reached=r["prev_reached"],
            prev_good=r["prev_good"],
        )
        row.rated = r["rated"]
        row.ratings = {k: r[k] for k in RATING_KEYS}
        rows.append(row.finish())
    rows.sort(key=lambda x: (x.due == 0, x.label))
    total = SatisfactionRow(key=None, label=str(_("Total")))
    for row in rows:
        for name_ in (
            "due",
            "contacted",
            "reached",
            "satisfied",
            "basically_satisfied",
            "dissatisfied",
            "prev_reached",
            "prev_good",
            "rated",
        ):
            setattr(total, name_, getattr(total, name_) + getattr(row, name_))
    total.ratings = {
        k: (
            sum(r.ratings[k] * r.rated for r in rows if r.ratings.get(k) is not None) / total.rated
            if total.rated
            else None
        )
        for k in RATING_KEYS
    }
    total.finish()
    rows = [r for r in rows if r.due or r.prev_reached]
    window = {"due_after": period.start_at.isoformat(), "due_before": min(period.end_at, now).isoformat()}
    return SatisfactionReport(period, previous, name, str(grouping.title), rows, total, urlencode(window))


@dataclass
class TrendPoint:
    month: date
    reached: int
    good: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None


def satisfaction_trend(months: int = 12, *, end_month: date | None = None, now=None) -> list[TrendPoint]:
    """满意率 per month for the last `months` months up to end_month (included): one query.

    The reached follow-ups of the whole range are read once (from followup_due_covering alone) and counted
    per verdict with one conditional count per month, the bounds being local midnights computed here, instead
    of truncating every row's timestamp to its local month and sorting the year's rows by it."""
    now = now or timezone.now()
    last = (end_month or timezone.localdate(now)).replace(day=1)
    first = _add_months(last, -(months - 1))
    bounds = [_local_midnight(_add_months(first, i)) for i in range(months + 1)]
    rows = (
        FollowUp.objects.filter(
            outcome=Outcome.REACHED, due_at__gte=bounds[0], due_at__lt=min(bounds[-1], now)
        )
        .values("verdict")
        .annotate(
            **{
                f"month_{i}": Count("id", filter=Q(due_at__gte=bounds[i], due_at__lt=bounds[i + 1]))
                for i in range(months)
            }
        )
        .order_by("verdict")
    )
    reached, good = [0] * months, [0] * months
    for r in rows:  # one row per verdict
        for i in range(months):
            reached[i] += r[f"month_{i}"]
            if r["verdict"] in (Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED):
                good[i] += r[f"month_{i}"]
    points = []
    for i in range(months):
        low, high = wilson_interval(good[i], reached[i])
        points.append(
            TrendPoint(_add_months(first, i), reached[i], good[i], ratio(good[i], reached[i]), low, high)
        )
    return points
