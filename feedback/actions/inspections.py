"""Quality inspections (质量抽检): the weekly sample and the inspector's scores."""

from __future__ import annotations

import contextlib
import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workorders.actions import TransitionNotAllowed
from workorders.actions.closing import rework_order
from workorders.choices import Status
from workorders.models import WorkOrder

from .. import conf
from ..choices import AlertKind, InspectionReason, InspectionStatus
from ..models import QualityInspection
from ..permissions import can_inspect
from .notifications import raise_alert

# --- Quality inspections ------------------------------------------------------------------------------------


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def draw_inspection_sample(
    *, week: date | None = None, percent: int | None = None, now: datetime | None = None
) -> int:
    """The week's spot checks: per crew, PERCENT% (rounded up) of the orders it completed last week, drawn
    at random with a seed of week and crew (so a second beat draws the same sample), plus every order of
    last week with a complaint. Unique per (order, week): running it twice adds nothing."""
    now = now or timezone.now()
    week = week or week_of(timezone.localdate(now))
    percent = conf.get("INSPECTION_SAMPLE_PERCENT") if percent is None else percent
    tz = timezone.get_current_timezone()
    start = datetime.combine(week - timedelta(days=7), datetime.min.time(), tz)
    end = datetime.combine(week, datetime.min.time(), tz)
    done = WorkOrder.objects.filter(
        status__in=[Status.COMPLETED, Status.CLOSED],
        completed_at__gte=start,
        completed_at__lt=end,
        crew__isnull=False,
    )
    by_crew: dict[int, list[int]] = {}
    for crew_id, order_id in done.values_list("crew_id", "pk").order_by("crew_id", "pk"):
        by_crew.setdefault(crew_id, []).append(order_id)
    rows: dict[int, QualityInspection] = {}

    def draw(order_id: int, crew_id: int, reason: str) -> None:
        rows[order_id] = QualityInspection(
            work_order_id=order_id, crew_id=crew_id, week=week, reason=reason, created_at=now
        )

    for crew_id, ids in by_crew.items():
        k = math.ceil(len(ids) * percent / 100)
        for order_id in random.Random(f"{week.isoformat()}:{crew_id}").sample(ids, k):
            draw(order_id, crew_id, InspectionReason.RANDOM)
    complained = (
        WorkOrder.objects.filter(
            status__in=[Status.COMPLETED, Status.CLOSED],
            crew__isnull=False,
            complaints__received_at__gte=start,
            complaints__received_at__lt=end,
        )
        .values_list("pk", "crew_id")
        .distinct()
    )
    for order_id, crew_id in complained:
        draw(order_id, crew_id, InspectionReason.COMPLAINT)  # a complaint's order is inspected, drawn or not
    before = QualityInspection.objects.filter(week=week).count()
    QualityInspection.objects.bulk_create(rows.values(), ignore_conflicts=True)
    return QualityInspection.objects.filter(week=week).count() - before


SCORE_MAX = 25


def record_inspection(
    *,
    actor,
    inspection_id: int,
    workmanship: Any,
    cleanliness: Any,
    checklist: Any,
    safety: Any,
    passed: Any,
    findings: str,
    responsible_person: str,
    now: datetime | None = None,
) -> QualityInspection:
    """The score sheet (each 0–25), pass or fail, findings (检查结果) and responsible person (责任人). A fail
    sends the order back to its crew (rework) and alerts the managers."""
    now = now or timezone.now()
    if not can_inspect(actor):
        raise PermissionDenied(_("Only managers may record quality inspections."))
    errors: dict[str, list[str]] = {}
    scores = {}
    for field, value in (
        ("workmanship", workmanship),
        ("cleanliness", cleanliness),
        ("checklist", checklist),
        ("safety", safety),
    ):
        try:
            number = int(value)
            if not 0 <= number <= SCORE_MAX:
                raise ValueError
            scores[field] = number
        except (TypeError, ValueError):
            errors[field] = [_("A score from 0 to %(max)s.") % {"max": SCORE_MAX}]
    if not isinstance(passed, bool):
        errors["passed"] = [_("Choose pass or fail.")]
    findings = (findings or "").strip()
    responsible_person = (responsible_person or "").strip()[:40]
    if not findings:
        errors["findings"] = [_("Record the findings of the inspection.")]
    if not responsible_person:
        errors["responsible_person"] = [_("Name the responsible person.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        inspection = (
            QualityInspection.objects.select_for_update(of=("self",))
            .select_related("work_order")
            .get(pk=inspection_id)
        )
        if inspection.status != InspectionStatus.PENDING:
            raise ValidationError({"passed": [_("This inspection has already been recorded.")]})
        inspection.score_workmanship, inspection.score_cleanliness = (
            scores["workmanship"],
            scores["cleanliness"],
        )
        inspection.score_checklist, inspection.score_safety = scores["checklist"], scores["safety"]
        inspection.status = InspectionStatus.PASSED if passed else InspectionStatus.FAILED
        inspection.findings, inspection.responsible_person = findings, responsible_person
        inspection.inspector, inspection.inspected_at = actor, now
        inspection.save()
        if not passed:
            order = inspection.work_order
            with contextlib.suppress(TransitionNotAllowed):  # already back with the crew
                rework_order(
                    actor=actor,
                    order_id=order.pk,
                    reason=_("Quality inspection failed: %(findings)s") % {"findings": findings[:400]},
                    by_system=True,
                    now=now,
                )
            raise_alert(
                key=f"inspection:{inspection.pk}",
                kind=AlertKind.INSPECTION_FAILED,
                message=_("Order %(number)s failed its quality inspection — sent back for rework.")
                % {"number": order.number},
                work_order=order,
            )
    return inspection
