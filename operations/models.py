"""Tables of the three systems in operation: outage notices, round templates and rounds, hazards.

The outage itself stays `workorders.Incident` (planned or not); this app adds what running the systems needs
on top of it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workorders.models import Incident

from .choices import NoticeEvent, NoticeStatus


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
