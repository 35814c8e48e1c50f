"""Follow-ups (回访) and their attempts, resident rating links, SMS notifications, manager alerts, complaints
with accountability (投诉/责任追究), praise (表扬) and quality inspections (质量监督) — DESIGN §6.

Nothing here writes in save() or signals: every change goes through feedback.actions."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crews.models import Crew, Worker
from workorders.models import WorkOrder

from .choices import (
    Accountability,
    AlertKind,
    AssessmentLevel,
    AttemptChannel,
    ComplaintEventKind,
    ComplaintSource,
    ComplaintStatus,
    EscalationStage,
    ExportKind,
    ExportStatus,
    FollowUpStatus,
    InspectionReason,
    InspectionStatus,
    NotificationKind,
    NotificationStatus,
    Outcome,
    PraiseSource,
    RewardKind,
    Severity,
    Verdict,
)

_RATING = [MinValueValidator(1), MaxValueValidator(5)]


RATING_FIELDS = ("rating_care", "rating_workmanship", "rating_safety", "rating_quality", "rating_comfort")


class FollowUp(models.Model):
    """The follow-up call (回访) of one completion of an order: a reworked order that completes again gets a
    new one (`round` = the order's rework count at completion; unique per order and round)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="follow_ups")
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.SCHEDULED
    )
    is_emergency = models.BooleanField(_("emergency"), default=False)
    due_at = models.DateTimeField(_("due at"))
    next_attempt_after = models.DateTimeField(_("next attempt after"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    link_sent_at = models.DateTimeField(_("link sent at"), null=True, blank=True)
    link_expires_at = models.DateTimeField(_("link expires at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    verdict = models.CharField(_("verdict"), max_length=30, choices=Verdict.choices, blank=True, default="")
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    # The 五心 ratings of the reached answer, copied from its attempt like the verdict: the satisfaction report
    # averages a year of them from the follow-ups' covering index without joining 1.2M attempts.
    rating_care = models.PositiveSmallIntegerField(_("care"), null=True, blank=True)
    rating_workmanship = models.PositiveSmallIntegerField(_("workmanship"), null=True, blank=True)
    rating_safety = models.PositiveSmallIntegerField(_("safety"), null=True, blank=True)
    rating_quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True)
    rating_comfort = models.PositiveSmallIntegerField(_("comfort"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Who did the work this follow-up rates, stamped at creation: a rework clears the order's worker and
    # may give it to someone else, and the verdict must stay with whoever did the rated completion.
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-is_emergency", "due_at", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "round"], name="followup_one_per_completion"),
        ]
        indexes = [
            models.Index(fields=["status", "-is_emergency", "due_at"], name="followup_queue"),
            models.Index(fields=["status", "link_expires_at"], name="followup_link_expiry"),
            # The reports read follow-ups by due date: satisfaction counts and its 五心 averages, the 12-month
            # trend and the assessment. The included columns make those scans index-only.
            models.Index(
                fields=["due_at"],
                include=["id", "crew", "worker", "outcome", "verdict", *RATING_FIELDS],
                name="followup_due_answers",
            ),
            # The satisfaction report and assessment read answered follow-ups by when they were done.
            models.Index(fields=["done_at"], name="followup_done_at", condition=Q(status="done")),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id}#{self.round}"

    @property
    def is_open(self) -> bool:
        return self.status in (FollowUpStatus.SCHEDULED, FollowUpStatus.DUE, FollowUpStatus.LINK_SENT)


class FollowUpAttempt(models.Model):
    """One try at reaching the resident (by phone, or the resident answering the link) and what they said."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=AttemptChannel.choices, default=AttemptChannel.PHONE
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    rating_care = models.PositiveSmallIntegerField(_("care"), null=True, blank=True, validators=_RATING)
    rating_workmanship = models.PositiveSmallIntegerField(
        _("workmanship"), null=True, blank=True, validators=_RATING
    )
    rating_safety = models.PositiveSmallIntegerField(_("safety"), null=True, blank=True, validators=_RATING)
    rating_quality = models.PositiveSmallIntegerField(_("quality"), null=True, blank=True, validators=_RATING)
    rating_comfort = models.PositiveSmallIntegerField(_("comfort"), null=True, blank=True, validators=_RATING)
    seen_greeting = models.BooleanField(_("greeted"), null=True, blank=True)
    seen_shoe_covers = models.BooleanField(_("shoe covers used"), null=True, blank=True)
    seen_cleaned = models.BooleanField(_("cleaned up"), null=True, blank=True)
    seen_note_left = models.BooleanField(_("note left"), null=True, blank=True)
    fee_fair = models.BooleanField(_("fee fair"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=30, choices=Verdict.choices, blank=True, default="")
    comment = models.TextField(_("comment"), max_length=2000, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("follow-up attempt")
        verbose_name_plural = _("follow-up attempts")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="reached") | Q(verdict=""), name="attempt_verdict_only_when_reached"
            ),
        ]
        indexes = [
            # The satisfaction report's 五心 averages: the reached attempt of each follow-up due in the period,
            # read from the index alone (a nested loop over the period's follow-ups instead of reading every
            # attempt ever made).
            models.Index(
                fields=["follow_up"],
                include=[
                    "id",
                    "rating_care",
                    "rating_workmanship",
                    "rating_safety",
                    "rating_quality",
                    "rating_comfort",
                ],
                condition=Q(outcome="reached"),
                name="attempt_reached_ratings",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.follow_up_id} {self.outcome} {self.at:%Y-%m-%d %H:%M}"

    @property
    def ratings(self) -> dict[str, int | None]:
        return {
            k: getattr(self, f"rating_{k}") for k in ("care", "workmanship", "safety", "quality", "comfort")
        }


class RatingToken(models.Model):
    """The resident's rating link: only the SHA-256 of the random token is stored; single use, expires."""

    follow_up = models.OneToOneField(FollowUp, on_delete=models.CASCADE, related_name="rating_token")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rating link")
        verbose_name_plural = _("rating links")

    def __str__(self) -> str:
        return f"token for {self.follow_up_id}"


class Notification(models.Model):
    """One SMS to a resident and how its delivery went. `key` makes each message unique (a retry or a second
    sweep finds the row instead of writing another); a worker claims it by a conditional UPDATE."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    phone = models.CharField(_("phone"), max_length=20)
    body = models.TextField(_("text"), max_length=1000)
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["status", "created_at"], name="notification_status")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.phone} ({self.status})"


class Alert(models.Model):
    """Something a manager must look at: a dissatisfied or unresolved follow-up, an overdue complaint, a failed
    inspection, an overdue round or hazard, with the row it is about. `key` keeps a sweep from raising the same
    alert twice."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AlertKind.choices)
    message = models.CharField(_("message"), max_length=300)
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    complaint = models.ForeignKey(
        "Complaint", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    round = models.ForeignKey(
        "operations.Round", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    hazard = models.ForeignKey(
        "operations.Hazard", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("manager alert")
        verbose_name_plural = _("manager alerts")
        indexes = [models.Index(fields=["acknowledged_at", "-created_at"], name="alert_open")]

    def __str__(self) -> str:
        return self.message


class ComplaintType(models.Model):
    """A complaint type with the rule it concerns (the 便民服务四不准 and others), editable in the admin."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=40)
    rule = models.CharField(_("rule"), max_length=200, blank=True, default="")
    is_conduct = models.BooleanField(
        _("conduct violation"), default=False, help_text=_("A proven one vetoes the crew's monthly ranking.")
    )
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("complaint type")
        verbose_name_plural = _("complaint types")

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    """A complaint (投诉) from received to closed: who it is about, the deadlines of DESIGN §4, the findings
    (检查结果), the responsible person (责任人), validity, accountability and the callback. The complainant's
    name and phone are shown only to the desk and managers, never to the crew complained about."""

    status = models.CharField(
        _("status"), max_length=20, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    source = models.CharField(_("source"), max_length=20, choices=ComplaintSource.choices)
    complainant_name = models.CharField(_("complainant"), max_length=40, blank=True, default="")
    complainant_phone = models.CharField(_("complainant phone"), max_length=20, blank=True, default="")
    summary = models.TextField(_("summary"), max_length=2000)
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    follow_up = models.ForeignKey(
        FollowUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints")
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    type = models.ForeignKey(
        ComplaintType, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    contact_by = models.DateTimeField(_("contact complainant by"))
    decide_by = models.DateTimeField(_("decide by"))
    close_by = models.DateTimeField(_("close by"))
    contacted_at = models.DateTimeField(_("complainant contacted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    findings = models.TextField(_("findings (检查结果)"), max_length=2000, blank=True, default="")
    responsible_person = models.CharField(
        _("responsible person (责任人)"), max_length=40, blank=True, default=""
    )
    responsible_worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid = models.BooleanField(_("valid"), null=True, blank=True)
    accountability = models.CharField(
        _("accountability"), max_length=10, choices=Accountability.choices, default=Accountability.NONE
    )
    points = models.PositiveSmallIntegerField(_("points deducted"), default=0)
    fine = models.DecimalField(_("fine"), max_digits=9, decimal_places=2, default=Decimal("0.00"))
    rectification = models.TextField(_("rectification"), max_length=2000, blank=True, default="")
    callback_at = models.DateTimeField(_("callback at"), null=True, blank=True)
    callback_note = models.TextField(_("callback"), max_length=2000, blank=True, default="")
    callback_satisfied = models.BooleanField(_("complainant satisfied"), null=True, blank=True)
    escalation = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationStage.choices, default=EscalationStage.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "-received_at"], name="complaint_status"),
            models.Index(fields=["crew", "-received_at"], name="complaint_crew"),
            # The caller screen: open complaints from a number.
            models.Index(
                fields=["complainant_phone", "-received_at"],
                name="complaint_open_by_phone",
                condition=~Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return f"TS{self.pk:06d}" if self.pk else "TS"

    @property
    def number(self) -> str:
        return str(self)

    def next_deadline(self):
        """The earliest unmet deadline, or None when closed."""
        if self.status == ComplaintStatus.CLOSED:
            return None
        if self.contacted_at is None:
            return self.contact_by
        if self.decided_at is None:
            return self.decide_by
        return self.close_by

    def is_overdue(self, now=None) -> bool:
        deadline = self.next_deadline()
        return deadline is not None and deadline < (now or timezone.now())


class ComplaintEvent(models.Model):
    """A line of a complaint's record: who did what, when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20)
    note = models.TextField(blank=True, max_length=2000, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        """The translated name of the step (an unknown kind is shown as stored)."""
        return ComplaintEventKind(self.kind).label if self.kind in ComplaintEventKind.values else self.kind


class Praise(models.Model):
    """A praise (表扬) for a worker or crew — material for the monthly 真情服务小故事."""

    source = models.CharField(
        _("source"), max_length=20, choices=PraiseSource.choices, default=PraiseSource.CALL
    )
    summary = models.TextField(_("story"), max_length=2000)
    praiser_name = models.CharField(_("from"), max_length=40, blank=True, default="")
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.PROTECT, related_name="praises")
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="praises"
    )
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="praises"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("praise")
        verbose_name_plural = _("praise")
        indexes = [models.Index(fields=["-created_at"], name="praise_recent")]

    def __str__(self) -> str:
        return self.summary[:30]


class QualityInspection(models.Model):
    """A quality spot check (质量监督) of a completed order: drawn by the weekly sample or because of a
    complaint; a score sheet, pass/fail, findings and the responsible person. Failing sends the order back."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="inspections")
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="inspections")
    week = models.DateField(_("week of"))
    reason = models.CharField(_("reason"), max_length=20, choices=InspectionReason.choices)
    status = models.CharField(
        _("result"), max_length=10, choices=InspectionStatus.choices, default=InspectionStatus.PENDING
    )
    score_workmanship = models.PositiveSmallIntegerField(_("workmanship"), null=True, blank=True)
    score_cleanliness = models.PositiveSmallIntegerField(_("cleanliness"), null=True, blank=True)
    score_checklist = models.PositiveSmallIntegerField(_("checklist evidence"), null=True, blank=True)
    score_safety = models.PositiveSmallIntegerField(_("safety"), null=True, blank=True)
    findings = models.TextField(_("findings (检查结果)"), max_length=2000, blank=True, default="")
    responsible_person = models.CharField(
        _("responsible person (责任人)"), max_length=40, blank=True, default=""
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    inspected_at = models.DateTimeField(_("inspected at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week", "crew_id", "id"]
        verbose_name = _("quality inspection")
        verbose_name_plural = _("quality inspections")
        constraints = [
            models.UniqueConstraint(fields=["work_order", "week"], name="inspection_once_per_week"),
        ]
        indexes = [models.Index(fields=["status", "-week"], name="inspection_status_week")]

    def __str__(self) -> str:
        return f"{self.work_order_id} {self.week}"

    @property
    def total(self) -> int | None:
        scores = [self.score_workmanship, self.score_cleanliness, self.score_checklist, self.score_safety]
        return None if None in scores else sum(scores)


# --- Assessment (考核), rewards and penalties (奖惩), exports ------------------------------------------------


class AssessmentWeight(models.Model):
    """The weight of one KPI in the monthly score (data, editable by a manager). A KPI with weight 0 is shown
    but does not count. The KPI codes are fixed in feedback.reports.KPIS."""

    kpi = models.CharField(_("KPI"), max_length=30, unique=True)
    weight = models.DecimalField(
        _("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")

    def __str__(self) -> str:
        return f"{self.kpi}={self.weight}"


class RewardPenalty(models.Model):
    """A reward or a penalty (奖惩) for a crew or one of its workers, entered by a manager, with its reason and
    what it rests on (a complaint, an inspection, a praise). Points are added to (reward) or taken from
    (penalty) the monthly score of the month of `date`; an amount is money (bonus or fine)."""

    kind = models.CharField(_("kind"), max_length=10, choices=RewardKind.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="rewards_penalties")
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="rewards_penalties"
    )
    reason = models.CharField(_("reason"), max_length=300)
    points = models.DecimalField(
        _("points"), max_digits=6, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="rewards_penalties"
    )
    inspection = models.ForeignKey(
        QualityInspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="rewards_penalties"
    )
    praise = models.ForeignKey(
        Praise, null=True, blank=True, on_delete=models.SET_NULL, related_name="rewards_penalties"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        indexes = [models.Index(fields=["date", "crew"], name="rewardpenalty_date_crew")]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0) | Q(amount__gt=0), name="rewardpenalty_points_or_amount"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.crew_id}/{self.worker_id} {self.date}"

    @property
    def signed_points(self) -> Decimal:
        return self.points if self.kind == RewardKind.REWARD else -self.points


class AssessmentSnapshot(models.Model):
    """A month's assessment frozen as published (crew or worker level): the weights used and one row per
    crew or worker, so later edits of follow-ups, complaints or weights never change a published ranking."""

    month = models.DateField(_("month"))
    level = models.CharField(_("level"), max_length=10, choices=AssessmentLevel.choices)
    weights = models.JSONField(_("weights"), default=dict)
    frozen_at = models.DateTimeField(_("frozen at"), default=timezone.now)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-month", "level"]
        verbose_name = _("assessment snapshot")
        verbose_name_plural = _("assessment snapshots")
        constraints = [
            models.UniqueConstraint(fields=["month", "level"], name="assessment_snapshot_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.level}"


class AssessmentRow(models.Model):
    """One frozen line of a snapshot: the crew or worker, every KPI with its raw counts, score, rank, veto."""

    snapshot = models.ForeignKey(AssessmentSnapshot, on_delete=models.CASCADE, related_name="rows")
    crew = models.ForeignKey(Crew, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    worker = models.ForeignKey(Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(_("name"), max_length=80)
    kpis = models.JSONField(_("KPIs"), default=dict)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    veto = models.BooleanField(_("vetoed"), default=False)

    class Meta:
        ordering = ["rank", "id"]
        verbose_name = _("assessment row")
        verbose_name_plural = _("assessment rows")

    def __str__(self) -> str:
        return f"{self.snapshot} #{self.rank} {self.label}"


def _export_path(instance: ExportJob, filename: str) -> str:
    return f"exports/{timezone.localdate():%Y/%m}/{instance.pk}/{filename}"


class ExportJob(models.Model):
    """A large Excel export running as a Celery task: who asked, with which filters, how far it got and the
    file it wrote to default storage. The task claims it with a conditional UPDATE (pending → running)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    params = models.JSONField(_("filters"), default=dict)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to=_export_path, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [models.Index(fields=["status", "created_at"], name="exportjob_status")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0
