"""Excel workbooks (openpyxl) of the reports and of the order list: a title, the filters written on the
sheet, translated headers, one row per report row and a total row — so a printed sheet says what it shows."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .choices import RATINGS
from .reports.assessment import KPIS, AssessmentLine
from .reports.hazards import HazardReport
from .reports.hotspots import AgingPlaces, Hotspots
from .reports.outages import OUTAGE_KINDS, OutageReport
from .reports.rounds import RoundsReport
from .reports.satisfaction import SatisfactionReport
from .reports.sla import SlaReport
from .reports.volume import VolumeReport

HEADER_FILL = PatternFill("solid", fgColor="FFEDEDED")
PERCENT = "0.0%"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Sheet:
    """A report sheet: title, filters (label: value lines), then a header row and data rows."""

    def __init__(self, ws, title: str, filters: Sequence[tuple[str, str]]) -> None:
        self.ws = ws
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
        for label, value in filters:
            ws.append([label, value])
        ws.append([])
        self.widths: dict[int, int] = {}

    def header(self, labels: Sequence[str]) -> None:
        self.ws.append([str(x) for x in labels])
        row = self.ws.max_row
        for col in range(1, len(labels) + 1):
            cell = self.ws.cell(row=row, column=col)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            self.widths[col] = max(self.widths.get(col, 8), min(len(str(labels[col - 1])) * 2 + 2, 30))
        if not self.ws.freeze_panes:
            self.ws.freeze_panes = f"A{row + 1}"

    def row(self, values: Sequence[Any], percent: Iterable[int] = (), bold: bool = False) -> None:
        self.ws.append(list(values))
        r = self.ws.max_row
        for col in percent:
            self.ws.cell(row=r, column=col).number_format = PERCENT
        if bold:
            for col in range(1, len(values) + 1):
                self.ws.cell(row=r, column=col).font = Font(bold=True)

    def finish(self) -> None:
        for col, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width


def _workbook(tab: str, title: str, filters: Sequence[tuple[str, str]]) -> tuple[Workbook, Sheet]:
    """A new workbook whose first tab (`tab`, cut to Excel's 31 characters) is a report sheet."""
    wb = Workbook()
    wb.active.title = str(tab)[:31]
    return wb, Sheet(wb.active, title, filters)


def _bytes(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def satisfaction_workbook(report: SatisfactionReport) -> bytes:
    wb, sheet = _workbook(
        _("Satisfaction"),
        _("Satisfaction report"),
        [
            (_("Period"), report.period.label),
            (_("Compared with"), report.previous.label),
            (_("Grouped by"), report.grouping_title),
        ],
    )
    sheet.header(
        [
            report.grouping_title,
            _("Follow-ups due"),
            _("Reached"),
            _("Follow-up rate (回访率)"),
            _("Satisfied"),
            _("Basically satisfied"),
            _("Dissatisfied"),
            _("Satisfaction (满意率)"),
            _("Wilson lower bound (95 percent)"),
            _("Wilson upper bound (95 percent)"),
            _("Previous period rate"),
            _("Change (percentage points)"),
            _("p-value"),
            _("Significant (α=0.05)"),
            *[str(label) for _key, label in RATINGS],
        ]
    )
    for row in [*report.rows, report.total]:
        sheet.row(
            [
                row.label,
                row.due,
                row.reached,
                _round(row.follow_up_rate),
                row.satisfied,
                row.basically_satisfied,
                row.dissatisfied,
                _round(row.rate),
                _round(row.ci_low),
                _round(row.ci_high),
                _round(row.prev_rate),
                _round(row.delta_pp, 2),
                _round(row.p_value),
                "" if row.significant is None else (_("Yes") if row.significant else _("No")),
                *[_round(row.ratings.get(k), 2) for k, _label in RATINGS],
            ],
            percent=(4, 8, 9, 10, 11),
            bold=row is report.total,
        )
    sheet.finish()
    return _bytes(wb)


def sla_workbook(report: SlaReport, overdue: Sequence = ()) -> bytes:
    wb, sheet = _workbook(
        _("SLA"),
        _("SLA compliance"),
        [(_("Period"), report.period.label), (_("Grouped by"), report.grouping_title)],
    )
    sheet.header(
        [
            report.grouping_title,
            _("Orders"),
            _("Response due"),
            _("Responded on time"),
            _("On-time response"),
            _("Arrival due"),
            _("Arrived on time"),
            _("On-time arrival"),
            _("Completion due"),
            _("Completed on time"),
            _("On-time completion"),
        ]
    )
    for row in [*report.rows, report.total]:
        sheet.row(
            [
                row.label,
                row.orders,
                row.respond_due,
                row.respond_ok,
                _round(row.respond_rate),
                row.arrive_due,
                row.arrive_ok,
                _round(row.arrive_rate),
                row.complete_due,
                row.complete_ok,
                _round(row.complete_rate),
            ],
            percent=(5, 8, 11),
            bold=row is report.total,
        )
    sheet.finish()
    ws = wb.create_sheet(_("Overdue")[:31])
    sheet = Sheet(ws, _("Overdue orders"), [])
    sheet.header([_("Order"), _("Category"), _("Location"), _("Status"), _("Deadline"), _("Held by")])
    for order in overdue:
        sheet.row(
            [
                order.number,
                str(order.category),
                order.location_label,
                order.get_status_display(),
                timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M") if order.due_at else "",
                str(order.current_holder or ""),
            ]
        )
    sheet.finish()
    return _bytes(wb)


def volume_workbook(report: VolumeReport, spots: Hotspots) -> bytes:
    wb, sheet = _workbook(_("Volume"), _("Volume and hotspots"), [(_("Period"), report.period.label)])
    sheet.header([_("Category"), _("Orders")])
    for r in report.by_category:
        sheet.row([r["label"], r["orders"]])
    sheet.row([_("Total"), report.total], bold=True)
    sheet.row([])
    sheet.header([_("District"), _("Orders")])
    for r in report.by_district:
        sheet.row([r["label"], r["orders"]])
    sheet.row([])
    sheet.header([_("Hour of day"), _("Orders")])
    for hour, n in enumerate(report.by_hour):
        sheet.row([f"{hour:02d}:00", n])
    sheet.finish()
    ws = wb.create_sheet(_("Hotspots")[:31])
    sheet = Sheet(
        ws,
        _("Repeat-failure hotspots"),
        [(_("Window (days)"), str(spots.days)), (_("At least (orders)"), str(spots.min_orders))],
    )
    sheet.header([_("Room"), _("System"), _("Orders")])
    for r in spots.rooms:
        sheet.row([r["label"], r["system"], r["orders"]])
    sheet.row([])
    sheet.header([_("Building"), _("System"), _("Orders")])
    for r in spots.buildings:
        sheet.row([r["label"], r["system"], r["orders"]])
    sheet.row([])
    sheet.row([])
    sheet.header([_("Public facility"), _("System"), _("Orders")])
    for r in spots.facilities:
        sheet.row([r["label"], r["system"], r["orders"]])
    sheet.row([])
    sheet.header(
        [_("Building or facility"), _("System"), _("Last 90 days"), _("90 days before"), _("Growth")]
    )
    for r in spots.growing:
        sheet.row([r["label"], r["system"], r["current"], r["before"], _round(r["growth_pct"])], percent=(5,))
    sheet.finish()
    return _bytes(wb)


def assessment_workbook(
    lines: Sequence[AssessmentLine], *, month_label: str, level_label: str, frozen: str
) -> bytes:
    wb, sheet = _workbook(
        _("Assessment"),
        _("Monthly assessment"),
        [(_("Month"), month_label), (_("Level"), level_label), (_("Figures"), frozen)],
    )
    sheet.header(
        [
            _("Rank"),
            _("Name"),
            _("Crew"),
            *[str(k.label) for k in KPIS],
            _("Completed orders"),
            _("Reward points"),
            _("Penalty points"),
            _("Score"),
            _("Veto (一票否决)"),
        ]
    )
    for line in lines:
        sheet.row(
            [
                line.rank,
                line.label,
                line.crew,
                *[_round(line.values.get(k.code), 2 if k.code == "inspection" else 4) for k in KPIS],
                line.counts["completed"],
                float(line.reward_points),
                float(line.penalty_points),
                None if line.score is None else float(line.score),
                _("Yes") if line.veto else "",
            ],
            percent=range(4, 4 + len(KPIS) - 1),
        )
    sheet.finish()
    return _bytes(wb)


# (key, header, column width in characters): widths sized for the content (a Chinese character counts two).
ORDER_COLUMNS = (
    ("number", gettext_noop("Order number"), 15),
    ("created", gettext_noop("Created at"), 17),
    ("status", gettext_noop("Status"), 9),
    ("urgency", gettext_noop("Urgency"), 8),
    ("category", gettext_noop("Category"), 30),
    ("location", gettext_noop("Location"), 26),
    ("reporter", gettext_noop("Reporter"), 10),
    ("phone", gettext_noop("Reporter phone"), 14),
    ("crew", gettext_noop("Crew"), 12),
    ("worker", gettext_noop("Worker"), 10),
    ("respond_by", gettext_noop("Respond by"), 17),
    ("accepted", gettext_noop("Accepted at"), 17),
    ("arrived", gettext_noop("Arrived at"), 17),
    ("completed", gettext_noop("Completed at"), 17),
    ("rework", gettext_noop("Rework"), 7),
    ("fee", gettext_noop("Fee"), 9),
)
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_KEYS = frozenset({"created", "respond_by", "accepted", "arrived", "completed"})
MONEY_FORMAT = "#,##0.00"
CHUNK = 500


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def orders_queryset(user, params: dict[str, Any]):
    """The order list as the user sees it (work_orders_visible_to) with the list's FilterSet applied, and the
    filters as (label, value) lines for the sheet. Raises ValidationError on bad filters."""
    from django.core.exceptions import ValidationError
    from django.http import QueryDict

    from workorders.filtersets import WorkOrderFilterSet
    from workorders.selectors import with_list_relations, work_orders_visible_to

    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, value if isinstance(value, list) else [value])
    fs = WorkOrderFilterSet(data=data, queryset=work_orders_visible_to(user))
    if not fs.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in fs.errors.items()})
    lines = []
    for name, f in fs.filters.items():
        value = fs.form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        if isinstance(value, list | tuple):
            choices = dict(getattr(f, "extra", {}).get("choices", []) or [])
            text = "、".join(str(choices.get(v, v)) for v in value)
        elif isinstance(value, bool):
            text = _("Yes") if value else _("No")
        elif hasattr(value, "strftime"):
            text = _when(value)
        else:
            text = str(value)
        lines.append((str(f.label or name), text))
    qs = with_list_relations(fs.qs).order_by("-created_at", "-id")
    return qs, lines


