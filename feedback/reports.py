"""Manager reports (DESIGN §6, §10): satisfaction with honest statistics, SLA compliance, volume and repeat-
failure hotspots, the monthly assessment (考核) with its ranking (评比), and the dashboard's figures.

These are selectors, kept apart from feedback.selectors only for size. Every report aggregates in the
database (`values(...).annotate(Count(filter=Q(...)), Avg(...))`), so each runs in a fixed number of queries
whatever the number of orders; the statistics (Wilson interval, two-proportion z-test, weighted score, rank)
are computed in Python on the handful of aggregated rows.

Definitions, so every figure can be reproduced by hand:
- Satisfaction: the follow-ups *due* in the period (due_at in [start, end), and already due now).
  回访率 = follow-ups with an outcome (reached or refused) ÷ due; 满意率 = (满意 + 基本满意) ÷ reached.
  The previous period is the one of the same kind just before (previous month, quarter, week, or as many
  days before a custom range). A change is "significant" when the two-sided two-proportion z-test (pooled)
  gives p < 0.05. A follow-up is attributed to the crew and worker that did the completion it rates.
- SLA: orders *created* in the period, cancelled ones excluded. A deadline is decided once its milestone is
  stamped, or once it has passed while the order is not on hold (a hold pauses the clock). On time =
  milestone ≤ deadline. Hold time is excluded because resuming an order moves its unmet deadlines later by
  exactly the time on hold (workorders.services.resume_order), so a plain comparison already excludes it.
  A rework gives the order fresh deadlines and clears its milestones: the SLA counts the latest round.
- Assessment of month M: orders *completed* in M for the time KPIs, 一次修复率, 返修率 and 六个一; the
  follow-ups due in M; complaints received in M; inspections recorded in M; rewards and penalties dated M.
  一次修复 = no order of the same room (or facility) and category created within 30 days after completion
  (cancelled ones do not count). 返修率 = completed orders that were reworks (rework_count > 0).
  有效投诉率 = valid complaints ÷ completed orders. 六个一执行率 = checklist items answered yes ÷ (5 × completed).
  Each KPI scores 0–100 (返修率 and 有效投诉率 inverted); the score is the weighted mean over the KPIs that
  have data (weights are AssessmentWeight rows) plus reward points minus penalty points. A valid complaint
  of a conduct type (ComplaintType.is_conduct) received in the month vetoes the ranking (一票否决): the crew
  or worker is ranked after everyone else.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    When,
    Window,
)
from django.db.models.functions import ExtractHour, RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crews.choices import CrewKind
from crews.models import Crew, Worker
from workorders.choices import Status, Urgency
from workorders.models import WorkOrder
from workorders.selectors import overdue, with_list_relations

from .choices import RATING_KEYS, ComplaintStatus, InspectionStatus, Outcome, RewardKind, Verdict
from .models import (
    AssessmentSnapshot,
    AssessmentWeight,
    Complaint,
    FollowUp,
    QualityInspection,
    RewardPenalty,
)

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal
ALPHA = 0.05
FIRST_FIX_DAYS = 30
HOTSPOT_DAYS = 90

# --- Statistics (pure functions on counts) -----------------------------------------------------------------


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """The Wilson score interval of a proportion: honest near 100% and for small n, unlike p ± z·se."""
    if n <= 0:
        return None, None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_z_test(x1: int, n1: int, x2: int, n2: int) -> tuple[float | None, float | None]:
    """(z, two-sided p) of the pooled two-proportion z-test of x1/n1 against x2/n2; (None, None) when either
    sample is empty, (0, 1) when the pooled proportion is 0 or 1 (no variance, no evidence of a change)."""
    if n1 <= 0 or n2 <= 0:
        return None, None
    pooled = (x1 + x2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0, 1.0
    z = (x1 / n1 - x2 / n2) / math.sqrt(variance)
    return z, math.erfc(abs(z) / math.sqrt(2))


def ratio(part: int | float | None, whole: int | float | None) -> float | None:
    return None if not whole else (part or 0) / whole


# --- Periods ----------------------------------------------------------------------------------------------

PERIOD_KINDS = ("week", "month", "quarter", "custom")
PERIOD_LABELS = {
    "week": gettext_lazy("Week"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "custom": gettext_lazy("Custom range"),
}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), timezone.get_current_timezone())


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """[start, end) in local days; `kind` is week, month, quarter or custom."""

    kind: str
    start: date
    end: date  # exclusive

    @property
    def start_at(self) -> datetime:
        return _local_midnight(self.start)

    @property
    def end_at(self) -> datetime:
        return _local_midnight(self.end)

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def previous(self) -> Period:
        if self.kind == "month":
            return Period("month", _add_months(self.start, -1), self.start)
        if self.kind == "quarter":
            return Period("quarter", _add_months(self.start, -3), self.start)
        return Period(self.kind, self.start - timedelta(days=self.days), self.start)

    def next(self) -> Period:
        if self.kind == "month":
            return Period("month", self.end, _add_months(self.end, 1))
        if self.kind == "quarter":
            return Period("quarter", self.end, _add_months(self.end, 3))
        return Period(self.kind, self.end, self.end + timedelta(days=self.days))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def as_params(self) -> dict[str, str]:
        params = {"period": self.kind, "from": self.start.isoformat()}
        if self.kind == "custom":
            params["to"] = self.last_day.isoformat()
        return params


def period_containing(kind: str, day: date) -> Period:
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period("week", start, start + timedelta(days=7))
    if kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period("quarter", start, _add_months(start, 3))
    start = day.replace(day=1)
    return Period("month", start, _add_months(start, 1))


def _date(value: str | None, field_name: str) -> date | None:
    if not value:
        return None
    value = value.strip()
    try:
        if len(value) == 7:  # YYYY-MM
            return date.fromisoformat(value + "-01")
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            {field_name: [_("Enter a date as YYYY-MM-DD (or a month as YYYY-MM).")]}
        ) from None


def parse_period(params, today: date | None = None) -> Period:
    """The period of a report request: `period` (week/month/quarter/custom, default month), `from` (a day in
    it, or the first day of a custom range; default today) and `to` (last day of a custom range, inclusive).
    Bad input raises ValidationError with a message a manager can read."""
    today = today or timezone.localdate()
    # `?from=…&to=…` without a period is a custom range.
    default = "custom" if params.get("from") and params.get("to") else "month"
    kind = (params.get("period") or default).strip()
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": [_("Choose week, month, quarter or a custom range.")]})
    start = _date(params.get("from"), "from")
    if kind != "custom":
        return period_containing(kind, start or today)
    end = _date(params.get("to"), "to")
    if start is None or end is None:
        raise ValidationError({"to": [_("A custom range needs both a first and a last day.")]})
    if end < start:
        raise ValidationError({"to": [_("The last day is before the first day.")]})
    if (end - start).days > 366:
        raise ValidationError({"to": [_("A custom range may cover at most one year.")]})
    return Period("custom", start, end + timedelta(days=1))


def parse_month(value: str | None, today: date | None = None) -> date:
    """`YYYY-MM` → the first day of that month (default: this month)."""
    day = _date(value, "month") or (today or timezone.localdate())
    return day.replace(day=1)


# --- Grouping ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    key: str
    labels: tuple[str, ...]
    title: Any


# Paths relative to FollowUp; other reports derive their own.
FOLLOW_UP_GROUPS = {
    "crew": Grouping("crew_id", ("crew__name",), gettext_lazy("Crew")),
    "worker": Grouping("worker_id", ("worker__name", "crew__name"), gettext_lazy("Worker")),
    "district": Grouping(
        "work_order__district_id", ("work_order__district__name",), gettext_lazy("District")
    ),
    "category": Grouping(
        "work_order__category_id",
        ("work_order__category__parent__name", "work_order__category__name"),
        gettext_lazy("Category"),
    ),
}
SLA_GROUPS = {
    "crew": Grouping("crew_id", ("crew__name",), gettext_lazy("Crew")),
    "category": Grouping(
        "category_id", ("category__parent__name", "category__name"), gettext_lazy("Category")
    ),
    "urgency": Grouping("urgency", (), gettext_lazy("Urgency")),
}


def _group(groups: dict[str, Grouping], value: str | None) -> tuple[str, Grouping]:
    name = (value or "crew").strip()
    if name not in groups:
        raise ValidationError(
            {"group_by": [_("Group by one of: %(choices)s.") % {"choices": ", ".join(groups)}]}
        )
    return name, groups[name]


def _label(row: dict, grouping: Grouping, prefix: str = "") -> str:
    if not grouping.labels:
        value = row[prefix + grouping.key]
        return str(Urgency(value).label) if value in Urgency.values else str(value)
    parts = [row[prefix + name] for name in grouping.labels]
    if grouping.key.endswith("worker_id") and parts[0]:
        return f"{parts[0]}（{parts[1]}）" if parts[1] else parts[0]
    text = "/".join(p for p in parts if p)
    return text or str(_("(none)"))


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
    return SatisfactionReport(period, previous, name, str(grouping.title), rows, total)


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
    per verdict with one conditional count per month, the bounds being local midnights computed here: at
    1M orders, truncating every row's timestamp to its local month and sorting ~190k rows by it was the
    dashboard's slowest query (386 → 49 ms)."""
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


