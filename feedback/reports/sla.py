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
