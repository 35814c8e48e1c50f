"""Every write the desk makes (STYLE: services). The hotline orchestrates the lower apps through their own
services: orders are created, dispatched and reminded only by `workorders.actions`.

Errors: django's `ValidationError` (400, nothing written), `PermissionDenied` (403), `DuplicateFound`
(the page asks the dispatcher first), and `workorders.actions.TransitionNotAllowed` (409)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew
from crews.selectors import staff_named
from feedback.actions.complaints import register_complaint
from feedback.actions.praise import record_praise
from feedback.choices import ComplaintSource, PraiseSource
from operations.selectors import outages_covering
from residents.models import Residency, Resident, Room
from residents.selectors import Place
from workorders.actions import clean_text
from workorders.actions.escalation import remind_order
from workorders.actions.incidents import stamp_affected_homes
from workorders.actions.intake import create_order
from workorders.choices import Channel, Charge, IncidentKind, System, Urgency
from workorders.models import Category, Incident, WorkOrder
from workorders.permissions import is_desk
from workorders.selectors import Calendar, DuplicateOrder, place_of

from .choices import ANSWERED_TYPES, INTAKE_MAX_SECONDS, SCREEN_POP_KEEP_DAYS, CallType
from .models import Call, ScreenPop
from .permissions import can_handle_call
from .selectors import (
    LookupInputError,
    agent_user,
    duplicate_orders,
    parse_phone,
    pending_screen_pop,
    recent_calls_without_incident,
    resolve_subject,
    should_suggest_incident,
    suggest_crew,
    system_of,
)


class DuplicateFound(DuplicateOrder):
    """An active order for the same place and category exists; the desk decides: reminder or new order."""


@dataclass
class CallResult:
    call: Call
    order: WorkOrder | None = None
    dispatched_to: Crew | None = None
    duplicates: list[WorkOrder] = field(default_factory=list)
    complaint: object | None = None
    praise: object | None = None
    suggest_incident: bool = False


def _require_desk(actor) -> None:
    if not is_desk(actor):
        raise PermissionDenied(_("Only dispatchers and managers take calls."))


def _resident_for(phone: str, room: Room | None) -> Resident | None:
    """The registered caller: one with this number, preferably living in the room of the call."""
    if not phone:
        return None
    from residents.selectors import residents_by_phone

    candidates = residents_by_phone(phone)
    if room is not None:  # one query: those living in the room first
        lives_here = Exists(Residency.objects.filter(resident=OuterRef("pk"), room=room))
        return candidates.annotate(lives_here=lives_here).order_by("-lives_here", "name", "id").first()
    return candidates.order_by("name", "id").first()


def take_call(
    *,
    actor,
    call_type: str,
    channel: str = Channel.PHONE,
    phone: str = "",
    caller_name: str = "",
    summary: str = "",
    room: Room | None = None,
    place: Place | None = None,
    category: Category | None = None,
    urgency: str | None = None,
    crew: Crew | None = None,
    answer: str = "",
    subject: str = "",
    remind_order_id: int | None = None,
    work_order: WorkOrder | None = None,
    incident: Incident | None = None,
    allow_duplicate: bool = True,
    appointment_at: datetime | None = None,
    charge: str = Charge.FREE,
    area: str | None = None,
    started_at: datetime | None = None,
    now: datetime | None = None,
) -> CallResult:
    """Log a call or window visit and do what it asks, all in one transaction (nothing is half-done):

    - repair: create the order and dispatch it to `crew` or the suggested crew (see _repair: appointment slot,
      charge, area, the known caller's name); with `incident`, attach the call to it instead. With
      `allow_duplicate=False` a likely duplicate raises DuplicateFound before anything is written.
    - reminder (催单): `remind_order_id` names the order; workorders.remind_order counts it; no new order.
    - inquiry: answered on the spot; the answer is required and the call is closed.
    - complaint, praise: a Complaint or Praise record about the order, worker or crew given or named (see
      _complaint_or_praise), on the managers' list with the call.
    - suggestion, help: logged open, owned by the actor until answered (`answer_call`) or handed over.

    Where: `place` (room, common area, facility) or `room`. The actor is the first-contact owner (首问负责).
    `started_at`: when the dispatcher started taking the call (first keystroke of the number, or the screen pop;
    ≤ INTAKE_MAX_SECONDS before `now`); it ends when logged: `ended_at - started_at` is the intake time."""
    _require_desk(actor)
    now = now or timezone.now()
    said = _clean_call(call_type, channel, phone, caller_name, summary, subject, incident)
    phone = said["phone"]
    _check_started_at(started_at, now)
    result = CallResult(call=Call())
    place = place or (Place(room=room) if room is not None else None)
    with transaction.atomic():
        order, resident, place, category, answer = _do_what_it_asks(
            result,
            said,
            actor=actor,
            place=place,
            category=category,
            urgency=urgency,
            crew=crew,
            answer=answer,
            remind_order_id=remind_order_id,
            work_order=work_order,
            incident=incident,
            allow_duplicate=allow_duplicate,
            terms={"appointment_at": appointment_at, "charge": charge or Charge.FREE, "area": area or None},
            now=now,
        )
        result.call = _log_call(
            result,
            said,
            actor=actor,
            answer=answer,
            resident=resident or _resident_for(phone, place.room if place is not None else None),
            place=place,
            category=category,
            order=order,
            incident=incident,
            started_at=started_at,
            now=now,
        )
        result.order = order
    if call_type == CallType.REPAIR and incident is None:
        result.suggest_incident = should_suggest_incident(place=place, category=category, now=now)
    return result


def _check_started_at(started_at: datetime | None, now: datetime) -> None:
    """When the dispatcher started taking the call: at most INTAKE_MAX_SECONDS before it was logged."""
    if started_at is not None and not now - timedelta(seconds=INTAKE_MAX_SECONDS) <= started_at <= now:
        raise ValidationError(
            {"started_at": [_("The call must have started within the last two hours, not in the future.")]}
        )


def _do_what_it_asks(
    result: CallResult,
    said: dict,
    *,
    actor,
    place,
    category,
    urgency,
    crew,
    answer,
    remind_order_id,
    work_order,
    incident,
    allow_duplicate,
    terms,
    now,
):
    """The call's effect by its type (see take_call); `terms`: the new order's appointment slot, charge and area.
    Returns (order, resident, place, category, answer)."""
    call_type, summary = said["call_type"], said["summary"]
    order: WorkOrder | None = None
    resident: Resident | None = None
    if call_type == CallType.REMINDER:
        if not remind_order_id:
            raise ValidationError({"work_order": [_("Choose the order the caller is chasing.")]})
        note = summary or _("The resident called again.")
        order = remind_order(actor=actor, order_id=remind_order_id, note=note, now=now)
        place, category, resident = place_of(order) or place, order.category, order.reporter
    elif call_type == CallType.REPAIR:
        order, resident, place = _repair(
            result,
            actor=actor,
            place=place,
            category=category,
            urgency=urgency,
            crew=crew,
            incident=incident,
            allow_duplicate=allow_duplicate,
            said=said,
            terms=terms,
            now=now,
        )
    elif call_type in (CallType.COMPLAINT, CallType.PRAISE):
        _complaint_or_praise(
            result,
            actor=actor,
            call_type=call_type,
            said=said,
            work_order=work_order,
            crew=crew,
            now=now,
        )
        order = work_order
    elif call_type == CallType.INQUIRY:
        answer = clean_text(
            answer, "answer", _("Write the answer you gave the caller."), required=True, max_length=2000
        )
    return order, resident, place, category, answer


def _clean_call(
    call_type: str, channel: str, phone: str, caller_name: str, summary: str, subject: str, incident=None
) -> dict:
    """The call's own input, checked before anything is written, as the Call's fields."""
    if call_type not in CallType.values:
        raise ValidationError({"call_type": [_("Choose what the call is about.")]})
    if channel not in (Channel.PHONE, Channel.WALK_IN):
        raise ValidationError({"channel": [_("A call comes by phone or to the window.")]})
    caller_name = clean_text(
        caller_name,
        "caller_name",
        _("Write the visitor's name."),
        required=channel == Channel.WALK_IN,
        max_length=40,
    )
    if phone or channel == Channel.PHONE:
        try:
            phone = parse_phone(phone)
        except LookupInputError as exc:
            raise ValidationError({"phone": [exc.message]}) from None
    summary = clean_text(
        summary,
        "summary",
        _("Describe the fault.") if call_type == CallType.REPAIR else _("Write what the caller said."),
        required=call_type not in (CallType.REMINDER,) and incident is None,
        max_length=2000,
    )
    if incident is not None:
        # One key on the caller screen: the call is about the outage; its title says what it was about.
        summary = summary or incident.title[:2000]
    subject = clean_text(subject, "subject", "", required=False, max_length=100)
    return {
        "channel": channel,
        "call_type": call_type,
        "phone": phone,
        "caller_name": caller_name,
        "summary": summary,
        "subject": subject,
    }


def _log_call(
    result: CallResult,
    said: dict,
    *,
    actor,
    answer,
    resident,
    place,
    category,
    order,
    incident,
    started_at,
    now,
) -> Call:
    """The call's row, linked to what it led to; an inquiry is closed at once, with its answer."""
    closed = said["call_type"] == CallType.INQUIRY
    return Call.objects.create(
        **said,
        answer=answer.strip() if closed else "",
        taken_by=actor,
        resident=resident,
        room=place.room if place is not None else None,
        building_id=place.building_id if place is not None else None,
        category=category,
        system=(incident.system if incident is not None else system_of(category))
        if said["call_type"] == CallType.REPAIR
        else "",
        work_order=order,
        incident=incident,
        complaint=result.complaint,
        praise=result.praise,
        started_at=started_at or now,
        ended_at=now,
        closed_at=now if closed else None,
        closed_by=actor if closed else None,
    )


def _repair(
    result: CallResult, *, actor, place, category, urgency, crew, incident, allow_duplicate, said, terms, now
):
    """A repair call's order, created and dispatched in one go (create_order's `dispatch_to`) to the chosen or
    the suggested crew, the working calendar loaded once for the deadlines and the crew suggestion; none when
    the call is attached to an incident (the place may then be the caller's home in the outage). `terms`: the
    appointment slot, charge and area. Returns (order, resident, place)."""
    if place is None and incident is not None:
        home = _home_in_outage(said["phone"], incident, now)
        place = Place(room=home) if home is not None else None
    if place is None:
        raise ValidationError({"address": [_("Give the address of the fault.")]})
    if category is None and incident is None:
        raise ValidationError({"category": [_("Choose the category of the fault.")]})
    if incident is not None and place.room is not None:
        _check_outage_covers(incident, place.room, now)
    if urgency and urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("Unknown urgency.")]})
    if incident is not None:
        return None, None, place
    result.duplicates = duplicate_orders(place=place, category=category)
    if result.duplicates and not allow_duplicate:
        raise DuplicateFound(result.duplicates)
    resident = _resident_for(said["phone"], place.room)
    calendar = Calendar.load(now)
    target = crew or suggest_crew(category=category, district_id=place.district_id, at=now, calendar=calendar)
    result.dispatched_to = target
    order = create_order(
        actor=actor,
        category=category,
        description=said["summary"],
        room=place.room,
        facility=place.facility,
        building=place.building if place.room is None else None,
        unit=place.unit,
        location_detail=place.detail,
        urgency=urgency or None,
        channel=said["channel"],
        reporter=resident,
        reporter_phone=said["phone"],
        # The follow-up script greets the reporter and the export lists them: a known caller's registered name
        # stands in when the dispatcher typed none.
        reporter_name=said["caller_name"] or (resident.name if resident is not None else ""),
        **terms,
        dispatch_to=target,
        calendar=calendar,
        now=now,
    )
    return order, resident, place