# --- SLA compliance ---------------------------------------------------------------------------------------


@dataclass
class SlaRow:
    key: Any
    label: str
    orders: int = 0
    respond_due: int = 0
    respond_ok: int = 0
    arrive_due: int = 0
    arrive_ok: int = 0
    complete_due: int = 0
    complete_ok: int = 0

    @property
    def respond_rate(self) -> float | None:
        return ratio(self.respond_ok, self.respond_due)

    @property
    def arrive_rate(self) -> float | None:
        return ratio(self.arrive_ok, self.arrive_due)

    @property
    def complete_rate(self) -> float | None:
        return ratio(self.complete_ok, self.complete_due)


@dataclass
class SlaReport:
    period: Period
    group_by: str
    grouping_title: str
    rows: list[SlaRow]
    total: SlaRow


SLA_COUNTS = ("orders", "respond_due", "respond_ok", "arrive_due", "arrive_ok", "complete_due", "complete_ok")


def _sla_aggregates(now: datetime) -> dict[str, Count]:
    running = Q(on_hold_since__isnull=True)  # on hold: the clock is paused, the deadline not yet decided
    return {
        "orders": Count("id"),
        "respond_due": Count("id", filter=Q(accepted_at__isnull=False) | Q(respond_by__lt=now) & running),
        "respond_ok": Count("id", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by"))),
        "arrive_due": Count(
            "id",
            filter=Q(arrive_by__isnull=False)
            & (Q(arrived_at__isnull=False) | Q(arrive_by__lt=now) & running),
        ),
        "arrive_ok": Count(
            "id", filter=Q(arrive_by__isnull=False, arrived_at__isnull=False, arrived_at__lte=F("arrive_by"))
        ),
        "complete_due": Count("id", filter=Q(completed_at__isnull=False) | Q(complete_by__lt=now) & running),
        "complete_ok": Count("id", filter=Q(completed_at__isnull=False, completed_at__lte=F("complete_by"))),
    }


def sla_report(period: Period, group_by: str = "crew", *, now: datetime | None = None) -> SlaReport:
    """On-time rates of the orders created in the period, per crew, category or urgency: one query."""
    now = now or timezone.now()
    name, grouping = _group(SLA_GROUPS, group_by)
    rows = [
        SlaRow(key=r[grouping.key], label=_label(r, grouping), **{k: r[k] for k in SLA_COUNTS})
        for r in WorkOrder.objects.filter(created_at__gte=period.start_at, created_at__lt=period.end_at)
        .exclude(status=Status.CANCELLED)
        .values(grouping.key, *grouping.labels)
        .annotate(**_sla_aggregates(now))
        .order_by(grouping.key)
    ]
    rows.sort(key=lambda r: r.label)
    total = SlaRow(key=None, label=str(_("Total")))
    for row in rows:
        for k in SLA_COUNTS:
            setattr(total, k, getattr(total, k) + getattr(row, k))
    return SlaReport(period, name, str(grouping.title), rows, total)


def overdue_orders(*, now: datetime | None = None, limit: int = 100):
    """The orders past their next deadline, most overdue first, with who holds each (worker, else crew, else
    the first-contact owner): one query."""
    qs = with_list_relations(overdue(now)).select_related("first_contact_owner")
    return list(qs.order_by("due_at", "id")[:limit])


def overdue_count(*, now: datetime | None = None) -> int:
    return overdue(now).count()


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


@dataclass
class Hotspots:
    end: datetime
    days: int
    min_orders: int
    rooms: list[dict]
    buildings: list[dict]
    growing: list[dict]


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
            "current": r["current"],
            "before": r["before"],
            "growth_pct": ratio(r["current"] - r["before"], r["before"]),
        }
        for r in sorted(rows, key=lambda r: r["by_growth"])
        if r["by_growth"] <= limit and r["current"] > r["before"]
    ]
    return Hotspots(end, days, min_orders, rooms, buildings, growing)


