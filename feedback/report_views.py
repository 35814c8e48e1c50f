"""Report pages of the three systems in operation (managers): rounds done on time, hazards found and fixed,
outages by system, and the aging-infrastructure view. Kept apart from feedback.views only for size; they
share its period helpers and follow its pattern (the period filters, `?format=xlsx` for the Excel export,
400 with the error shown on bad input)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from workorders.choices import IncidentKind

from . import exports
from .permissions import can_view_reports
from .reports.hazards import HAZARD_GROUPS, hazard_report
from .reports.hotspots import aging_places
from .reports.outages import OUTAGE_KINDS, outage_report
from .reports.rounds import rounds_report
from .views import _period, _period_context, _report_page, _require

# What each count of the hazard report opens in the register (operations.filtersets.HazardFilterSet).
HAZARD_COUNT_FILTERS = {
    "found": [],
    "fixed": [("status", "rectified"), ("status", "verified")],
    "verified": [("status", "verified")],
    "on_time": [("rectified", "on_time")],
    "late": [("rectified", "late")],
    "overdue": [("overdue", "true")],
}


def hazard_links(report) -> None:
    """Give each row of the hazard report `links`: count name → the register filtered to the row's group, the
    period and that count. A row without a key (hazards of no system) gets none."""
    base = reverse("operations:hazard_list")
    period = [
        ("found_after", report.period.start_at.isoformat()),
        ("found_before", report.period.end_at.isoformat()),
    ]
    for row in [*report.rows, report.total]:
        if row is not report.total and row.key in (None, ""):
            row.links = {}
            continue
        group = [] if row is report.total else [(report.group_by, row.key)]
        row.links = {
            name: f"{base}?{urlencode([*group, *period, *extra])}"
            for name, extra in HAZARD_COUNT_FILTERS.items()
        }


@login_required
@require_GET
def report_rounds(request):
    """Rounds (巡检) due in the period per crew and month: done on time, late, missed, overdue; one query."""
    _require(can_view_reports(request.user))
    period, errors = _period(request)
    report = rounds_report(period)
    context = {"report": report, **_period_context(request, period, {}, "")}
    return _report_page(request, "rounds", period, errors, context, lambda: exports.rounds_workbook(report))


@login_required
@require_GET
def report_hazards(request):
    """Hazards found in the period per system, crew or district; each count opens the hazard register."""
    _require(can_view_reports(request.user))
    period, errors = _period(request)
    group_by = request.GET.get("group_by") or "system"
    if group_by not in HAZARD_GROUPS:
        errors.append(_("Group by one of: %(choices)s.") % {"choices": ", ".join(HAZARD_GROUPS)})
        group_by = "system"
    report = hazard_report(period, group_by)
    hazard_links(report)
    context = {
        "report": report,
        "count_names": list(HAZARD_COUNT_FILTERS),
        **_period_context(request, period, HAZARD_GROUPS, group_by),
    }
    return _report_page(request, "hazards", period, errors, context, lambda: exports.hazards_workbook(report))


@login_required
@require_GET
def report_outages(request):
    """Outages on during the period by system, planned and sudden: count, homes, hours, homes × hours."""
    _require(can_view_reports(request.user))
    period, errors = _period(request)
    report = outage_report(period)
    context = {
        "report": report,
        "kind_choices": [(k, IncidentKind(k).label) for k in OUTAGE_KINDS],
        **_period_context(request, period, {}, ""),
    }
    return _report_page(request, "outages", period, errors, context, lambda: exports.outages_workbook(report))


@login_required
@require_GET
def report_infrastructure(request):
    """The aging-infrastructure view: the buildings and facilities with the most repairs and hazards together;
    each count opens the orders or the hazards of that place in the period."""
    _require(can_view_reports(request.user))
    period, errors = _period(request)
    places = aging_places(period)
    context = {"places": places, **_period_context(request, period, {}, "")}
    return _report_page(
        request, "infrastructure", period, errors, context, lambda: exports.aging_workbook(places)
    )
