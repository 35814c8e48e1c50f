"""Crews, their workers and the duty roster that routes night emergencies."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from residents.models import District

from .choices import CrewKind, WorkerRole


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
    role = models.CharField(_("role"), max_length=10, choices=WorkerRole.choices, default=WorkerRole.MEMBER)
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    skills = models.CharField(_("skills"), max_length=200, blank=True, default="")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["crew_id", "-role", "name"]
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [models.Index(fields=["crew", "active"], name="worker_crew_active")]

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