# --- Open complaints by deadline (dashboard) ------------------------------------------------------------


def open_complaints_by_deadline(*, now: datetime | None = None) -> dict[str, int]:
    """Open complaints by their next unmet deadline (contact → decide → close): overdue, due today, within
    three days, later. One query."""
    now = now or timezone.now()
    today_end = _local_midnight(timezone.localdate(now) + timedelta(days=1))
    next_deadline = Case(
        When(contacted_at__isnull=True, then=F("contact_by")),
        When(decided_at__isnull=True, then=F("decide_by")),
        default=F("close_by"),
    )
    return (
        Complaint.objects.exclude(status=ComplaintStatus.CLOSED)
        .annotate(deadline=next_deadline)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(deadline__lt=now)),
            today=Count("id", filter=Q(deadline__gte=now, deadline__lt=today_end)),
            soon=Count("id", filter=Q(deadline__gte=today_end, deadline__lt=today_end + timedelta(days=3))),
            later=Count("id", filter=Q(deadline__gte=today_end + timedelta(days=3))),
        )
    )


# --- Monthly assessment (考核) and ranking (评比) -----------------------------------------------------------


@dataclass(frozen=True)
class Kpi:
    code: str
    label: Any
    higher_is_better: bool = True


KPIS = (
    Kpi("on_time_accept", gettext_lazy("On-time acceptance (按时接单率)")),
    Kpi("on_time_arrive", gettext_lazy("On-time arrival (按时到场率)")),
    Kpi("on_time_complete", gettext_lazy("On-time completion (按时办结率)")),
    Kpi("first_fix", gettext_lazy("First-time fix (一次修复率)")),
    Kpi("rework", gettext_lazy("Rework rate (返修率)"), higher_is_better=False),
    Kpi("follow_up", gettext_lazy("Follow-up rate (回访率)")),
    Kpi("satisfaction", gettext_lazy("Satisfaction (满意率)")),
    Kpi("valid_complaints", gettext_lazy("Valid complaint rate (有效投诉率)"), higher_is_better=False),
    Kpi("checklist", gettext_lazy("六个一 compliance (六个一执行率)")),
    Kpi("inspection", gettext_lazy("Inspection points")),
)
KPI_CODES = tuple(k.code for k in KPIS)

