"""Tables of the three systems in operation: outage notices, round templates and rounds, hazards.

The outage itself stays `workorders.Incident` (planned or not); this app adds what running the systems needs
on top of it."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crews.models import Crew, Worker
from residents.models import Building, District, Facility, Room
from workorders.choices import System
from workorders.models import Incident, WorkOrder

from .choices import (
    HAZARD_OPEN,
    Frequency,
    HazardStatus,
    ItemKind,
    NoticeEvent,
    NoticeStatus,
    RoundStatus,
    Severity,
)

# A stored photo's extension follows its sniffed type (never the uploaded name); the type it is sent back as.
PHOTO_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
}
PHOTO_TYPES = {extension: content_type for content_type, extension in PHOTO_EXTENSIONS.items()}


def _random_photo_name(folder: str, filename: str) -> str:
    """A random name (nothing to guess: no id, no uploaded name) keeping a known photo extension."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in PHOTO_TYPES:
        extension = ""
    return f"{folder}/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}{extension}"


def round_photo_path(instance: models.Model, filename: str) -> str:
    return _random_photo_name("rounds", filename)


def hazard_photo_path(instance: models.Model, filename: str) -> str:
    return _random_photo_name("hazards", filename)


def photo_content_type(name: str) -> str:
    """The type a stored photo is sent back as, from the extension its sniffed type gave it."""
    extension = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return PHOTO_TYPES.get(extension, "application/octet-stream")


class OutageNoticeRun(models.Model):
    """One event of an outage told to the residents in its scope (advance, reminder, an extension, restored):
    the text, who triggered it and why, and how many phones it went to. Unique per incident, event and round
    (the n-th extension), so a task or a beat that runs twice finds the run instead of sending again."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notice_runs")
    event = models.CharField(_("event"), max_length=10, choices=NoticeEvent.choices)
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    body = models.TextField(_("text"))
    phones = models.PositiveIntegerField(_("phones"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)

    class Meta:
        ordering = ["incident_id", "created_at", "id"]
        verbose_name = _("outage notice run")
        verbose_name_plural = _("outage notice runs")
        constraints = [
            models.UniqueConstraint(fields=["incident", "event", "round"], name="notice_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.event} #{self.round}"


class OutageNotice(models.Model):
    """One SMS of a run to one phone. Unique per run and phone: a phone shared by several homes gets one
    message; a worker claims pending rows with a conditional UPDATE, so a retry never sends twice."""

    run = models.ForeignKey(OutageNoticeRun, on_delete=models.CASCADE, related_name="notices")
    phone = models.CharField(_("phone"), max_length=20)
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["id"]
        verbose_name = _("outage notice")
        verbose_name_plural = _("outage notices")
        constraints = [models.UniqueConstraint(fields=["run", "phone"], name="notice_once_per_phone")]
        indexes = [models.Index(fields=["run", "status"], name="notice_run_status")]

    def __str__(self) -> str:
        return f"{self.run_id} → {self.phone} ({self.status})"

    @property
    def key(self) -> str:
        return f"outage:{self.run_id}:{self.phone}"


class RoundTemplate(models.Model):
    """A preventive round (巡检) a crew walks on a schedule: the places (facilities or buildings), the checklist
    and when it is due (daily, weekly on the first listed weekday, monthly on `month_day`, or on the listed
    weekdays, at `due_time`). Managers define them; beat generates one Round per due time."""

    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="round_templates")
    name = models.CharField(_("name"), max_length=100)
    facilities = models.ManyToManyField(Facility, blank=True, related_name="round_templates")
    buildings = models.ManyToManyField(Building, blank=True, related_name="round_templates")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    weekdays = models.JSONField(
        _("weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday")
    )
    month_day = models.PositiveSmallIntegerField(_("day of the month"), default=1)
    due_time = models.TimeField(_("due time"))
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["crew_id", "name"]
        verbose_name = _("round template")
        verbose_name_plural = _("round templates")

    def __str__(self) -> str:
        return self.name

    def is_due_on(self, day) -> bool:
        if self.frequency == Frequency.DAILY:
            return True
        if self.frequency == Frequency.WEEKLY:
            return day.weekday() == (self.weekdays[0] if self.weekdays else 0)
        if self.frequency == Frequency.WEEKDAYS:
            return day.weekday() in self.weekdays
        return day.day == min(self.month_day, 28)


class CheckSpec(models.Model):
    """What a checklist line asks (abstract): pass/fail, a reading with its unit and normal range (low..high),
    or a photo. The template's line and the round's copy of it share it."""

    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("item"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    low = models.DecimalField(_("low"), max_digits=12, decimal_places=3, null=True, blank=True)
    high = models.DecimalField(_("high"), max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label


class RoundTemplateItem(CheckSpec):
    """One checklist line of a template."""

    template = models.ForeignKey(RoundTemplate, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["template_id", "position", "id"]
        verbose_name = _("round item")
        verbose_name_plural = _("round items")


class Round(models.Model):
    """One due round of a template: generated once per due time (unique template + due_at), assigned to the
    crew's on-duty worker or left to the leader (worker empty). Missed when nobody started it in time."""

    template = models.ForeignKey(RoundTemplate, on_delete=models.PROTECT, related_name="rounds")
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="rounds")
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.SET_NULL, related_name="rounds"
    )
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DUE
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    missed_reason = models.CharField(_("why missed"), max_length=100, blank=True, default="")
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-due_at", "-id"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [models.UniqueConstraint(fields=["template", "due_at"], name="round_once_per_due_time")]
        indexes = [models.Index(fields=["crew", "status", "due_at"], name="round_crew_status_due")]

    def __str__(self) -> str:
        return f"{self.template_id} @ {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def on_time(self) -> bool:
        return self.finished_at is not None and self.finished_at <= self.due_at


