"""SLA compliance per deadline, the overdue list, and open complaints by deadline (dashboard)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Case, Count, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.selectors import overdue, with_list_relations

from ..choices import ComplaintStatus
from ..models import Complaint
from .periods import SLA_GROUPS, Period, _group, _label, _local_midnight
from .stats import ratio

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
    def milestones(self) -> list[tuple[str, float | None, int, int, int]]:
        """(milestone, rate, ok, due, late) for respond, arrive, complete: what a row shows and links."""
        return [
            (
                m,
                on_time_rates(self)[f"on_time_{k}"],
                getattr(self, f"{m}_ok"),
                getattr(self, f"{m}_due"),
                getattr(self, f"{m}_late"),
            )
            for m, k in (("respond", "accept"), ("arrive", "arrive"), ("complete", "complete"))
        ]

    @property
    def respond_late(self) -> int:
        return self.respond_due - self.respond_ok

    @property
    def arrive_late(self) -> int:
        return self.arrive_due - self.arrive_ok

    @property
    def complete_late(self) -> int:
        return self.complete_due - self.complete_ok

    @property
    def respond_rate(self) -> float | None:
        return on_time_rates(self)["on_time_accept"]

    @property
    def arrive_rate(self) -> float | None:
        return on_time_rates(self)["on_time_arrive"]

    @property
    def complete_rate(self) -> float | None:
        return on_time_rates(self)["on_time_complete"]


@dataclass
class SlaReport:
    period: Period
    group_by: str
    grouping_title: str
    rows: list[SlaRow]
    total: SlaRow


SLA_COUNTS = ("orders", "respond_due", "respond_ok", "arrive_due", "arrive_ok", "complete_due", "complete_ok")


def on_time_conditions(now: datetime) -> dict[str, Q]:
    """THE definition of the on-time figures (按时接单率, 按时到场率, 按时办结率), used by the SLA report, the
    dashboard's service-time table and crew ranking, the assessment, the API and the lists those figures
    open, as one condition per count.

    Over the orders of `on_time_population`, a deadline counts once it is *due*: met (the milestone is
    stamped) or passed without it while the clock runs (an order on hold has no running deadline). It is *ok*
    when the milestone came by the deadline. Hold time is excluded because resuming moves the deadlines on.
    The rate is ok ÷ due (`on_time_rates`)."""
    running = Q(on_hold_since__isnull=True)  # on hold: the clock is paused, the deadline not yet decided
    return {
        "respond_due": Q(accepted_at__isnull=False) | Q(respond_by__lt=now) & running,
        "respond_ok": Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by")),
        "arrive_due": Q(arrive_by__isnull=False)
        & (Q(arrived_at__isnull=False) | Q(arrive_by__lt=now) & running),
        "arrive_ok": Q(arrive_by__isnull=False, arrived_at__isnull=False, arrived_at__lte=F("arrive_by")),
        "complete_due": Q(completed_at__isnull=False) | Q(complete_by__lt=now) & running,
        "complete_ok": Q(completed_at__isnull=False, completed_at__lte=F("complete_by")),
    }


def on_time_aggregates(now: datetime) -> dict[str, Count]:
    """The counts of `on_time_conditions` (and of all orders) as aggregates."""
    return {"orders": Count("id"), **{k: Count("id", filter=q) for k, q in on_time_conditions(now).items()}}


def late_condition(milestone: str, now: datetime) -> Q:
    """Orders whose `milestone` deadline (respond, arrive, complete) is due and was not met: due minus ok."""
    c = on_time_conditions(now)
    return c[f"{milestone}_due"] & ~c[f"{milestone}_ok"]


def on_time_population(start: datetime, end: datetime):
    """The orders the on-time figures of a period are about: those created in [start, end), not cancelled."""
    return WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end).exclude(
        status=Status.CANCELLED
    )


def on_time_rates(counts) -> dict[str, float | None]:
    """The three on-time rates from `on_time_aggregates` counts (a dict or an object with those attributes)."""
    get = counts.get if isinstance(counts, dict) else lambda name, default=0: getattr(counts, name, default)
    return {
        "on_time_accept": ratio(get("respond_ok", 0), get("respond_due", 0)),
        "on_time_arrive": ratio(get("arrive_ok", 0), get("arrive_due", 0)),
        "on_time_complete": ratio(get("complete_ok", 0), get("complete_due", 0)),
    }


def sla_report(period: Period, group_by: str = "crew", *, now: datetime | None = None) -> SlaReport:
    """On-time rates of the orders created in the period, per crew, category or urgency: one query."""
    now = now or timezone.now()
    name, grouping = _group(SLA_GROUPS, group_by)
    rows = [
        SlaRow(key=r[grouping.key], label=_label(r, grouping), **{k: r[k] for k in SLA_COUNTS})
        for r in on_time_population(period.start_at, period.end_at)
        .values(grouping.key, *grouping.labels)
        .annotate(**on_time_aggregates(now))
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


# --- Open complaints by deadline (dashboard) ------------------------------------------------------------


COMPLAINT_BUCKETS = ("overdue", "today", "soon", "later")


def complaint_buckets(now: datetime) -> dict[str, Q]:
    """The deadline buckets of open complaints, over the `deadline` annotation (open_complaints_with_deadline):
    overdue, due today, within three days, later. The dashboard counts them and the complaint list filters
    by them, so a bucket's count and its list agree."""
    today_end = _local_midnight(timezone.localdate(now) + timedelta(days=1))
    return {
        "overdue": Q(deadline__lt=now),
        "today": Q(deadline__gte=now, deadline__lt=today_end),
        "soon": Q(deadline__gte=today_end, deadline__lt=today_end + timedelta(days=3)),
        "later": Q(deadline__gte=today_end + timedelta(days=3)),
    }


def open_complaints_with_deadline(qs):
    """Open complaints annotated with their next unmet deadline (contact → decide → close)."""
    next_deadline = Case(
        When(contacted_at__isnull=True, then=F("contact_by")),
        When(decided_at__isnull=True, then=F("decide_by")),
        default=F("close_by"),
    )
    return qs.exclude(status=ComplaintStatus.CLOSED).annotate(deadline=next_deadline)


def open_complaints_by_deadline(*, now: datetime | None = None) -> dict[str, int]:
    """Open complaints by their next unmet deadline: overdue, due today, within three days, later
    (complaint_buckets). One query."""
    now = now or timezone.now()
    buckets = complaint_buckets(now)
    return open_complaints_with_deadline(Complaint.objects.all()).aggregate(
        open=Count("id"), **{name: Count("id", filter=q) for name, q in buckets.items()}
    )