def _complaint_or_praise(result: CallResult, *, actor, call_type, said, work_order, crew, now) -> None:
    """A complaint is registered (about the order given, or the order, worker or crew its subject names). Every praise call leaves a 表扬 record: for the
    order's crew, the chosen crew, or whoever the caller named; naming nobody known, it waits for a manager
    to attribute it."""
    walk_in = said["channel"] == Channel.WALK_IN
    phone, caller_name, summary = said["phone"], said["caller_name"], said["summary"]
    if call_type == CallType.COMPLAINT:
        named_order, named_worker, named_crew = (None, None, None)
        if work_order is None and said["subject"]:
            named_order, named_worker, named_crew = resolve_subject(said["subject"])
            if not (named_order or named_worker or named_crew):
                summary = f"{summary}\n{_('About')}: {said['subject']}"
        result.complaint = register_complaint(
            actor=actor,
            source=ComplaintSource.WINDOW if walk_in else ComplaintSource.CALL,
            phone=phone,
            name=caller_name,
            summary=summary,
            work_order=work_order or named_order,
            crew=None if named_worker else named_crew,
            worker=named_worker,
            now=now,
        )
    else:
        named_crew, named_worker = (None, None) if work_order or crew else staff_named(said["subject"])
        result.praise = record_praise(
            actor=actor,
            summary=summary,
            work_order=work_order,
            crew=crew or named_crew,
            worker=named_worker,
            source=PraiseSource.WINDOW if walk_in else PraiseSource.CALL,
            praiser_name=caller_name,
            unattributed=True,
            now=now,
        )