PROGRESS_STEPS = 20  # a large export saves its progress 20 times (every 5%), whatever its size


# What a row of the order export reads (one query, no model instances).
ORDER_ROW_FIELDS = (
    "number",
    "created_at",
    "status",
    "urgency",
    "category__name",
    "category__parent__name",
    "location_label",
    "reporter_name",
    "reporter__name",
    "reporter_phone",
    "crew__name",
    "worker__name",
    "respond_by",
    "accepted_at",
    "arrived_at",
    "completed_at",
    "is_rework",
    "fee",
)


def orders_export(
    user, params: dict[str, Any], *, progress: Callable[[int, int], None] | None = None
) -> tuple[str, bytes]:
    """The filtered order list as a workbook. Phones are masked unless the user may see them in full
    (residents.selectors.show_phone). One query reads the rows in chunks of CHUNK (a server-side cursor on
    PostgreSQL), as plain values: no model instances, and the status and urgency labels are looked up once,
    not per row. `progress(done, total)` is called PROGRESS_STEPS times at most, so the queries of a job do
    not grow with its rows."""
    from residents.selectors import show_phone
    from workorders.choices import Status, Urgency

    qs, filters = orders_queryset(user, params)
    total = qs.count()
    statuses = {value: str(label) for value, label in Status.choices}
    urgencies = {value: str(label) for value, label in Urgency.choices}
    yes = _("Yes")
    tz = timezone.get_current_timezone()

    def when(value):
        # A real Excel date (Excel has no time zones: the base's local time, without the zone).
        return value.astimezone(tz).replace(tzinfo=None) if value else None

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Work orders")[:31])
    # Write-only sheets take their layout before the rows: widths, the header frozen, filters over the table.
    header_row = 6
    for col, (_key, _label, width) in enumerate(ORDER_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    last = get_column_letter(len(ORDER_COLUMNS))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + max(total, 1)}"
    ws.append([_("Work orders")])
    ws.append([_("Exported at"), when(timezone.now())])
    ws.append([_("Filters"), "；".join(f"{k}：{v}" for k, v in filters) or _("none")])
    ws.append([_("Rows"), total])
    ws.append([])
    ws.append(_order_header(ws))
    cells = _order_cells(ws)

    rows = qs.values_list(*ORDER_ROW_FIELDS, named=True)
    # Progress at every 1/PROGRESS_STEPS of the rows, then at the end: PROGRESS_STEPS updates for any export
    # of PROGRESS_STEPS rows or more (the large ones run as jobs), not one per chunk.
    marks = {total * k // PROGRESS_STEPS for k in range(1, PROGRESS_STEPS)}
    done = 0
    for o in rows.iterator(chunk_size=CHUNK):
        ws.append(
            cells(
                [
                    o.number,
                    when(o.created_at),
                    statuses.get(o.status, o.status),
                    urgencies.get(o.urgency, o.urgency),
                    f"{o.category__parent__name}/{o.category__name}"  # as str(category)
                    if o.category__parent__name is not None
                    else o.category__name,
                    o.location_label,
                    # The name given at intake, else the registered caller's.
                    o.reporter_name or o.reporter__name or "",
                    show_phone(user, o.reporter_phone),
                    o.crew__name or "",
                    o.worker__name or "",
                    when(o.respond_by),
                    when(o.accepted_at),
                    when(o.arrived_at),
                    when(o.completed_at),
                    yes if o.is_rework else "",
                    float(o.fee),
                ]
            )
        )
        done += 1
        if progress and done in marks:
            progress(done, total)
    if progress:
        progress(done, total)
    filename = f"orders-{timezone.localtime():%Y%m%d-%H%M%S}.xlsx"
    return filename, _bytes(wb)


def _order_header(ws) -> list:
    header = []
    for _key, label, _width in ORDER_COLUMNS:
        cell = WriteOnlyCell(ws, value=_(label))
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        header.append(cell)
    return header


def _order_cells(ws) -> Callable[[list], list]:
    """A row's cells: dates as Excel dates, the last column (the fee) as money."""
    date_columns = {i for i, (key, _l, _w) in enumerate(ORDER_COLUMNS) if key in DATE_KEYS}

    def cells(values: list) -> list:
        out = []
        for i, value in enumerate(values):
            if i in date_columns and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATETIME_FORMAT
                out.append(cell)
            elif i == len(values) - 1:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = MONEY_FORMAT
                out.append(cell)
            else:
                out.append(value)
        return out

    return cells


# --- The three systems in operation: rounds, hazards, outages, aging places ----------------------------------


def rounds_workbook(report: RoundsReport) -> bytes:
    wb, sheet = _workbook(_("Rounds"), _("Rounds done on time"), [(_("Period"), report.period.label)])
    sheet.header(
        [
            _("Crew"),
            _("Month"),
            _("Rounds"),
            _("Done on time"),
            _("Done late"),
            _("Missed"),
            _("Overdue"),
            _("Not yet due"),
            _("On-time rate"),
        ]
    )
    for row in [*report.rows, report.total]:
        c = row.counts
        month = f"{row.month:%Y-%m}" if row.month else ""
        values = [row.crew, month, c["total"], c["on_time"], c["late"], c["missed"], c["overdue"]]
        sheet.row([*values, row.pending, _round(row.rate)], percent=(9,), bold=row is report.total)
    sheet.finish()
    return _bytes(wb)


def hazards_workbook(report: HazardReport) -> bytes:
    wb, sheet = _workbook(
        _("Hazards"),
        _("Hazards found and fixed"),
        [(_("Period"), report.period.label), (_("Grouped by"), report.grouping_title)],
    )
    sheet.header(
        [
            report.grouping_title,
            _("Found"),
            _("Fixed"),
            _("Verified"),
            _("Rectified on time"),
            _("Rectified late"),
            _("Overdue now"),
            _("On-time rate"),
            _("Mean days to rectify"),
        ]
    )
    for row in [*report.rows, report.total]:
        c = row.counts
        values = [row.label, c["found"], c["fixed"], c["verified"], c["on_time"], c["late"], c["overdue"]]
        sheet.row(
            [*values, _round(row.rate), _round(row.mean_days, 2)], percent=(8,), bold=row is report.total
        )
    sheet.finish()
    return _bytes(wb)


def outages_workbook(report: OutageReport) -> bytes:
    from workorders.choices import IncidentKind

    wb, sheet = _workbook(_("Outages"), _("Outages by system"), [(_("Period"), report.period.label)])
    sheet.header([_("System"), _("Kind"), _("Outages"), _("Affected homes"), _("Hours"), _("Homes × hours")])
    for row in [*report.rows, report.total]:
        parts = [(str(IncidentKind(k).label), row.by_kind[k]) for k in OUTAGE_KINDS]
        for kind, fig in [*parts, (str(_("All")), row.total)]:
            values = [
                row.label,
                kind,
                fig.outages,
                fig.homes,
                _round(fig.hours, 2),
                _round(fig.home_hours, 1),
            ]
            sheet.row(values, bold=row is report.total)
    sheet.finish()
    return _bytes(wb)


def aging_workbook(places: AgingPlaces) -> bytes:
    wb, sheet = _workbook(_("Aging places"), _("Aging infrastructure"), [(_("Period"), places.period.label)])
    for title, rows in ((_("Building"), places.buildings), (_("Public facility"), places.facilities)):
        sheet.header([title, _("Repairs"), _("Hazards"), _("Overdue hazards"), _("Together")])
        for r in rows:
            sheet.row([r["label"], r["orders"], r["hazards"], r["overdue"], r["total"]])
        sheet.row([])
    sheet.finish()
    return _bytes(wb)