COUNT_NAMES = (
    "completed",
    "accept_ok",
    "arrive_due",
    "arrive_ok",
    "complete_ok",
    "first_fix",
    "reworked",
    "checklist_yes",
    "due",
    "contacted",
    "reached",
    "good",
    "complaints",
    "valid_complaints",
    "conduct",
    "inspections",
    "inspections_failed",
)


@dataclass
class AssessmentLine:
    """One crew's or worker's month: raw counts, KPI values (0–1, inspection 0–100), score, rank, veto."""

    key: int
    label: str
    crew: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))
    inspection_avg: float | None = None
    reward_points: Decimal = Decimal("0")
    penalty_points: Decimal = Decimal("0")
    reward_amount: Decimal = Decimal("0")
    penalty_amount: Decimal = Decimal("0")
    values: dict[str, float | None] = field(default_factory=dict)
    base_score: Decimal | None = None
    score: Decimal | None = None
    rank: int = 0
    veto: bool = False

    def compute_values(self) -> None:
        c = self.counts
        completed = c["completed"]
        self.values = {
            "on_time_accept": ratio(c["accept_ok"], completed),
            "on_time_arrive": ratio(c["arrive_ok"], c["arrive_due"]),
            "on_time_complete": ratio(c["complete_ok"], completed),
            "first_fix": ratio(c["first_fix"], completed),
            "rework": ratio(c["reworked"], completed),
            "follow_up": ratio(c["contacted"], c["due"]),
            "satisfaction": ratio(c["good"], c["reached"]),
            "valid_complaints": ratio(c["valid_complaints"], completed),
            "checklist": ratio(c["checklist_yes"], 5 * completed),
            "inspection": self.inspection_avg,
        }
        self.veto = c["conduct"] > 0

    def points(self, code: str) -> float | None:
        """The KPI on a 0–100 scale, better is higher."""
        value = self.values.get(code)
        if value is None:
            return None
        if code == "inspection":
            return max(0.0, min(100.0, value))
        kpi = next(k for k in KPIS if k.code == code)
        value = min(max(value, 0.0), 1.0)
        return value * 100 if kpi.higher_is_better else (1 - value) * 100

    def compute_score(self, weights: dict[str, Decimal]) -> None:
        total_weight = Decimal("0")
        weighted = Decimal("0")
        for code in KPI_CODES:
            w = weights.get(code, Decimal("0"))
            p = self.points(code)
            if p is None or w <= 0:
                continue
            total_weight += w
            weighted += w * Decimal(str(p))
        if total_weight == 0:
            self.base_score = self.score = None
            return
        self.base_score = (weighted / total_weight).quantize(Decimal("0.01"), ROUND_HALF_UP)
        self.score = self.base_score + self.reward_points - self.penalty_points

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        for name in (
            "reward_points",
            "penalty_points",
            "reward_amount",
            "penalty_amount",
            "base_score",
            "score",
        ):
            data[name] = None if data[name] is None else str(data[name])
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AssessmentLine:
        data = dict(data)
        for name in ("reward_points", "penalty_points", "reward_amount", "penalty_amount"):
            data[name] = Decimal(data.get(name) or "0")
        for name in ("base_score", "score"):
            data[name] = None if data.get(name) is None else Decimal(data[name])
        return cls(**data)