def _home_in_outage(phone: str, incident: Incident, now: datetime) -> Room | None:
    """The caller's home that the outage covers (the caller screen's one key sends no address): a query per
    home of the caller, who has one or two."""
    if not phone:
        return None
    from residents.selectors import residents_by_phone

    homes = Room.objects.filter(residencies__resident__in=residents_by_phone(phone)).distinct().order_by("id")
    for room in homes[:10]:
        if outages_covering(rooms=[room], now=now).filter(pk=incident.pk).exists():
            return room
    return None


def _check_outage_covers(incident: Incident, room, now: datetime) -> None:
    """A call is attached only to an outage not ended whose area holds the caller's home (active, or starting
    within the caller screen's horizon)."""
    if incident.ended_at is not None:
        raise ValidationError({"incident": [_("This incident has already ended.")]})
    if not outages_covering(rooms=[room], now=now).filter(pk=incident.pk).exists():
        raise ValidationError({"incident": [_("This outage does not cover the caller's home.")]})


def hand_over_call(*, actor, call_id: int, to_user, note: str = "", now: datetime | None = None) -> Call:
    """Hand a call to a named colleague (首问负责 ends only when someone named takes it over). Only the call's
    current owner or a manager may; the colleague must be an active desk user; a handled call stays where it
    is. Handing it to its current owner again changes nothing."""
    _require_desk(actor)
    if to_user is None or not to_user.is_active or not is_desk(to_user):
        raise ValidationError({"to": [_("Name a dispatcher or manager who takes the call over.")]})
    note = clean_text(note, "note", "", required=False, max_length=300)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        if not can_handle_call(actor, call):
            raise PermissionDenied(_("Only the call's current owner or a manager may hand it over."))
        if call.current_owner_id == to_user.id:
            return call
        if call.closed_at is not None:
            raise ValidationError({"to": [_("This call has already been handled.")]})
        call.handed_to, call.handed_at = to_user, now or timezone.now()
        fields = ["handed_to", "handed_at"]
        if note:
            call.closing_note = note
            fields.append("closing_note")
        call.save(update_fields=fields)
    return call


