"""The hazard register (隐患台账): report a hazard, move it along the transition table (choices.py), turn it
into a work order in one step, and escalate overdue ones. Every state change goes through `move_hazard`:
it locks the row, returns early on a repeat, checks the table and the actor, writes the event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew
from crews.permissions import is_crew_leader, is_dispatcher, is_manager, is_staff_member
from crews.selectors import worker_of
from residents.models import Building, Facility, Room
from workorders.actions import clean_text
from workorders.actions.attachments import MAX_ATTACHMENT_BYTES, sniff_image_type
from workorders.actions.intake import create_order
from workorders.choices import Area, Channel, System, Urgency
from workorders.models import Category

from .. import signals
from ..choices import (
    CREW_KIND_OF_SYSTEM,
    HAZARD_DUE_DAYS,
    HAZARD_OPEN,
    HAZARD_TRANSITIONS,
    HazardMove,
    HazardStatus,
    Severity,
)
from ..models import PHOTO_EXTENSIONS, Hazard, HazardEvent, RoundItem
from ..services import Conflict, escalate_late


class HazardConflict(Conflict):
    """The hazard's state does not allow this move (a 409)."""


# The category of the work order a hazard becomes, by system (a leaf the crew of that trade handles).
WORK_ORDER_CATEGORY = {
    System.WATER: "water.valve",
    System.POWER: "electrical.public_power",
    System.DRAINAGE: "drainage.outdoor_overflow",
    "": "maintenance.outdoor_public",
}
URGENCY_OF_SEVERITY = {
    Severity.CRITICAL: Urgency.EMERGENCY,
    Severity.MAJOR: Urgency.NORMAL,
    Severity.MINOR: Urgency.PLANNED,
}


# --- Who ---------------------------------------------------------------------------------------------------


def in_hazard_crew(user, hazard: Hazard) -> bool:
    worker = worker_of(user)
    return bool(worker and worker.crew_id == hazard.crew_id)


def can_work_on(user, hazard: Hazard, move: str) -> bool:
    """Crew members rectify; the crew's leader or a manager verifies; the desk, the leader or a manager turns a
    hazard into a work order."""
    if is_manager(user):
        return True
    if move in (HazardMove.START_RECTIFYING, HazardMove.MARK_RECTIFIED):
        return in_hazard_crew(user, hazard)
    if move == HazardMove.VERIFY:
        return is_crew_leader(user) and in_hazard_crew(user, hazard)
    if move == HazardMove.TO_WORK_ORDER:
        return is_dispatcher(user) or (is_crew_leader(user) and in_hazard_crew(user, hazard))
    return False


def allowed_moves(user, hazard: Hazard) -> list[str]:
    """The moves the table allows from the hazard's state and the user may make (for the page's buttons)."""
    return [
        move
        for move, (sources, _target) in HAZARD_TRANSITIONS.items()
        if hazard.status in sources
        and can_work_on(user, hazard, move)
        and not (move == HazardMove.VERIFY and hazard.rectified_by_id == user.pk)
    ]


# --- Report ------------------------------------------------------------------------------------------------


def default_due_at(severity: str, now: datetime) -> datetime:
    """When a hazard of this severity must be rectified by (HAZARD_DUE_DAYS)."""
    return now + timedelta(days=HAZARD_DUE_DAYS.get(severity, HAZARD_DUE_DAYS[Severity.MAJOR]))


def hazard_due_at(severity: str, now: datetime, due_on: date | None) -> datetime:
    """The default by severity; a day the reporter chose means its end (the default's own day keeps the
    default's hour). A day before today is refused."""
    default = default_due_at(severity, now)
    if due_on is None or due_on == timezone.localdate(default):
        return default
    if due_on < timezone.localdate(now):
        raise ValidationError({"due_on": [_("The rectification date cannot be in the past.")]})
    return timezone.make_aware(datetime.combine(due_on, time(23, 59)))