class RoundItem(CheckSpec):
    """One check of a round at one place: copied from the template item (label, kind, unit, range) so a later
    change of the template leaves the record as it was walked."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="items")
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    value = models.DecimalField(_("reading"), max_digits=12, decimal_places=3, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True, default="")
    photo = models.FileField(_("photo"), upload_to=round_photo_path, blank=True, default="")
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["round_id", "position", "id"]
        verbose_name = _("round check")
        verbose_name_plural = _("round checks")

    @property
    def place(self):
        return self.facility or self.building

    @property
    def out_of_range(self) -> bool:
        if self.value is None:
            return False
        return (self.low is not None and self.value < self.low) or (
            self.high is not None and self.value > self.high
        )


class Hazard(models.Model):
    """A hidden hazard (隐患) in the register: where (a room, a building or a facility; the district kept for
    the filters), which system, how severe, a photo, when it must be rectified (by severity), and its state:
    found → rectifying → rectified → verified (by someone other than the fixer), or turned into a work order.
    Found on a round (its check), on an order's inspection, or reported by anyone on staff."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="hazards")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="hazards")
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="hazards"
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="hazards"
    )
    system = models.CharField(_("system"), max_length=10, choices=System.choices, blank=True, default="")
    crew = models.ForeignKey(Crew, on_delete=models.PROTECT, related_name="hazards")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("description"))
    photo = models.FileField(_("photo"), upload_to=hazard_photo_path, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.FOUND
    )
    round_item = models.OneToOneField(
        RoundItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="hazard"
    )
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="hazards"
    )
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("found by"),
    )
    found_at = models.DateTimeField(_("found at"), default=timezone.now)
    due_at = models.DateTimeField(_("rectify by"))
    rectifying_at = models.DateTimeField(null=True, blank=True)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            models.Index(fields=["crew", "status", "-found_at"], name="hazard_crew_status"),
            models.Index(fields=["status", "due_at"], name="hazard_status_due"),
            models.Index(fields=["district", "system", "-found_at"], name="hazard_district_system"),
            # The register's own order (newest found first) for managers and the desk, who filter by no crew.
            models.Index(fields=["-found_at", "-id"], name="hazard_found_desc"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def place(self):
        return self.room or self.facility or self.building

    @property
    def is_overdue(self) -> bool:
        return self.status in HAZARD_OPEN and self.due_at < timezone.now()

    @property
    def shown_photo(self):
        """The hazard's own photo, else the one its round check was recorded with (select `round_item`)."""
        if self.photo:
            return self.photo
        item = self.round_item if self.round_item_id else None
        return item.photo if item is not None and item.photo else None


class HazardEvent(models.Model):
    """The hazard's timeline (append-only): who moved it from which state to which, when and why."""

    hazard = models.ForeignKey(Hazard, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    move = models.CharField(_("move"), max_length=20)
    from_status = models.CharField(max_length=12, blank=True, default="")
    to_status = models.CharField(max_length=12, blank=True, default="")
    note = models.CharField(_("note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.move}"
