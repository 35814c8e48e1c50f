"""The hotline's own record: every call or window visit (来电/来访), whoever took it (首问负责) and where it went.

A call links to what it produced or touched: the order it created or reminded, the incident it was attached
to. Complaint and praise records live in `feedback` (a higher link the lead adds at merge); until then the
call keeps its type, summary and who it is about as text, and appears in the managers' list.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from feedback.models import Complaint, Praise
from residents.models import Building, Resident, Room
from workorders.choices import Channel, System
from workorders.models import Category, Incident, WorkOrder

from .choices import CallType


class Call(models.Model):
    """One call to 10196 or one visit to the window. `taken_by` is the first-contact owner (首问负责) who
    owns it until `handed_to` names another person. Repair calls carry the building and the system of their
    category so incident detection counts them from one index."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    phone = models.CharField(_("caller phone"), max_length=20, blank=True, default="")
    caller_name = models.CharField(_("caller name"), max_length=40, blank=True, default="")
    call_type = models.CharField(_("call type"), max_length=12, choices=CallType.choices)
    summary = models.TextField(_("summary"), max_length=2000, blank=True, default="")
    answer = models.TextField(_("answer given"), max_length=2000, blank=True, default="")
    subject = models.CharField(
        _("about whom"),
        max_length=100,
        blank=True,
        default="",
        help_text=_("The crew or worker a complaint or praise is about."),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="calls_taken",
        verbose_name=_("first-contact owner"),
    )
    handed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calls_handed",
        verbose_name=_("handed to"),
    )
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    building = models.ForeignKey(
        Building, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    system = models.CharField(_("system"), max_length=20, choices=System.choices, blank=True, default="")
    work_order = models.ForeignKey(
        WorkOrder, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    incident = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls"
    )
    praise = models.ForeignKey(Praise, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    closing_note = models.CharField(_("handling note"), max_length=300, blank=True, default="")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        indexes = [
            models.Index(fields=["phone", "-started_at"], name="call_phone_started"),
            models.Index(fields=["-started_at"], name="call_started_desc"),
            models.Index(fields=["call_type", "-started_at"], name="call_type_started"),
            models.Index(fields=["taken_by", "-started_at"], name="call_taker_started"),
            models.Index(fields=["room", "-started_at"], name="call_room_started"),
            models.Index(
                fields=["building", "system", "started_at"],
                name="call_building_system",
                condition=Q(incident__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_call_type_display()} {self.phone or self.caller_name} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def current_owner(self):
        """Whoever owns the call now: the person it was handed to, else its first-contact owner."""
        return self.handed_to or self.taken_by

    @property
    def current_owner_id(self) -> int:
        return self.handed_to_id or self.taken_by_id

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class AgentExtension(models.Model):
    """The phone extension a desk user answers at, so the phone system (CTI) can name the agent by extension
    as well as by login. Edited in the admin."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="extension", verbose_name=_("user")
    )
    number = models.CharField(_("extension"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("agent extension")
        verbose_name_plural = _("agent extensions")

    def __str__(self) -> str:
        return f"{self.number} {self.user}"


class ScreenPop(models.Model):
    """A ringing call the phone system announced for one agent (CTI screen pop). The agent's open intake page
    polls for it and claims it once (`shown_at`); a pop older than SCREEN_POP_SECONDS is no longer shown."""

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="screen_pops",
        verbose_name=_("agent"),
    )
    phone = models.CharField(_("caller phone"), max_length=20)
    created_at = models.DateTimeField(_("rang at"), default=timezone.now)
    shown_at = models.DateTimeField(_("shown at"), null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("screen pop")
        verbose_name_plural = _("screen pops")
        permissions = [("ring_agent", "Can announce a ringing call to an agent (CTI)")]
        indexes = [
            models.Index(
                fields=["agent", "-created_at"], name="screenpop_pending", condition=Q(shown_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.phone} → {self.agent}"