def checked_photo(photo, field: str = "photo"):
    """A hazard's or a round check's photo, checked by its content like an order's (JPEG, PNG, GIF, WebP, HEIC,
    at most 10 MB) and renamed after the type found, so the stored name says what it is sent back as."""
    if photo.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({field: [_("The photo is larger than 10 MB; take a smaller one.")]})
    head = photo.read(16)
    photo.seek(0)
    content_type = sniff_image_type(head)
    if content_type is None:
        raise ValidationError({field: [_("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached.")]})
    photo.name = "photo" + PHOTO_EXTENSIONS[content_type]
    return photo


def _crew_for(system: str, district_id: int, actor) -> Crew | None:
    worker = worker_of(actor)
    if worker is not None:
        return worker.crew
    kind = CREW_KIND_OF_SYSTEM.get(system, "maintenance")
    return (
        Crew.objects.filter(kind=kind, active=True)
        .filter(Q(districts__isnull=True) | Q(districts=district_id))
        .order_by("id")
        .first()
    )


def report_hazard(
    *,
    actor,
    severity: str,
    description: str,
    system: str = "",
    room: Room | None = None,
    building: Building | None = None,
    facility: Facility | None = None,
    round_item: RoundItem | None = None,
    crew: Crew | None = None,
    photo=None,
    due_on: date | None = None,
    now: datetime | None = None,
) -> Hazard:
    """Register a hazard found on a round, on an order's inspection or by anyone on staff. One place (a room,
    a building or a facility); the due date follows the severity unless the reporter names a day (not in
    the past: rectify by its end); the crew is the round's, the reporter's, or the crew of the system's trade
    serving the district. A round check gives at most one hazard."""
    now = now or timezone.now()
    if not is_staff_member(actor):
        raise PermissionDenied(_("Only staff may report hazards."))
    if severity not in Severity.values:
        raise ValidationError({"severity": [_("Choose the severity: critical, major or minor.")]})
    due_at = hazard_due_at(severity, now, due_on)
    if system and system not in System.values:
        raise ValidationError({"system": [_("Unknown system.")]})
    description = clean_text(description, "description", _("Describe the hazard."), max_length=2000)
    if photo:
        photo = checked_photo(photo)
    if round_item is not None:
        if Hazard.objects.filter(round_item=round_item).exists():
            return Hazard.objects.get(round_item=round_item)
        facility, building = round_item.facility, round_item.building
        crew = crew or round_item.round.crew
    places = [p for p in (room, building, facility) if p is not None]
    if len(places) != 1:
        raise ValidationError({"room": [_("Give one place: a room, a building or a public facility.")]})
    district_id = room.district_id if room else (building.district_id if building else facility.district_id)
    crew = crew or _crew_for(system, district_id, actor)
    if crew is None:
        raise ValidationError({"system": [_("No crew of this trade serves the district.")]})
    with transaction.atomic():
        hazard = Hazard.objects.create(
            district_id=district_id,
            room=room,
            building=building,
            facility=facility,
            system=system,
            crew=crew,
            severity=severity,
            description=description,
            round_item=round_item,
            found_by=actor,
            found_at=now,
            due_at=due_at,
        )
        if photo:
            hazard.photo.save(photo.name, photo, save=True)
        HazardEvent.objects.create(
            hazard=hazard,
            at=now,
            actor=actor,
            move="report",
            to_status=HazardStatus.FOUND,
            note=description[:300],
        )
    return hazard


# --- Moves -------------------------------------------------------------------------------------------------


