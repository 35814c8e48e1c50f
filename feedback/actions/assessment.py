"""The monthly assessment (考核): weights, frozen snapshots, rewards and penalties (奖惩)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.numbers import parse_decimal
from crews.models import Crew, Worker
from residents.models import AuditEntry
from residents.services import audit_value, record_audit

from ..choices import AssessmentLevel, RewardKind
from ..models import (
    AssessmentRow,
    AssessmentSnapshot,
    AssessmentWeight,
    Complaint,
    Praise,
    QualityInspection,
    RewardPenalty,
)
from ..permissions import can_manage_assessment

# --- Assessment (考核): weights, snapshots, rewards and penalties (奖惩); exports ---------------------------


def _require_manager(actor, message: str) -> None:
    if not can_manage_assessment(actor):
        raise PermissionDenied(message)


def set_assessment_weights(
    *, actor, weights: dict[str, Any], now: datetime | None = None
) -> dict[str, Decimal]:
    """Replace the KPI weights of the monthly score (managers). Each weight is a number from 0 to 100 and at
    least one must be positive; everything is validated before anything is written."""
    from ..reports.assessment import KPI_CODES

    _require_manager(actor, _("Only managers may change the assessment weights."))
    now = now or timezone.now()
    clean: dict[str, Decimal] = {}
    errors: dict[str, list[str]] = {}
    for code in KPI_CODES:
        value = parse_decimal(weights.get(code, "0"))
        if value is None or not Decimal("0") <= value <= Decimal("100"):
            errors[code] = [_("A weight from 0 to 100.")]
        else:
            clean[code] = value
    if not errors and not any(clean.values()):
        errors["__all__"] = [_("At least one weight must be above 0.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = dict(AssessmentWeight.objects.select_for_update().values_list("kpi", "weight"))
        for code, value in clean.items():
            row, created = AssessmentWeight.objects.update_or_create(
                kpi=code, defaults={"weight": value, "updated_at": now, "updated_by": actor}
            )
            if created or before.get(code) != value:  # the master-data audit: who changed which weight
                record_audit(
                    actor=actor,
                    obj=row,
                    action=AuditEntry.Action.ADD if created else AuditEntry.Action.CHANGE,
                    changes={"weight": [audit_value(before.get(code)), audit_value(value)]},
                )
    return clean


def freeze_assessment(*, actor, month: date, level: str, now: datetime | None = None) -> AssessmentSnapshot:
    """Publish a month's ranking: the live assessment is computed and stored row by row with the weights
    used, so later edits (a follow-up corrected, a complaint decided, a weight changed) never change it.
    Freezing a month that is already frozen returns the existing snapshot unchanged (a no-op); only a month
    that has ended may be frozen. `actor=None` is the monthly beat."""
    from ..reports.assessment import current_weights, month_assessment

    if actor is not None:
        _require_manager(actor, _("Only managers may freeze an assessment."))
    now = now or timezone.now()
    month = month.replace(day=1)
    if level not in AssessmentLevel.values:
        raise ValidationError({"level": [_("Choose crew or worker.")]})
    next_month = (month + timedelta(days=32)).replace(day=1)
    if timezone.localdate(now) < next_month:
        raise ValidationError({"month": [_("A month can be frozen only after it has ended.")]})
    existing = AssessmentSnapshot.objects.filter(month=month, level=level).first()
    if existing is not None:
        return existing
    weights = current_weights()
    lines = month_assessment(month, level, now=now, weights=weights)
    try:
        with transaction.atomic():
            snapshot = AssessmentSnapshot.objects.create(
                month=month,
                level=level,
                weights={k: str(v) for k, v in weights.items()},
                frozen_at=now,
                frozen_by=actor if getattr(actor, "pk", None) else None,
            )
            AssessmentRow.objects.bulk_create(
                [
                    AssessmentRow(
                        snapshot=snapshot,
                        crew_id=line.key if level == AssessmentLevel.CREW else None,
                        worker_id=line.key if level == AssessmentLevel.WORKER else None,
                        label=line.label[:80],
                        kpis=line.as_json(),
                        score=line.score if line.score is not None else Decimal("0"),
                        rank=line.rank,
                        veto=line.veto,
                    )
                    for line in lines
                ]
            )
    except IntegrityError:  # frozen a moment ago by another request or the beat
        return AssessmentSnapshot.objects.get(month=month, level=level)
    return snapshot


def freeze_previous_month(*, now: datetime | None = None) -> int:
    """The monthly beat: freeze last month at both levels if not yet done. Idempotent."""
    now = now or timezone.now()
    month = (timezone.localdate(now).replace(day=1) - timedelta(days=1)).replace(day=1)
    before = AssessmentSnapshot.objects.filter(month=month).count()
    for level in AssessmentLevel.values:
        freeze_assessment(actor=None, month=month, level=level, now=now)
    return AssessmentSnapshot.objects.filter(month=month).count() - before


def record_reward_penalty(
    *,
    actor,
    kind: str,
    crew: Crew | None,
    worker: Worker | None = None,
    reason: str,
    points: Any = "0",
    amount: Any = "0",
    date: date | None = None,
    complaint: Complaint | None = None,
    inspection: QualityInspection | None = None,
    praise: Praise | None = None,
    now: datetime | None = None,
) -> RewardPenalty:
    """A manager records a reward or a penalty (奖惩) for a crew or one of its workers, with its reason, points
    and/or an amount of money, and what it rests on (a complaint, an inspection or a praise of that crew).
    It feeds the assessment of its month (a frozen month keeps its published figures)."""
    _require_manager(actor, _("Only managers may record rewards and penalties."))
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if kind not in RewardKind.values:
        errors["kind"] = [_("Choose reward or penalty.")]
    if worker is not None:
        if crew is not None and worker.crew_id != crew.pk:
            errors["worker"] = [_("This worker is not in the chosen crew.")]
        crew = crew or worker.crew
    if crew is None:
        errors["crew"] = [_("Choose the crew (and the worker, if it concerns one person).")]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("Give the reason.")]
    clean = {}
    for name, value in (("points", points), ("amount", amount)):
        number = parse_decimal(value)
        if number is None or number < 0 or number >= Decimal("1000000"):
            errors[name] = [_("A number of 0 or more.")]
        else:
            clean[name] = number
    if not errors and not (clean["points"] > 0 or clean["amount"] > 0):
        errors["points"] = [_("Give points, an amount, or both.")]
    if crew is not None:
        for name, linked in (("complaint", complaint), ("inspection", inspection), ("praise", praise)):
            if linked is not None and getattr(linked, "crew_id", None) not in (None, crew.pk):
                errors[name] = [_("It concerns another crew.")]
    if errors:
        raise ValidationError(errors)
    return RewardPenalty.objects.create(
        kind=kind,
        date=date or timezone.localdate(now),
        crew=crew,
        worker=worker,
        reason=reason[:300],
        points=clean["points"],
        amount=clean["amount"],
        complaint=complaint,
        inspection=inspection,
        praise=praise,
        entered_by=actor,
        created_at=now,
    )
