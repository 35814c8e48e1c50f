"""Places and people: District → Building → Unit → Room, public facilities, residents and where they live.

Rooms carry their building and district (denormalised, fixed at creation) and a ready-made label, so the caller
screen, incident coverage and list filters answer from one indexed table without joins up the tree.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import FacilityKind, Relation


class District(models.Model):
    """A residential district (区) of the base, numbered as the residents say it: 5区."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=40, unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


class Building(models.Model):
    """A residential building (栋/号楼) within a district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="buildings")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=60, db_index=True)

    class Meta:
        ordering = ["district__number", "number"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="building_unique_per_district"),
        ]

    def __str__(self) -> str:
        return self.label


class Unit(models.Model):
    """A stairwell unit (单元/门) of a building."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    number = models.PositiveSmallIntegerField(_("number"))
    label = models.CharField(_("label"), max_length=80)

    class Meta:
        ordering = ["building_id", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_unique_per_building"),
        ]

    def __str__(self) -> str:
        return self.label


class Room(models.Model):
    """A home (室): the place most orders are about. `label` reads like the residents write it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rooms")
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="rooms", editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="rooms", editable=False)
    number = models.CharField(_("number"), max_length=10)
    floor = models.SmallIntegerField(_("floor"), default=1)
    label = models.CharField(_("label"), max_length=100, db_index=True)

    class Meta:
        ordering = ["unit_id", "number"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["unit", "number"], name="room_unique_per_unit"),
        ]

    def __str__(self) -> str:
        return self.label


class Facility(models.Model):
    """A public facility (公建设施): pump house, substation, road, school… belonging to a district."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="facilities")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.OTHER
    )
    label = models.CharField(_("label"), max_length=140, db_index=True)

    class Meta:
        ordering = ["district__number", "name"]
        verbose_name = _("public facility")
        verbose_name_plural = _("public facilities")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="facility_unique_per_district"),
        ]

    def __str__(self) -> str:
        return self.label


class Resident(models.Model):
    """A person who lives on the base; phones are how the hotline recognises them."""

    name = models.CharField(_("name"), max_length=40, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, db_index=True)
    alt_phone = models.CharField(_("other phone"), max_length=20, blank=True, default="", db_index=True)
    notes = models.CharField(
        _("notes"), max_length=200, blank=True, default="", help_text=_("e.g. elderly, lives alone")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rooms = models.ManyToManyField(Room, through="Residency", related_name="residents")

    class Meta:
        ordering = ["name", "id"]
        permissions = [("view_full_phone", _("Can see residents' full phone numbers"))]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")

    def __str__(self) -> str:
        return self.name


class Residency(models.Model):
    """Who lives in which room, and as what (owner, tenant, family)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="residencies")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="residencies")
    relation = models.CharField(
        _("relation"), max_length=10, choices=Relation.choices, default=Relation.OWNER
    )
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        constraints = [
            models.UniqueConstraint(fields=["resident", "room"], name="residency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.room}"


class PhoneAccessLog(models.Model):
    """One view of a resident's full phone number: who saw it, when, whose, and on which screen. Written in bulk
    by `residents.services.log_phone_views` (one INSERT per request); read-only for managers in the admin."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    resident = models.ForeignKey(
        Resident, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("resident")
    )
    where = models.CharField(_("where"), max_length=40)
    path = models.CharField(_("address requested"), max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("phone number view")
        verbose_name_plural = _("phone number views")
        indexes = [
            models.Index(fields=["resident", "-at"], name="phonelog_resident_at"),
            models.Index(fields=["user", "-at"], name="phonelog_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.resident_id} @ {self.where}"


class AuditEntry(models.Model):
    """A change to master data (residents, rooms, crews, workers, categories, commitments…): who, when, which
    object, what (add/change/delete) and the fields' before/after values as JSON ({"field": [before, after]}).
    Written by `residents.services.record_audit` (the admin mixin and the registering services)."""

    class Action(models.TextChoices):
        ADD = "add", _("Added")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    model = models.CharField(_("model"), max_length=60, db_index=True)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200, blank=True, default="")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("master data change")
        verbose_name_plural = _("master data changes")
        indexes = [models.Index(fields=["model", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.action}"
