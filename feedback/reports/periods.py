"""A report's axes: the period (week, month, quarter, custom range) and the grouping of its rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workorders.choices import Urgency

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
    def orders_query(self) -> str:
        """The order list's query for the live orders created in the period, as the reports count them."""
        return urlencode(
            {
                "live": "true",
                "created_after": self.start_at.isoformat(),
                "created_before": self.end_at.isoformat(),
            }
        )

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
