"""Incidents: an outage of a system that many calls report (DESIGN §3)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.selectors import homes_in_area

from ..models import Incident
from ..permissions import can_create_order
from . import clean_text

# --- Incidents --------------------------------------------------------------------------------------------


def create_incident(
    *,
    actor,
    title: str,
    system: str,
    district,
    kind: str = "sudden",
    description: str = "",
    starts_at: datetime | None = None,
    expected_end_at: datetime | None = None,
    buildings: Iterable = (),
    units: Iterable = (),
) -> Incident:
    """Record an outage or mass fault (停水/停电/管网堵塞) over a district, some of its buildings or units, so
    calls and orders can attach to it. Buildings and units must lie in the district."""
    from ..choices import IncidentKind, System

    if not (can_create_order(actor)):
        raise PermissionDenied(_("Only dispatchers and managers may record incidents."))
    title = clean_text(title, "title", _("Give the incident a title."), max_length=100)
    if system not in System.values:
        raise ValidationError({"system": [_("Unknown system.")]})
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": [_("Unknown incident kind.")]})
    buildings, units = list(buildings), list(units)
    if any(b.district_id != district.id for b in buildings) or any(
        u.building.district_id != district.id for u in units
    ):
        raise ValidationError({"buildings": [_("Buildings and units must be in the incident's district.")]})
    starts_at = starts_at or timezone.now()
    if expected_end_at is not None and expected_end_at <= starts_at:
        raise ValidationError({"expected_end_at": [_("The expected end must be after the start.")]})
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            system=system,
            kind=kind,
            district=district,
            description=clean_text(description, "description", "", required=False),
            starts_at=starts_at,
            expected_end_at=expected_end_at,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        if buildings:
            incident.buildings.set(buildings)
        if units:
            incident.units.set(units)
        stamp_affected_homes(incident, [b.pk for b in buildings], [u.pk for u in units])
    return incident


def stamp_affected_homes(incident: Incident, building_ids=(), unit_ids=()) -> None:
    """Record how many homes the incident's area holds (the outage report's homes × hours), as planned outages
    do when they are planned."""
    incident.affected_homes = homes_in_area(incident.district_id, building_ids, unit_ids).count()
    incident.save(update_fields=["affected_homes"])