def answer_call(*, actor, call_id: int, answer: str, now: datetime | None = None) -> Call:
    """The owner of a help request or suggestion records the answer the caller is told, which closes the call.
    Only the current owner or a manager may; an answered call keeps its answer (repeating changes nothing)."""
    _require_desk(actor)
    answer = clean_text(
        answer, "answer", _("Write the answer the caller is told."), required=True, max_length=2000
    )
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        if not can_handle_call(actor, call):
            raise PermissionDenied(_("Only the call's current owner or a manager may answer it."))
        if call.call_type not in ANSWERED_TYPES:
            raise ValidationError({"answer": [_("Only help requests and suggestions are answered here.")]})
        if call.closed_at is not None:
            return call
        call.answer, call.closed_at, call.closed_by = answer, now or timezone.now(), actor
        call.closing_note = answer[:300]
        call.save(update_fields=["answer", "closed_at", "closed_by", "closing_note"])
    return call


def close_call(*, actor, call_id: int, note: str) -> Call:
    """A manager (or the desk) marks a logged call handled, saying how. Repeating it changes nothing."""
    _require_desk(actor)
    note = clean_text(note, "note", _("Say how the call was handled."), required=True, max_length=300)
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        if call.closed_at is not None:
            return call
        call.closed_at, call.closed_by, call.closing_note = timezone.now(), actor, note
        call.save(update_fields=["closed_at", "closed_by", "closing_note"])
    return call