def move_hazard(
    *,
    actor,
    hazard_id: int,
    move: str,
    note: str = "",
    apply: Callable[[Hazard, datetime], list[str]] | None = None,
    now: datetime | None = None,
) -> Hazard:
    """The one way a hazard changes state. Locks the row; a repeat of the move that already led here by the
    same actor is a no-op; an illegal move is HazardConflict (409); a move the actor may not make is
    PermissionDenied (403), as is verifying one's own rectification."""
    now = now or timezone.now()
    if move not in HAZARD_TRANSITIONS:
        raise HazardConflict(_("Unknown move."))
    sources, target = HAZARD_TRANSITIONS[move]
    with transaction.atomic():
        hazard = Hazard.objects.select_for_update().get(pk=hazard_id)
        if hazard.status == target and hazard.events.filter(move=move, actor=actor).exists():
            return hazard
        if not can_work_on(actor, hazard, move):
            raise PermissionDenied(_("You may not do this to this hazard."))
        if hazard.status not in sources:
            raise HazardConflict(
                _("A hazard that is “%(status)s” cannot be moved this way.")
                % {"status": HazardStatus(hazard.status).label}
            )
        if move == HazardMove.VERIFY and hazard.rectified_by_id == getattr(actor, "pk", None):
            raise PermissionDenied(_("Someone other than the fixer must verify the rectification."))
        fields = ["status"]
        from_status, hazard.status = hazard.status, target
        if move in (HazardMove.START_RECTIFYING, HazardMove.TO_WORK_ORDER):
            hazard.rectifying_at = now
            fields.append("rectifying_at")
        elif move == HazardMove.MARK_RECTIFIED:
            hazard.rectified_at, hazard.rectified_by = now, actor
            fields += ["rectified_at", "rectified_by"]
        elif move == HazardMove.VERIFY:
            hazard.verified_at, hazard.verified_by = now, actor
            fields += ["verified_at", "verified_by"]
        if apply is not None:
            fields += apply(hazard, now)
        hazard.save(update_fields=fields)
        HazardEvent.objects.create(
            hazard=hazard,
            at=now,
            actor=actor,
            move=move,
            from_status=from_status,
            to_status=target,
            note=clean_text(note, "note", "", required=False, max_length=300),
        )
    return hazard


def start_rectifying(*, actor, hazard_id: int, note: str = "", now: datetime | None = None) -> Hazard:
    return move_hazard(actor=actor, hazard_id=hazard_id, move=HazardMove.START_RECTIFYING, note=note, now=now)


def mark_rectified(*, actor, hazard_id: int, note: str = "", now: datetime | None = None) -> Hazard:
    return move_hazard(actor=actor, hazard_id=hazard_id, move=HazardMove.MARK_RECTIFIED, note=note, now=now)


def verify_hazard(*, actor, hazard_id: int, note: str = "", now: datetime | None = None) -> Hazard:
    return move_hazard(actor=actor, hazard_id=hazard_id, move=HazardMove.VERIFY, note=note, now=now)


def hazard_to_work_order(*, actor, hazard_id: int, note: str = "", now: datetime | None = None) -> Hazard:
    """Open a work order for the hazard and dispatch it to the hazard's crew, in the same transaction as the
    move to rectifying: the category by system, the urgency by severity, the place of the hazard (a
    building's hazard is an order at the building's common area)."""
    now = now or timezone.now()

    def apply(hazard: Hazard, at: datetime) -> list[str]:
        at_building = hazard.room_id is None and hazard.facility_id is None
        order = create_order(
            actor=actor,
            by_system=True,
            category=Category.objects.get(code=WORK_ORDER_CATEGORY[hazard.system]),
            description=_("Hazard: %(d)s") % {"d": hazard.description[:1900]},
            room=hazard.room,
            facility=hazard.facility,
            building=hazard.building if at_building else None,
            area=Area.BUILDING_COMMON if at_building else None,
            urgency=URGENCY_OF_SEVERITY[hazard.severity],
            channel=Channel.WEB,
            dispatch_to=hazard.crew,
            now=at,
        )
        hazard.work_order = order
        return ["work_order"]

    return move_hazard(
        actor=actor, hazard_id=hazard_id, move=HazardMove.TO_WORK_ORDER, note=note, apply=apply, now=now
    )


# --- Overdue watch ----------------------------------------------------------------------------------------


def escalate_overdue_hazards(*, now: datetime | None = None) -> int:
    """Open hazards past their due date escalate like orders: the crew's leader at once, the managers
    ESCALATE_TO_MANAGER_AFTER_HOURS later; each step once (`escalate_late`)."""
    now = now or timezone.now()
    late = Hazard.objects.filter(status__in=HAZARD_OPEN, due_at__lt=now)
    return escalate_late(late, now=now, signal=signals.hazard_escalated, id_name="hazard_id")
