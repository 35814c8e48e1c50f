"""Crews, their workers and the duty roster that routes night emergencies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.fields import PhoneField
from residents.models import District

from .choices import CrewKind, ImportKind, ImportStatus, WorkerRole


class Crew(models.Model):
    """A crew (班组) of one trade, serving some districts (all when none are listed)."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CrewKind.choices, db_index=True)
    districts = models.ManyToManyField(
        District, blank=True, related_name="crews", verbose_name=_("districts")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("crew")
        verbose_name_plural = _("crews")

    def __str__(self) -> str:
        return self.name


class Worker(models.Model):
    """A staff member of a crew: one per staff user, leader or member."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="worker")
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="workers")
    name = models.CharField(_("name"), max_length=40)
    staff_number = models.CharField(
        _("staff number"), max_length=20, blank=True, default="", help_text=_("工号, as on the staff list")
    )
    role = models.CharField(_("role"), max_length=10, choices=WorkerRole.choices, default=WorkerRole.MEMBER)
    # The residents' phone rule (clean_phone) in the admin and every form: one phone field, one rule.
    phone = PhoneField(_("phone"), blank=True, default="")
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)
    # The worker's own choice (their profile page): new work, reminders and 督办 also by SMS.
    sms_notices = models.BooleanField(_("SMS notices"), default=True)

    class Meta:
        ordering = ["crew_id", "-role", "name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [models.Index(fields=["crew", "active"], name="worker_crew_active")]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_number"],
                condition=~models.Q(staff_number=""),
                name="worker_staff_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leader(self) -> bool:
        return self.role == WorkerRole.LEADER


class DutyShift(models.Model):
    """A worker on duty (值班) from–to: who takes the night emergencies of the crew's trade."""

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="duty_shifts")
    kind = models.CharField(_("crew kind"), max_length=20, choices=CrewKind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty roster")
        indexes = [models.Index(fields=["kind", "starts_at", "ends_at"], name="duty_kind_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.starts_at:%m-%d %H:%M}–{self.ends_at:%m-%d %H:%M}"


def _import_path(instance: ImportJob, filename: str) -> str:
    return f"imports/{timezone.now():%Y%m}/{filename}"


class ImportJob(models.Model):
    """One upload of a register (places and residents, staff, facilities): the file, who sent it, the preview's
    counts and errors, then the import's progress batch by batch. `batches_done` moves in the same transaction
    as each batch's writes, so a crashed import resumes exactly where it stopped. Row numbers in `errors` are
    the spreadsheet's (header = row 1)."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ImportStatus.choices,
        default=ImportStatus.PREVIEWING,
        db_index=True,
    )
    file = models.FileField(_("file"), upload_to=_import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    progress_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    batches_done = models.PositiveIntegerField(_("batches done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    ignored_columns = models.JSONField(_("ignored columns"), default=list, blank=True)
    moved_out_rows = models.JSONField(_("moved out"), default=list, blank=True)
    end_moved_out = models.BooleanField(_("end moved-out residencies"), default=False)
    ended = models.PositiveIntegerField(_("residencies ended"), default=0)
    failure = models.CharField(_("why it failed"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()})"

    @property
    def moved_out(self) -> int:
        return len(self.moved_out_rows)

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0

    def seconds_left(self, now=None) -> int | None:
        """Time left at the pace so far (None before the first batch or when not running)."""
        if self.status != ImportStatus.RUNNING or not self.rows_done or not self.started_at:
            return None
        elapsed = ((now or timezone.now()) - self.started_at).total_seconds()
        return max(0, round(elapsed / self.rows_done * (self.rows_total - self.rows_done)))
