"""Creating an order: its number, its checked input, its deadlines (DESIGN §3, §4)."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew
from residents.selectors import PhoneError, Place, clean_phone

from .. import signals
from ..choices import Area, Channel, Charge, Move, Status, Urgency
from ..lifecycle import next_deadline
from ..models import Category, OrderNumberCounter, WorkOrder, WorkOrderEvent
from ..permissions import can_create_order
from ..selectors import Calendar, DuplicateOrder, deadlines_for, likely_duplicates
from . import clean_text
from .dispatching import dispatch_order

# --- Creation ---------------------------------------------------------------------------------------------


def next_number(now: datetime) -> str:
    """`YYYYMMDD-NNNN`, unique under concurrent creation: the day's counter row is incremented under its
    row lock (UPDATE … SET last = last + 1), created on first use with a retry if another request won."""
    day = timezone.localdate(now)
    # One statement on the hot path: UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35); the ORM's update() cannot
    # return the new value without a second SELECT.
    table = connection.ops.quote_name(OrderNumberCounter._meta.db_table)
    with transaction.atomic(savepoint=False):
        for _attempt in range(3):
            with connection.cursor() as cursor:
                cursor.execute(
                    f'UPDATE {table} SET "last" = "last" + 1 WHERE "day" = %s RETURNING "last"', [day]
                )
                row = cursor.fetchone()
            if row is not None:
                return f"{day:%Y%m%d}-{row[0]:04d}"
            try:
                with transaction.atomic():  # a savepoint: the first order of the day may race another
                    OrderNumberCounter.objects.create(day=day, last=1)
                return f"{day:%Y%m%d}-0001"
            except IntegrityError:
                continue
    raise RuntimeError("Could not allocate an order number")


def create_order(
    *,
    actor,
    category: Category,
    description: str,
    room=None,
    facility=None,
    building=None,
    unit=None,
    urgency: str | None = None,
    area: str | None = None,
    charge: str = Charge.FREE,
    channel: str = Channel.PHONE,
    reporter=None,
    reporter_phone: str = "",
    reporter_name: str = "",
    location_detail: str = "",
    appointment_at: datetime | None = None,
    incident=None,
    dispatch_to: Crew | None = None,
    calendar: Calendar | None = None,
    by_system: bool = False,
    allow_duplicate: bool = True,
    now: datetime | None = None,
) -> WorkOrder:
    """Log a new order in state `received`: number, place (one of `room`, `facility`, `building` with maybe its
    `unit`: _place), category (a leaf), urgency (the category's default unless given), the three deadlines
    stamped from the service commitment, first-contact owner = the actor (首问负责). Writes the `create` event;
    `order_created` is sent on commit. With `dispatch_to`, the order is then dispatched to that crew through `dispatch_order` in the same
    transaction, as the hotline does on every repair call (its event and signal follow the `create` ones).
    `calendar`: a caller's already loaded working calendar. With `allow_duplicate=False` an active order for the same place and category raises
    DuplicateOrder (with the candidates) before anything is written."""
    now = now or timezone.now()
    if not by_system and not can_create_order(actor):
        raise PermissionDenied(_("Only dispatchers and managers may create orders."))
    if dispatch_to is not None and not dispatch_to.active:
        raise ValidationError({"crew": [_("This crew is not active.")]})
    if category.parent_id is None or not category.active:
        raise ValidationError({"category": [_("Choose a specific category (a second-level item).")]})
    description = clean_text(description, "description", _("Describe the fault."))
    urgency = urgency or category.default_urgency
    _check_choices(urgency=urgency, appointment_at=appointment_at, charge=charge, channel=channel, area=area)
    place = _place(room, facility, building, unit, location_detail)
    who = _reporter(reporter, reporter_phone, reporter_name)
    if not allow_duplicate:
        _refuse_duplicates(place, category)
    deadlines = deadlines_for(
        at=now, urgency=urgency, category=category, appointment_at=appointment_at, calendar=calendar
    )
    # No savepoint: the caller's transaction (or this one) is rolled back whole if anything here fails.
    with transaction.atomic(savepoint=False):
        order = WorkOrder(
            number=next_number(now),
            **place,
            **who,
            category=category,
            urgency=urgency,
            area=area or category.default_area,
            charge=charge,
            channel=channel,
            description=description,
            appointment_at=appointment_at,
            first_contact_owner=actor if getattr(actor, "pk", None) else None,
            incident=incident,
            respond_by=deadlines.respond_by,
            arrive_by=deadlines.arrive_by,
            complete_by=deadlines.complete_by,
            created_at=now,
        )
        _record_creation(order, now)
        if dispatch_to is not None:
            dispatch_order(
                actor=actor,
                order_id=order.pk,
                crew=dispatch_to,
                by_system=by_system,
                new_order=order,
                now=now,
            )
    return order


def _check_choices(*, urgency: str, appointment_at, charge: str, channel: str, area: str | None) -> None:
    if urgency not in Urgency.values:
        raise ValidationError({"urgency": [_("Unknown urgency.")]})
    if urgency == Urgency.APPOINTMENT and appointment_at is None:
        raise ValidationError(
            {"appointment_at": [_("An appointment needs the time slot the resident chose.")]}
        )
    if charge not in Charge.values:
        raise ValidationError({"charge": [_("Unknown charge type.")]})
    if channel not in Channel.values:
        raise ValidationError({"channel": [_("Unknown channel.")]})
    if area and area not in Area.values:
        raise ValidationError({"area": [_("Unknown area.")]})


def _place(room, facility, building, unit, location_detail: str) -> dict:
    """Where the fault is, as the order stores it: one of the room, the public facility or the building (its
    common area, maybe one unit's), the district and building it is in, and the label every screen shows."""
    given = [p for p in (room, facility, building) if p is not None]
    if not given:
        raise ValidationError(
            {
                "room": [
                    _("Give the room, the building (common area) or the public facility where the fault is.")
                ]
            }
        )
    if len(given) > 1:
        raise ValidationError({"room": [_("Give one place only: a room, a building or a public facility.")]})
    if unit is not None and (building is None or unit.building_id != building.pk):
        raise ValidationError({"unit": [_("The unit must be one of the building's units.")]})
    detail = clean_text(location_detail, "location_detail", "", required=False, max_length=200).strip()
    spot = Place(room=room, building=building, unit=unit, facility=facility, detail=detail)
    return {
        "room": room,
        "facility": facility,
        "building_id": spot.building_id,
        "district_id": spot.district_id,
        "location_detail": detail,
        "location_label": spot.label[:200],
    }


def _reporter(reporter, phone: str, name: str) -> dict:
    try:
        phone = clean_phone(phone)
    except PhoneError as exc:
        raise ValidationError({"reporter_phone": [exc.message]}) from None
    name = clean_text(name, "reporter_name", "", required=False, max_length=40)
    return {"reporter": reporter, "reporter_phone": phone, "reporter_name": name.strip()}


def _record_creation(order: WorkOrder, now: datetime) -> None:
    """Insert the new order and its `create` event; `order_created` is sent on commit."""
    order.due_at = next_deadline(order)
    order.save(force_insert=True)
    WorkOrderEvent.objects.create(
        order=order,
        at=now,
        actor=order.first_contact_owner,
        kind=Move.CREATE,
        to_status=Status.RECEIVED,
        note=order.description[:200],
        data={"channel": order.channel, "urgency": order.urgency},
    )
    order_id = order.pk
    transaction.on_commit(
        lambda: signals.order_created.send(sender=WorkOrder, order_id=order_id, order=order)
    )


def _refuse_duplicates(place: dict, category: Category) -> None:
    """DuplicateOrder when the place (room, facility or building common area) already has an active order of
    this category."""
    duplicates = list(
        likely_duplicates(
            room=place["room"],
            facility=place["facility"],
            building_id=place["building_id"],
            category=category,
        )[:5]
    )
    if duplicates:
        raise DuplicateOrder(duplicates)