def attach_call_to_incident(*, actor, call_id: int, incident: Incident) -> Call:
    """Link a call to the incident it is about (one outage, many calls)."""
    _require_desk(actor)
    if incident.ended_at is not None:
        raise ValidationError({"incident": [_("This incident has already ended.")]})
    with transaction.atomic():
        call = Call.objects.select_for_update().get(pk=call_id)
        if call.incident_id != incident.id:
            call.incident = incident
            call.save(update_fields=["incident"])
    return call


def report_incident(
    *,
    actor,
    title: str,
    system: str,
    room: Room,
    whole_district: bool = False,
    kind: str = IncidentKind.SUDDEN,
    description: str = "",
    expected_end_at: datetime | None = None,
    now: datetime | None = None,
) -> Incident:
    """Declare an outage or mass fault of one system over the room's building (or its whole district), and
    attach the calls of the last 30 minutes about that system in that building to it."""
    _require_desk(actor)
    now = now or timezone.now()
    title = clean_text(title, "title", _("Give the incident a short title."), required=True, max_length=100)
    if system not in System.values:
        raise ValidationError({"system": [_("Choose the system: water, power or drainage.")]})
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": [_("Unknown incident kind.")]})
    if expected_end_at is not None and expected_end_at <= now:
        raise ValidationError({"expected_end_at": [_("The expected end must be in the future.")]})
    with transaction.atomic():
        incident = Incident.objects.create(
            title=title,
            system=system,
            kind=kind,
            district_id=room.district_id,
            description=description.strip(),
            starts_at=now,
            expected_end_at=expected_end_at,
            created_by=actor,
        )
        if not whole_district:
            incident.buildings.add(room.building_id)
        stamp_affected_homes(incident, () if whole_district else (room.building_id,))
        recent_calls_without_incident(building_id=room.building_id, system=system, now=now).update(
            incident=incident
        )
    return incident


def purge_screen_pops(*, now: datetime | None = None) -> int:
    """Delete screen pops older than SCREEN_POP_KEEP_DAYS (the phone system posts one per ringing call, and
    nothing else removes them); returns how many. Running it twice deletes nothing more."""
    now = now or timezone.now()
    deleted, _per_model = ScreenPop.objects.filter(
        created_at__lt=now - timedelta(days=SCREEN_POP_KEEP_DAYS)
    ).delete()
    return deleted


def ring_agent(*, actor, phone: str, agent: str, now: datetime | None = None) -> ScreenPop:
    """The phone system (a CTI service account) announces a ringing call for an agent, named by login or by
    extension (AgentExtension). The agent's open intake page shows the caller within its next poll."""
    if not actor.has_perm("hotline.ring_agent"):
        raise PermissionDenied(_("Only the phone system's service account announces calls."))
    try:
        phone = parse_phone(phone)
    except LookupInputError as exc:
        raise ValidationError({"phone": [exc.message]}) from None
    agent = (agent or "").strip()[:150]
    if not agent:
        raise ValidationError({"agent": [_("Name the agent: a login or an extension.")]})
    user = agent_user(agent)
    if user is None:
        raise ValidationError(
            {"agent": [_("No dispatcher has the login or extension “%(a)s”.") % {"a": agent}]}
        )
    return ScreenPop.objects.create(
        agent=user, phone=phone, created_at=now or timezone.now(), posted_by=actor
    )


def claim_screen_pop(*, user_id: int, now: datetime | None = None) -> ScreenPop | None:
    """The newest unshown screen pop of the agent from the last SCREEN_POP_SECONDS, marked shown so that it pops
    once (a conditional UPDATE: two open tabs never both take it). One query when there is none."""
    now = now or timezone.now()
    pop = pending_screen_pop(user_id=user_id, now=now)
    if pop is None:
        return None
    if not ScreenPop.objects.filter(pk=pop.pk, shown_at__isnull=True).update(shown_at=now):
        return None
    return pop
