"""Work orders and what hangs off them: categories, service commitments and the working calendar, the
append-only event timeline, materials, photos and incidents (DESIGN §3–§5).

Nothing here writes in save() or signals: every change goes through workorders.actions.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crews.choices import CrewKind
from crews.models import Crew, Worker
from residents.models import Building, District, Facility, Resident, Room, Unit

from .choices import (
    CHECKLIST_FIELDS,
    Area,
    AttachmentKind,
    Channel,
    Charge,
    DeadlineBasis,
    DeadlineKind,
    EscalationLevel,
    HoldReason,
    IncidentKind,
    Status,
    System,
    Urgency,
)
from .lifecycle import ACTIVE

# "Near a deadline": less than this left (amber on every page that shows a deadline).
NEAR_DEADLINE = timedelta(hours=1)


def deadline_state(due_at: datetime | None, now: datetime) -> str:
    """ "overdue", "near" (less than NEAR_DEADLINE left), "ok", or "" without a running deadline."""
    if due_at is None:
        return ""
    if due_at < now:
        return "overdue"
    return "near" if due_at - now < NEAR_DEADLINE else "ok"


class Category(models.Model):
    """A node of the two-level category tree; leaves are what orders use. Each maps to a crew kind."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    crew_kind = models.CharField(_("crew kind"), max_length=20, choices=CrewKind.choices)
    default_urgency = models.CharField(
        _("default urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    default_area = models.CharField(
        _("default area"), max_length=20, choices=Area.choices, default=Area.INDOOR
    )
    pinyin = models.CharField(_("pinyin initials"), max_length=40, blank=True, default="", db_index=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id and self.parent else self.name

    @property
    def full_name(self) -> str:
        return str(self)


class CategorySynonym(models.Model):
    """A caller's word for a fault (没水, 跳闸, 堵了) and the category wording it means (停水, 停电, 下水堵塞):
    the intake's category search finds the categories named with `means` when the dispatcher types `word`.
    Edited in the admin."""

    word = models.CharField(_("caller's word"), max_length=20, unique=True)
    means = models.CharField(_("means (as in the category names)"), max_length=20)

    class Meta:
        ordering = ["word"]
        verbose_name = _("category synonym")
        verbose_name_plural = _("category synonyms")

    def __str__(self) -> str:
        return f"{self.word} → {self.means}"


class WorkingCalendar(models.Model):
    """The base's working hours (one row). Non-emergency commitments count only this time; holidays and
    adjusted working days (调休) are Holiday rows. Times are local (Asia/Shanghai)."""

    name = models.CharField(_("name"), max_length=40, default="基地工作日历")
    work_start = models.TimeField(_("working day starts"), default=time(8, 30))
    work_end = models.TimeField(_("working day ends"), default=time(18, 30))
    night_start = models.TimeField(_("night starts"), default=time(20, 0))
    night_end = models.TimeField(_("night ends"), default=time(8, 0))
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=7, default="12345", help_text=_("ISO weekdays, 1 = Monday")
    )

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendar")

    def __str__(self) -> str:
        return self.name


class Holiday(models.Model):
    """A date that differs from the weekly pattern: a holiday, or a weekend made a working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=40)
    is_working_day = models.BooleanField(_("is a working day"), default=False)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ServiceCommitment(models.Model):
    """A row of the service-commitment table (服务承诺): limits for responding, arriving and completing.

    The most specific row wins: category, then crew kind, then urgency alone."""

    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    crew_kind = models.CharField(
        _("crew kind"), max_length=20, choices=CrewKind.choices, blank=True, default=""
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("category")
    )
    respond_minutes = models.PositiveIntegerField(_("respond within (minutes or days)"))
    respond_basis = models.CharField(
        _("respond basis"), max_length=20, choices=DeadlineBasis.choices, default=DeadlineBasis.CLOCK
    )
    arrive_minutes = models.PositiveIntegerField(_("arrive within (minutes or days)"), null=True, blank=True)
    night_arrive_minutes = models.PositiveIntegerField(
        _("arrive within at night (minutes)"), null=True, blank=True
    )
    arrive_basis = models.CharField(
        _("arrive basis"), max_length=20, choices=DeadlineBasis.choices, default=DeadlineBasis.CLOCK
    )
    complete_minutes = models.PositiveIntegerField(_("complete within (minutes or days)"))
    complete_basis = models.CharField(
        _("complete basis"), max_length=20, choices=DeadlineBasis.choices, default=DeadlineBasis.CLOCK
    )
    off_hours_by_opening = models.BooleanField(
        _("off-hours calls respond by opening"),
        default=False,
        help_text=_("A call outside working hours must be answered by the next opening (e.g. 08:30)."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["urgency", "crew_kind"]
        verbose_name = _("service commitment")
        verbose_name_plural = _("service commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["urgency", "crew_kind"],
                condition=Q(category__isnull=True),
                name="commitment_unique_kind",
            ),
            models.UniqueConstraint(
                fields=["urgency", "category"],
                condition=Q(category__isnull=False),
                name="commitment_unique_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()} {self.crew_kind or ''} {self.category or ''}".strip()


class Incident(models.Model):
    """An outage or mass fault of one system over an area (planned or sudden). Calls and orders attach to it
    instead of each opening an order."""

    title = models.CharField(_("title"), max_length=100)
    system = models.CharField(_("system"), max_length=20, choices=System.choices)
    kind = models.CharField(
        _("kind"), max_length=10, choices=IncidentKind.choices, default=IncidentKind.SUDDEN
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="incidents")
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="incidents", verbose_name=_("buildings")
    )
    units = models.ManyToManyField(Unit, blank=True, related_name="incidents", verbose_name=_("units"))
    facilities = models.ManyToManyField(
        Facility, blank=True, related_name="incidents", verbose_name=_("public facilities")
    )
    description = models.TextField(_("description"), max_length=2000, blank=True, default="")
    starts_at = models.DateTimeField(_("starts at"), default=timezone.now)
    expected_end_at = models.DateTimeField(_("expected end"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Planned outages (operations): how long before the start residents are told, and how many homes the
    # scope held when it was planned or last changed (distinct rooms with a residency).
    notice_lead_minutes = models.PositiveIntegerField(_("notice lead time (minutes)"), default=1440)
    affected_homes = models.PositiveIntegerField(_("affected homes"), default=0)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        indexes = [models.Index(fields=["district", "system", "ended_at"], name="incident_area_active")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.ended_at is None and self.starts_at <= timezone.now()


class OrderNumberCounter(models.Model):
    """Last number handed out per day; incremented under a row lock so concurrent intakes never collide."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class WorkOrder(models.Model):
    """A repair order from intake to close. Deadlines are stamped from the commitment at creation and shifted
    only by holds and approved extensions; `due_at` is the next unmet deadline (null when paused or done)."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    # Where
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    facility = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", editable=False)
    location_detail = models.CharField(_("location detail"), max_length=200, blank=True, default="")
    location_label = models.CharField(_("location"), max_length=200, editable=False)
    # What
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="work_orders")
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency.choices)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices, default=Area.INDOOR)
    charge = models.CharField(_("charge"), max_length=10, choices=Charge.choices, default=Charge.FREE)
    description = models.TextField(_("description"), max_length=2000)
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    # Who reported and who owns it
    reporter = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    reporter_phone = models.CharField(
        _("reporter phone"), max_length=20, blank=True, default="", db_index=True
    )
    reporter_name = models.CharField(_("reporter name"), max_length=40, blank=True, default="")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    # The order this one was opened from (主动服务: a 一次通检 finding, the flat above or below).
    linked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="linked_orders"
    )
    first_contact_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="first_contact_orders",
        verbose_name=_("first-contact owner"),
    )
    crew = models.ForeignKey(
        Crew, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    worker = models.ForeignKey(
        Worker, null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="work_orders"
    )
    # Deadlines (服务承诺) and milestones
    respond_by = models.DateTimeField(_("respond by"))
    arrive_by = models.DateTimeField(_("arrive by"), null=True, blank=True)
    complete_by = models.DateTimeField(_("complete by"))
    due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Holds: the clock pauses while on hold
    held_from_status = models.CharField(max_length=20, blank=True, default="", editable=False)
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    hold_reason = models.CharField(
        _("hold reason"), max_length=30, choices=HoldReason.choices, blank=True, default=""
    )
    hold_requested_reason = models.CharField(
        _("hold requested"), max_length=30, choices=HoldReason.choices, blank=True, default=""
    )
    hold_requested_note = models.CharField(max_length=200, blank=True, default="")
    held_seconds = models.PositiveIntegerField(_("time on hold (s)"), default=0)
    extension_requested_until = models.DateTimeField(_("extension requested until"), null=True, blank=True)
    # Flags and counters
    is_rework = models.BooleanField(_("rework"), default=False)
    rework_count = models.PositiveSmallIntegerField(_("rework count"), default=0)
    remind_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    supervised_at = models.DateTimeField(_("supervised at"), null=True, blank=True)
    # Completion record: the 六个一 (the sixth, the follow-up call, is recorded by the follow-up)
    resolution = models.TextField(_("resolution"), max_length=2000, blank=True, default="")
    inspection_findings = models.TextField(
        _("full-inspection findings"), max_length=2000, blank=True, default=""
    )
    checklist_greeting = models.BooleanField(_("greeting"), null=True, blank=True)
    checklist_shoe_covers = models.BooleanField(_("shoe covers"), null=True, blank=True)
    checklist_cloth = models.BooleanField(_("cleaning cloth"), null=True, blank=True)
    checklist_inspection = models.BooleanField(_("full inspection"), null=True, blank=True)
    checklist_note_left = models.BooleanField(_("note left"), null=True, blank=True)
    checklist_notes = models.CharField(_("checklist notes"), max_length=300, blank=True, default="")
    fee = models.DecimalField(_("fee"), max_digits=9, decimal_places=2, default=Decimal("0.00"))
    fee_confirmed = models.BooleanField(_("fee confirmed by resident"), default=False)
    cancel_reason = models.CharField(_("cancel reason"), max_length=20, blank=True, default="")

    CHECKLIST_FIELDS = CHECKLIST_FIELDS

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [
            models.Index(fields=["status", "crew"], name="wo_status_crew"),
            models.Index(fields=["crew", "status"], name="wo_crew_status"),
            models.Index(fields=["worker", "status"], name="wo_worker_status"),
            models.Index(fields=["district", "status"], name="wo_district_status"),
            models.Index(fields=["building", "status"], name="wo_building_status"),
            models.Index(fields=["room", "category"], name="wo_room_category"),
            # The caller screen: the newest orders at a caller's rooms; intake's duplicate check: the active
            # orders at a room for a category.
            models.Index(fields=["room", "-created_at"], name="wo_room_created"),
            models.Index(
                fields=["room", "category"], name="wo_room_category_active", condition=Q(status__in=ACTIVE)
            ),
            # Filtered lists, newest first: a crew's orders in a state, or all orders in a state, walked in
            # order instead of the whole created_at index (which a crew with no cancelled orders walks to its end).
            models.Index(fields=["crew", "status", "-created_at"], name="wo_crew_status_created"),
            models.Index(fields=["status", "-created_at"], name="wo_status_created"),
            models.Index(fields=["-created_at"], name="wo_created_desc"),
            models.Index(fields=["category", "created_at"], name="wo_category_created"),
            models.Index(fields=["due_at"], name="wo_due_at", condition=Q(due_at__isnull=False)),
            # The dispatch board's order (active orders, nearest deadline first, on hold last): walked in order
            # for a page instead of joining and sorting every active order.
            models.Index(
                fields=["due_at", "-created_at"], name="wo_board_due", condition=Q(status__in=ACTIVE)
            ),
            models.Index(fields=["completed_at"], name="wo_completed_at"),
            # Reports read the live (not cancelled) orders created in a window from the index alone: the
            # repeat-failure hotspots per room or building and system (90/180 days), the re-reports the
            # assessment's first-time fix looks for (the month and 30 days after).
            models.Index(
                fields=["created_at"],
                include=["id", "room", "facility", "building", "category"],
                condition=~Q(status=Status.CANCELLED),
                name="wo_live_created_covering",
            ),
        ]
        constraints = [
            # Exactly one place: a room (its building kept alongside for the lists), a public facility, or a
            # building's common area (楼道, 单元门: the building alone).
            models.CheckConstraint(
                condition=Q(room__isnull=False, facility__isnull=True)
                | Q(room__isnull=True, facility__isnull=False, building__isnull=True)
                | Q(room__isnull=True, facility__isnull=True, building__isnull=False),
                name="wo_has_location",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    def is_overdue(self, now=None) -> bool:
        return self.due_at is not None and self.due_at < (now or timezone.now())

    @property
    def checklist(self) -> dict[str, bool | None]:
        return {name.removeprefix("checklist_"): getattr(self, name) for name in self.CHECKLIST_FIELDS}

    @property
    def current_holder(self):
        """Who holds the order now: the worker, else the crew, else the first-contact owner (首问负责)."""
        return self.worker or self.crew or self.first_contact_owner


class WorkOrderEvent(models.Model):
    """One line of an order's timeline: who did what, when, from which state to which, and why. Append-only."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True, default="")
    to_status = models.CharField(_("to"), max_length=20, blank=True, default="")
    note = models.TextField(_("note"), max_length=2000, blank=True, default="")
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["order", "at"], name="event_order_at"),
            models.Index(fields=["kind", "at"], name="event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


# A completion lists at most this many material rows (form, serializer and service alike).
MAX_MATERIAL_ROWS = 30


class Material(models.Model):
    """A material used on a completed order; money is Decimal."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("name"), max_length=80)
    quantity = models.DecimalField(_("quantity"), max_digits=9, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), max_digits=9, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.name

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(Decimal("0.01"))


def _attachment_path(instance: Attachment, filename: str) -> str:
    """A random name (nothing to guess: no order id, no uploaded name) keeping the image's extension."""
    extension = os.path.splitext(filename)[1].lower()
    if extension not in {".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic"}:
        extension = ""
    return f"orders/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}{extension}"


class Attachment(models.Model):
    """A photo on an order (before/after), stored through Django's storage API."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(
        _("kind"), max_length=10, choices=AttachmentKind.choices, default=AttachmentKind.OTHER
    )
    file = models.FileField(_("file"), upload_to=_attachment_path)
    content_type = models.CharField(_("content type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.file.name


class Escalation(models.Model):
    """One step of the overdue watch for one deadline of an order: leader → manager → 督办 (DESIGN §7).

    The unique constraint is what makes the watch safe to run twice or on two beats at once: a step for the
    same deadline (order, rework round, deadline kind, level) is inserted at most once."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="escalations")
    round = models.PositiveSmallIntegerField(_("rework round"), default=0)
    deadline = models.CharField(_("deadline"), max_length=10, choices=DeadlineKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.choices)
    due_at = models.DateTimeField(_("deadline was"))
    created_at = models.DateTimeField(_("escalated at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "round", "deadline", "level"], name="escalation_once_per_deadline_level"
            ),
        ]
        indexes = [models.Index(fields=["level", "created_at"], name="escalation_level_created")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.deadline} L{self.level}"