def rank_lines(lines: list[AssessmentLine]) -> list[AssessmentLine]:
    """评比: the highest score first (equal scores share a rank); no score next; vetoed lines (一票否决) last."""
    ordered = sorted(
        lines,
        key=lambda x: (x.veto, x.score is None, -(x.score or 0), x.label),
    )
    previous: tuple | None = None
    for position, line in enumerate(ordered, start=1):
        mark = (line.veto, line.score)
        line.rank = previous[1] if previous and previous[0] == mark and not line.veto else position
        previous = (mark, line.rank)
    return ordered


def current_weights() -> dict[str, Decimal]:
    return {w.kpi: w.weight for w in AssessmentWeight.objects.all()}


def assessment(
    month: date, level: str = "crew", *, now: datetime | None = None, weights: dict | None = None
) -> list[AssessmentLine]:
    """The live assessment of a month, per crew or per worker, ranked. Eight queries whatever the data size:
    the crews or workers, completed orders, their first-time fixes, follow-ups, complaints, inspections,
    rewards and penalties, weights."""
    if level not in ("crew", "worker"):
        raise ValidationError({"level": [_("Choose crew or worker.")]})
    period = period_containing("month", month)
    start, end = period.start_at, period.end_at
    key = "crew_id" if level == "crew" else "worker_id"

    if level == "crew":
        entities = {c.id: AssessmentLine(key=c.id, label=c.name) for c in Crew.objects.filter(active=True)}
    else:
        entities = {
            w.id: AssessmentLine(key=w.id, label=w.name, crew=w.crew.name)
            for w in Worker.objects.filter(active=True).select_related("crew")
        }

    def add(rows: Iterable[dict], k: str = key) -> None:
        for r in rows:
            line = entities.get(r[k])
            if line is None:
                continue
            for name, value in r.items():
                if name in line.counts:
                    line.counts[name] += value or 0

    # Completed orders of the month: time KPIs, rework, 六个一.
    completed = WorkOrder.objects.filter(
        completed_at__gte=start, completed_at__lt=end, **{f"{key}__isnull": False}
    )
    yes = {
        f"_{name}": Count("id", filter=Q(**{name: True}))
        for name in (
            "checklist_greeting",
            "checklist_shoe_covers",
            "checklist_cloth",
            "checklist_inspection",
            "checklist_note_left",
        )
    }
    order_rows = list(
        completed.values(key)
        .annotate(
            completed=Count("id"),
            accept_ok=Count("id", filter=Q(accepted_at__lte=F("respond_by"))),
            arrive_due=Count("id", filter=Q(arrive_by__isnull=False)),
            arrive_ok=Count("id", filter=Q(arrive_by__isnull=False, arrived_at__lte=F("arrive_by"))),
            complete_ok=Count("id", filter=Q(completed_at__lte=F("complete_by"))),
            reworked=Count("id", filter=Q(rework_count__gt=0)),
            **yes,
        )
        .order_by(key)
    )
    for r in order_rows:
        r["checklist_yes"] = sum(r.pop(name) for name in yes)
    add(order_rows)
    # First-time fixes: the completed orders with no re-report (an order of the same room, or facility, and
    # category, not cancelled, created within FIRST_FIX_DAYS after the completion). A query of its own with
    # the two NOT EXISTS in WHERE, which PostgreSQL runs as anti-joins over the orders created in the month
    # and FIRST_FIX_DAYS after (bounds implied by the correlation, spelled out so the planner can use them):
    # as a conditional count in the query above it was a probe per completed order, and at 1M orders the
    # plan's cost crossed the JIT threshold (that query 181 → 12 ms, this one 39 ms).
    rereport = WorkOrder.objects.exclude(status=Status.CANCELLED).filter(
        category_id=OuterRef("category_id"),
        created_at__gt=OuterRef("completed_at"),
        created_at__lte=OuterRef("completed_at") + timedelta(days=FIRST_FIX_DAYS),
        created_at__gte=start,
        created_at__lt=end + timedelta(days=FIRST_FIX_DAYS),
    )
    add(
        completed.filter(
            ~Exists(rereport.filter(room_id=OuterRef("room_id"))),
            ~Exists(rereport.filter(facility_id=OuterRef("facility_id"))),
        )
        .values(key)
        .annotate(first_fix=Count("id"))
        .order_by(key)
    )

    # Follow-ups due in the month, attributed to whoever did the completion they rate.
    add(
        FollowUp.objects.filter(due_at__gte=start, due_at__lt=min(end, now or timezone.now()))
        .values(key)
        .annotate(
            due=Count("id"),
            contacted=Count("id", filter=~Q(outcome="")),
            reached=Count("id", filter=Q(outcome=Outcome.REACHED)),
            good=Count(
                "id",
                filter=Q(
                    outcome=Outcome.REACHED, verdict__in=[Verdict.SATISFIED, Verdict.BASICALLY_SATISFIED]
                ),
            ),
        )
        .order_by(key)
    )
    # Complaints received in the month; a valid one of a conduct type is a veto.
    add(
        Complaint.objects.filter(received_at__gte=start, received_at__lt=end, **{f"{key}__isnull": False})
        .values(key)
        .annotate(
            complaints=Count("id"),
            valid_complaints=Count("id", filter=Q(valid=True)),
            conduct=Count("id", filter=Q(valid=True, type__is_conduct=True)),
        )
        .order_by(key)
    )
    # Quality inspections recorded in the month (total of the four 0–25 scores).
    inspection_key = "crew_id" if level == "crew" else "work_order__worker_id"
    for r in (
        QualityInspection.objects.filter(inspected_at__gte=start, inspected_at__lt=end)
        .exclude(status=InspectionStatus.PENDING)
        .values(inspection_key)
        .annotate(
            inspections=Count("id"),
            inspections_failed=Count("id", filter=Q(status=InspectionStatus.FAILED)),
            avg=Avg(
                F("score_workmanship") + F("score_cleanliness") + F("score_checklist") + F("score_safety")
            ),
        )
        .order_by(inspection_key)
    ):
        line = entities.get(r[inspection_key])
        if line is not None:
            line.counts["inspections"] += r["inspections"]
            line.counts["inspections_failed"] += r["inspections_failed"]
            line.inspection_avg = float(r["avg"]) if r["avg"] is not None else None
    # Rewards and penalties dated in the month (a crew counts all of its records, a worker their own).
    for r in (
        RewardPenalty.objects.filter(date__gte=period.start, date__lt=period.end, **{f"{key}__isnull": False})
        .values(key)
        .annotate(
            reward_points=Sum("points", filter=Q(kind=RewardKind.REWARD)),
            penalty_points=Sum("points", filter=Q(kind=RewardKind.PENALTY)),
            reward_amount=Sum("amount", filter=Q(kind=RewardKind.REWARD)),
            penalty_amount=Sum("amount", filter=Q(kind=RewardKind.PENALTY)),
        )
        .order_by(key)
    ):
        line = entities.get(r[key])
        if line is not None:
            for name in ("reward_points", "penalty_points", "reward_amount", "penalty_amount"):
                setattr(line, name, Decimal(r[name] or 0))

    weights = current_weights() if weights is None else weights
    lines = list(entities.values())
    for line in lines:
        line.compute_values()
        line.compute_score(weights)
    return rank_lines(lines)


