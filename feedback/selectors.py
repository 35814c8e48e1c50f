"""Permission-scoped reads of feedback: the follow-up queue, complaints (the crew complained about sees its
complaints but never who complained), praise, inspections and open manager alerts."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from crews.permissions import is_crew_leader
from crews.selectors import worker_of
from workorders.permissions import is_desk

from .choices import FollowUpStatus
from .models import Alert, Complaint, ExportJob, FollowUp, Praise, QualityInspection, RewardPenalty


def follow_ups_visible_to(user) -> QuerySet[FollowUp]:
    if is_desk(user):
        return FollowUp.objects.all()
    return FollowUp.objects.none()


def with_follow_up_relations(qs: QuerySet[FollowUp]) -> QuerySet[FollowUp]:
    return qs.select_related(
        "work_order",
        "work_order__category",
        "work_order__category__parent",
        "work_order__crew",
        "work_order__worker",
    )


def follow_up_queue(user, now: datetime | None = None) -> QuerySet[FollowUp]:
    """The dispatchers' queue: due follow-ups that may be called now — emergencies first, then oldest due.
    A scheduled one whose time has come counts too (the release beat may not have run yet)."""
    now = now or timezone.now()
    due = Q(status=FollowUpStatus.DUE) | Q(status=FollowUpStatus.SCHEDULED, due_at__lte=now)
    callable_now = Q(next_attempt_after__isnull=True) | Q(next_attempt_after__lte=now)
    return with_follow_up_relations(follow_ups_visible_to(user).filter(due, callable_now)).order_by(
        "-is_emergency", "due_at", "id"
    )


def complaints_visible_to(user) -> QuerySet[Complaint]:
    """The desk and managers see every complaint; a crew leader those about the crew (without the
    complainant: see can_see_complainant); anyone else none."""
    qs = Complaint.objects.all()
    if is_desk(user):
        return qs
    worker = worker_of(user)
    if worker is not None and is_crew_leader(user) and worker.is_leader:
        return qs.filter(crew_id=worker.crew_id)
    return qs.none()


def with_complaint_relations(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return qs.select_related("work_order", "crew", "worker", "type")


def open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(acknowledged_at__isnull=True).select_related("work_order", "complaint")


def praise_list() -> QuerySet[Praise]:
    return Praise.objects.select_related("crew", "worker", "work_order", "recorded_by")


def inspections(week=None) -> QuerySet[QualityInspection]:
    qs = QualityInspection.objects.select_related("work_order", "work_order__category", "crew", "inspector")
    return qs.filter(week=week) if week else qs


def rewards_penalties(start, end) -> QuerySet[RewardPenalty]:
    """Rewards and penalties dated in [start, end) (managers' page), with what each rests on."""
    return RewardPenalty.objects.filter(date__gte=start, date__lt=end).select_related(
        "crew", "worker", "complaint", "inspection", "praise", "entered_by"
    )


def export_jobs_of(user) -> QuerySet[ExportJob]:
    """A user's own export jobs: nobody sees or downloads another's file (404)."""
    if not getattr(user, "is_authenticated", False):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user=user).order_by("-created_at", "-id")