@dataclass
class FrozenAssessment:
    snapshot: AssessmentSnapshot
    lines: list[AssessmentLine]


def frozen_assessment(month: date, level: str = "crew") -> FrozenAssessment | None:
    """The published (frozen) assessment of the month, if any: two queries."""
    snapshot = (
        AssessmentSnapshot.objects.select_related("frozen_by")
        .filter(month=month.replace(day=1), level=level)
        .first()
    )
    if snapshot is None:
        return None
    lines = [AssessmentLine.from_json(row.kpis) for row in snapshot.rows.order_by("rank", "id")]
    return FrozenAssessment(snapshot, lines)


def compare(live: list[AssessmentLine], frozen: FrozenAssessment | None) -> list[dict]:
    """Live and frozen side by side, in the frozen order when there is one, then whatever is new."""
    if frozen is None:
        return [{"key": line.key, "live": line, "frozen": None, "changed": False} for line in live]
    by_key = {line.key: line for line in live}
    out = []
    for f in frozen.lines:
        line = by_key.pop(f.key, None)
        changed = line is None or line.score != f.score or line.rank != f.rank or line.veto != f.veto
        out.append({"key": f.key, "live": line, "frozen": f, "changed": changed})
    for line in by_key.values():
        out.append({"key": line.key, "live": line, "frozen": None, "changed": True})
    return out
