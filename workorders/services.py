"""Every change to a work order (DESIGN §3, STYLE habit 1).

`perform` is the one function that changes an order's state: it locks the row, returns early when the request
repeats what is already true, checks the actor's right and the transition table, applies the change, writes
the WorkOrderEvent in the same transaction and queues the domain signals on commit. The verb functions below
(`dispatch_order`, `complete_order`…) validate their input and describe their change to it; views, API
actions, admin actions, tasks and commands call them and nothing else.

Errors: `TransitionNotAllowed` (API 409), django's `PermissionDenied` (403) and `ValidationError` (400).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew, Worker
from residents.selectors import normalize_phone

from . import signals
from .choices import (
    TRANSITIONS,
    Area,
    AttachmentKind,
    CancelReason,
    Channel,
    Charge,
    DeadlineKind,
    EscalationLevel,
    HandBackReason,
    HoldReason,
    Move,
    Status,
    Urgency,
)
from .models import (
    Attachment,
    Category,
    Escalation,
    Incident,
    Material,
    OrderNumberCounter,
    WorkOrder,
    WorkOrderEvent,
)
from .permissions import can, can_create_order, is_crew_leader_of, is_manager
from .selectors import Calendar, deadlines_for

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
PLANNED_MAX_WORKING_DAYS = 15  # a planned job, extensions included (DESIGN §4)
CHECKLIST_KEYS = ("greeting", "shoe_covers", "cloth", "inspection", "note_left")


class TransitionNotAllowed(Exception):
    """The order's current state does not allow this move (API: 409)."""

    def __init__(self, order: WorkOrder, move: str) -> None:
        self.order, self.move = order, move
        self.message = _("Order %(number)s is %(status)s; “%(move)s” is not possible now.") % {
            "number": order.number,
            "status": Status(order.status).label,
            "move": Move(move).label,
        }
        super().__init__(self.message)


def _labels(choices) -> str:
    """The choices' labels for a message (they are lazy: str() each before joining)."""
    return "、".join(str(label) for label in choices.labels)


def _deny(move: str) -> PermissionDenied:
    return PermissionDenied(_("You may not “%(move)s” this order.") % {"move": Move(move).label})


def next_deadline(order: WorkOrder) -> datetime | None:
    """The next unmet commitment: respond (accept), then arrive, then complete. None while paused or done."""
    if order.status in (Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED):
        return order.respond_by
    if order.status == Status.ACCEPTED:
        return order.arrive_by or order.complete_by
    if order.status == Status.ON_SITE:
        return order.complete_by
    return None


def deadline_kind(order: WorkOrder) -> str | None:
    """Which commitment `next_deadline` is: response, arrival or completion."""
    if order.status in (Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED):
        return DeadlineKind.RESPOND
    if order.status == Status.ACCEPTED:
        return DeadlineKind.ARRIVE if order.arrive_by else DeadlineKind.COMPLETE
    if order.status == Status.ON_SITE:
        return DeadlineKind.COMPLETE
    return None


Apply = Callable[[WorkOrder, datetime], Iterable[str]]


def perform(
    *,
    order_id: int,
    actor,
    move: str,
    apply: Apply | None = None,
    is_repeat: Callable[[WorkOrder], bool] | None = None,
    note: str = "",
    data: dict[str, Any] | None = None,
    by_system: bool = False,
    now: datetime | None = None,
) -> WorkOrder:
    """Make `move` on the order, or return it unchanged if `is_repeat` says this request is already true.

    Invariants: the row is locked for the whole change; a repeat is a no-op only for someone entitled to the
    move; the table allows the move from the current state (else TransitionNotAllowed, whoever asks); the
    actor's right is checked (unless `by_system`: a higher service that already checked its own rule, e.g. a
    follow-up closing the order); exactly one event is written; side effects run only after commit."""
    now = now or timezone.now()
    with transaction.atomic():
        order = (
            WorkOrder.objects.select_for_update(of=("self",))
            .select_related("crew", "worker")
            .get(pk=order_id)
        )
        allowed = by_system or can(move, actor, order)
        if is_repeat is not None and is_repeat(order):
            # A repeat is answered only to someone who could have made the move (or just made it): a
            # stranger learns nothing and gets the same 403 as for a fresh request.
            if allowed or _last_event_by(order, move, actor):
                return order
            raise _deny(move)
        # The table first: a move the state does not allow is a 409 whoever asks (they can see the order,
        # or they would have had a 404); then whether this actor may make it.
        sources, target = TRANSITIONS[move]
        if order.status not in sources:
            raise TransitionNotAllowed(order, move)
        if not allowed:
            raise _deny(move)
        from_status = order.status
        changed = set(apply(order, now) if apply else ())
        if target is not None:
            order.status = target
        order.due_at = next_deadline(order)
        order.save(update_fields=sorted(changed | {"status", "due_at", "updated_at"}))
        WorkOrderEvent.objects.create(
            order=order,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=move,
            from_status=from_status,
            to_status=order.status,
            note=note,
            data=data or {},
        )
        _queue_signals(order.pk, move, from_status, order.status)
    return order


def _last_event_by(order: WorkOrder, move: str, actor, note: str | None = None) -> bool:
    """Is the order's latest event this move by this actor (and, if given, with this note)? How a repeated
    request is recognised for moves whose effect leaves no other trace (hand back, rework, supervise…)."""
    last = order.events.order_by("-at", "-id").values("kind", "actor_id", "note").first()
    return bool(
        last
        and last["kind"] == move
        and last["actor_id"] == getattr(actor, "pk", None)
        and (note is None or last["note"] == note)
    )


def _queue_signals(order_id: int, move: str, from_status: str, to_status: str) -> None:
    def send() -> None:
        if from_status != to_status:
            signals.order_status_changed.send(
                sender=WorkOrder, order_id=order_id, move=move, from_status=from_status, to_status=to_status
            )
        if to_status == Status.COMPLETED and from_status != Status.COMPLETED:
            signals.order_completed.send(sender=WorkOrder, order_id=order_id)
        if to_status == Status.CLOSED and from_status != Status.CLOSED:
            signals.order_closed.send(sender=WorkOrder, order_id=order_id)
        if move == Move.REWORK:
            signals.order_reworked.send(sender=WorkOrder, order_id=order_id)

    transaction.on_commit(send)


# --- Creation ---------------------------------------------------------------------------------------------


def next_number(now: datetime) -> str:
    """`YYYYMMDD-NNNN`, unique under concurrent creation: the day's counter row is incremented under its
    row lock (UPDATE … SET last = last + 1), created on first use with a retry if another request won."""
    day = timezone.localdate(now)
    # One statement on the hot path: UPDATE … RETURNING (PostgreSQL, SQLite ≥ 3.35); the ORM's update() cannot
    # return the new value, and a second SELECT per intake showed in the bench (bench/README.md).
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


def clean_text(
    value: str | None, field: str, message: str, *, required: bool = True, max_length: int = 2000
) -> str:
    """Free text from a form or API: stripped; `message` (naming `field`) when required and empty; a clear
    length error instead of a database error past `max_length`. Shared by the services of higher apps."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [message]})
    if len(value) > max_length:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": max_length}]})
    return value


def create_order(
    *,
    actor,
    category: Category,
    description: str,
    room=None,
    facility=None,
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
    now: datetime | None = None,
) -> WorkOrder:
    """Log a new order in state `received`: number, location, category (a leaf), urgency (the category's
    default unless given), the three deadlines stamped from the service commitment, first-contact owner =
    the actor (首问负责). Writes the `create` event; `order_created` is sent on commit.

    With `dispatch_to`, the order is also dispatched to that crew in the same INSERT, as the hotline does on
    every repair call: the `dispatch` move's rules are checked as `dispatch_order` checks them and its event
    and signal follow the `create` ones — but the new row needs no lock and no second write (bench/README.md).
    `calendar`: a caller that already loaded the working calendar passes it (the hotline suggests the crew
    with it)."""
    now = now or timezone.now()
    if not by_system and not can_create_order(actor):
        raise PermissionDenied(_("Only dispatchers and managers may create orders."))
    if dispatch_to is not None and not dispatch_to.active:
        raise ValidationError({"crew": [_("This crew is not active.")]})
    if room is None and facility is None:
        raise ValidationError({"room": [_("Give the room or the public facility where the fault is.")]})
    if category.parent_id is None or not category.active:
        raise ValidationError({"category": [_("Choose a specific category (a second-level item).")]})
    description = clean_text(description, "description", _("Describe the fault."))
    urgency = urgency or category.default_urgency
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
    reporter_phone = normalize_phone(reporter_phone or "")
    if reporter_phone and not 7 <= len(reporter_phone) <= 12:
        raise ValidationError({"reporter_phone": [_("Enter a valid phone number (7–12 digits).")]})
    reporter_name = clean_text(reporter_name, "reporter_name", "", required=False, max_length=40)
    location_detail = clean_text(location_detail, "location_detail", "", required=False, max_length=200)
    deadlines = deadlines_for(
        at=now, urgency=urgency, category=category, appointment_at=appointment_at, calendar=calendar
    )
    if room is not None:
        district_id, building_id = room.district_id, room.building_id
        label = room.label
    else:
        district_id, building_id, label = facility.district_id, None, facility.label
    if location_detail:
        label = f"{label} {location_detail.strip()}"
    # No savepoint: the caller's transaction (or this one) is rolled back whole if anything here fails.
    with transaction.atomic(savepoint=False):
        order = WorkOrder(
            number=next_number(now),
            room=room,
            facility=facility if room is None else None,
            district_id=district_id,
            building_id=building_id,
            location_detail=location_detail.strip(),
            location_label=label[:200],
            category=category,
            urgency=urgency,
            area=area or category.default_area,
            charge=charge,
            channel=channel,
            description=description,
            appointment_at=appointment_at,
            reporter=reporter,
            reporter_phone=reporter_phone,
            reporter_name=reporter_name.strip(),
            first_contact_owner=actor if getattr(actor, "pk", None) else None,
            incident=incident,
            respond_by=deadlines.respond_by,
            arrive_by=deadlines.arrive_by,
            complete_by=deadlines.complete_by,
            created_at=now,
        )
        events = [
            WorkOrderEvent(
                order=order,
                at=now,
                actor=order.first_contact_owner,
                kind=Move.CREATE,
                to_status=Status.RECEIVED,
                note=description[:200],
                data={"channel": channel, "urgency": urgency},
            )
        ]
        if dispatch_to is not None:
            _sources, target = TRANSITIONS[Move.DISPATCH]  # received → dispatched
            if not by_system and not can(Move.DISPATCH, actor, order):
                raise _deny(Move.DISPATCH)
            order.status, order.crew, order.worker, order.dispatched_at = target, dispatch_to, None, now
            events.append(
                WorkOrderEvent(
                    order=order,
                    at=now,
                    actor=order.first_contact_owner,
                    kind=Move.DISPATCH,
                    from_status=Status.RECEIVED,
                    to_status=target,
                    data={"crew": dispatch_to.id, "crew_name": dispatch_to.name},
                )
            )
        order.due_at = next_deadline(order)
        order.save(force_insert=True)
        WorkOrderEvent.objects.bulk_create(events)  # in this order: the timeline reads create, then dispatch
        order_id = order.pk
        transaction.on_commit(
            lambda: signals.order_created.send(sender=WorkOrder, order_id=order_id, order=order)
        )
        if dispatch_to is not None:
            _queue_signals(order_id, Move.DISPATCH, Status.RECEIVED, order.status)
    return order


# --- The moves --------------------------------------------------------------------------------------------


def dispatch_order(
    *, actor, order_id: int, crew: Crew, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Send a received order to a crew (已派单)."""
    if not crew.active:
        raise ValidationError({"crew": [_("This crew is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        order.crew, order.worker, order.dispatched_at = crew, None, at
        return ["crew", "worker", "dispatched_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.DISPATCH,
        apply=apply,
        is_repeat=lambda o: o.status == Status.DISPATCHED and o.crew_id == crew.id,
        note=note,
        data={"crew": crew.id, "crew_name": crew.name},
        now=now,
    )


def assign_order(
    *, actor, order_id: int, worker: Worker, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Name the worker for a dispatched order (the crew leader, or a worker taking it from the crew pool)."""
    if not worker.active:
        raise ValidationError({"worker": [_("This worker is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        if order.crew_id != worker.crew_id:
            raise ValidationError({"worker": [_("The worker is not in the order's crew.")]})
        if not (is_crew_leader_of(actor, order) or is_manager(actor)) and worker.user_id != actor.pk:
            # A worker taking an order from the crew pool takes it for themself, not for a colleague.
            raise _deny(Move.ASSIGN)
        order.worker, order.assigned_at = worker, at
        return ["worker", "assigned_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ASSIGN,
        apply=apply,
        is_repeat=lambda o: o.status == Status.ASSIGNED and o.worker_id == worker.id,
        note=note,
        data={"worker": worker.id, "worker_name": worker.name},
        now=now,
    )


def accept_order(*, actor, order_id: int, now: datetime | None = None) -> WorkOrder:
    """The assigned worker accepts (已接单): stamps the response time."""

    def apply(order: WorkOrder, at: datetime):
        order.accepted_at = at
        return ["accepted_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ACCEPT,
        apply=apply,
        is_repeat=lambda o: (
            o.status == Status.ACCEPTED and o.accepted_at is not None and can(Move.ARRIVE, actor, o)
        ),
        now=now,
    )


def arrive_order(*, actor, order_id: int, now: datetime | None = None) -> WorkOrder:
    """The worker is at the door (已到场): stamps arrival."""

    def apply(order: WorkOrder, at: datetime):
        order.arrived_at = at
        return ["arrived_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.ARRIVE,
        apply=apply,
        is_repeat=lambda o: o.status == Status.ON_SITE and can(Move.COMPLETE, actor, o),
        now=now,
    )


def _hold_reason(reason: str) -> str:
    if reason not in HoldReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order must wait: %(choices)s.") % {"choices": _labels(HoldReason)}]}
        )
    return reason


def request_hold(
    *, actor, order_id: int, reason: str, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """The worker asks to put the order on hold; the crew leader approves (hold_order) or refuses."""
    reason = _hold_reason(reason)

    def apply(order: WorkOrder, at: datetime):
        order.hold_requested_reason, order.hold_requested_note = reason, note.strip()[:200]
        return ["hold_requested_reason", "hold_requested_note"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REQUEST_HOLD,
        apply=apply,
        is_repeat=lambda o: (
            o.hold_requested_reason == reason and o.status in (Status.ACCEPTED, Status.ON_SITE)
        ),
        note=note,
        data={"reason": reason},
        now=now,
    )


def refuse_hold(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """The crew leader refuses a worker's hold request; the order carries on."""

    def apply(order: WorkOrder, at: datetime):
        if not order.hold_requested_reason:
            raise ValidationError({"reason": [_("There is no hold request to refuse.")]})
        order.hold_requested_reason, order.hold_requested_note = "", ""
        return ["hold_requested_reason", "hold_requested_note"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REFUSE_HOLD,
        apply=apply,
        is_repeat=lambda o: not o.hold_requested_reason and _last_event_by(o, Move.REFUSE_HOLD, actor),
        note=note,
        now=now,
    )


def hold_order(
    *, actor, order_id: int, reason: str = "", note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Put the order on hold (已挂起), approving the worker's request or on the leader's own decision.
    The commitment clock pauses until resume."""
    data: dict[str, Any] = {}

    def apply(order: WorkOrder, at: datetime):
        chosen = _hold_reason(reason or order.hold_requested_reason)
        data["reason"] = chosen
        order.held_from_status, order.on_hold_since, order.hold_reason = order.status, at, chosen
        order.hold_requested_reason, order.hold_requested_note = "", ""
        return [
            "held_from_status",
            "on_hold_since",
            "hold_reason",
            "hold_requested_reason",
            "hold_requested_note",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.HOLD,
        apply=apply,
        is_repeat=lambda o: o.status == Status.ON_HOLD,
        note=note,
        data=data,
        now=now,
    )


def resume_order(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """Take the order off hold: back to the state it was held from, the unmet deadlines moved later by
    exactly the time on hold, which is added to `held_seconds`."""

    def apply(order: WorkOrder, at: datetime):
        held = max(at - (order.on_hold_since or at), timedelta(0))
        order.held_seconds += int(held.total_seconds())
        if order.accepted_at is None:
            order.respond_by += held
        if order.arrived_at is None and order.arrive_by is not None:
            order.arrive_by += held
        order.complete_by += held
        order.status = order.held_from_status or Status.ACCEPTED
        order.held_from_status, order.on_hold_since = "", None
        return ["held_seconds", "respond_by", "arrive_by", "complete_by", "held_from_status", "on_hold_since"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.RESUME,
        apply=apply,
        is_repeat=lambda o: (
            o.status in (Status.ACCEPTED, Status.ON_SITE) and o.on_hold_since is None and o.held_seconds > 0
        ),
        note=note,
        now=now,
    )


def _decimal(value: Any, field: str, *, minimum: Decimal = Decimal("0")) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if number < minimum or number > Decimal("9999999.99"):
        raise ValidationError(
            {field: [_("Enter an amount between %(min)s and 9999999.99.") % {"min": minimum}]}
        )
    return number


def complete_order(
    *,
    actor,
    order_id: int,
    resolution: str,
    checklist: dict[str, bool],
    checklist_notes: str = "",
    inspection_findings: str = "",
    materials: list[dict[str, Any]] | None = None,
    fee: Any = "0",
    fee_confirmed: bool = False,
    now: datetime | None = None,
) -> WorkOrder:
    """The worker completes the order (已完工) with the 六个一 checklist answered (any "no" needs a reason),
    the resolution, the full-inspection findings, materials and, for paid work, the fee the resident
    confirmed. Everything is validated before anything is written."""
    resolution = clean_text(resolution, "resolution", _("Say what was done."))
    checklist = checklist if isinstance(checklist, dict) else {}
    missing = [key for key in CHECKLIST_KEYS if not isinstance(checklist.get(key), bool)]
    if missing:
        raise ValidationError(
            {"checklist": [_("Answer every item of the 六个一 checklist (yes or no) before completing.")]}
        )
    checklist_notes = str(checklist_notes or "")
    if not all(checklist[key] for key in CHECKLIST_KEYS) and not checklist_notes.strip():
        raise ValidationError({"checklist_notes": [_("Give a one-line reason for each item answered “no”.")]})
    if materials is not None and not isinstance(materials, list | tuple):
        raise ValidationError({"materials": [_("Materials must be a list of {name, quantity, unit_price}.")]})
    rows = []
    for index, row in enumerate(materials or []):
        if not isinstance(row, dict):
            raise ValidationError({"materials": [_("Material %(n)s needs a name.") % {"n": index + 1}]})
        name = str(row.get("name") or "").strip()
        if not name:
            raise ValidationError({"materials": [_("Material %(n)s needs a name.") % {"n": index + 1}]})
        quantity = _decimal(row.get("quantity"), "materials", minimum=Decimal("0.01"))
        unit_price = _decimal(row.get("unit_price", "0") or "0", "materials")
        rows.append(Material(name=name[:80], quantity=quantity, unit_price=unit_price))
    amount = _decimal(fee if fee not in (None, "") else "0", "fee")

    def apply(order: WorkOrder, at: datetime):
        if order.charge == Charge.FREE and amount > 0:
            raise ValidationError({"fee": [_("This order is free of charge; the fee must be 0.")]})
        if order.charge == Charge.PAID and amount > 0 and not fee_confirmed:
            raise ValidationError({"fee_confirmed": [_("The resident must confirm the fee for paid work.")]})
        for key in CHECKLIST_KEYS:
            setattr(order, f"checklist_{key}", checklist[key])
        order.checklist_notes = checklist_notes.strip()[:300]
        order.resolution, order.inspection_findings = resolution, inspection_findings.strip()
        order.fee, order.fee_confirmed, order.completed_at = amount, fee_confirmed, at
        order.materials.all().delete()  # a rework's completion replaces the earlier record
        for material in rows:
            material.order = order
        Material.objects.bulk_create(rows)
        return [f"checklist_{k}" for k in CHECKLIST_KEYS] + [
            "checklist_notes",
            "resolution",
            "inspection_findings",
            "fee",
            "fee_confirmed",
            "completed_at",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.COMPLETE,
        apply=apply,
        is_repeat=lambda o: o.status == Status.COMPLETED and can(Move.COMPLETE, actor, o),
        note=resolution[:200],
        data={"checklist": checklist, "fee": str(amount), "materials": len(rows)},
        now=now,
    )


def close_order(
    *, actor, order_id: int, note: str = "", by_system: bool = False, now: datetime | None = None
) -> WorkOrder:
    """Close a completed order (已办结): after its follow-up (by_system from feedback), or by a manager."""

    def apply(order: WorkOrder, at: datetime):
        order.closed_at = at
        return ["closed_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.CLOSE,
        apply=apply,
        is_repeat=lambda o: o.status == Status.CLOSED,
        note=note,
        by_system=by_system,
        now=now,
    )


def cancel_order(
    *, actor, order_id: int, reason: str, note: str = "", now: datetime | None = None
) -> WorkOrder:
    """Cancel an order that will not be worked (已撤销): duplicate, malicious, outside scope, withdrawn."""
    if reason not in CancelReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order is cancelled: %(c)s.") % {"c": _labels(CancelReason)}]}
        )

    def apply(order: WorkOrder, at: datetime):
        order.cancelled_at, order.cancel_reason, order.on_hold_since = at, reason, None
        return ["cancelled_at", "cancel_reason", "on_hold_since"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.CANCEL,
        apply=apply,
        is_repeat=lambda o: o.status == Status.CANCELLED,
        note=note,
        data={"reason": reason},
        now=now,
    )


def hand_back_order(
    *, actor, order_id: int, reason: str, note: str, now: datetime | None = None
) -> WorkOrder:
    """The crew hands the order back to the dispatcher (退单) with a reason from the fixed list and a text."""
    if reason not in HandBackReason.values:
        raise ValidationError(
            {"reason": [_("Choose why the order is handed back: %(c)s.") % {"c": _labels(HandBackReason)}]}
        )
    note = clean_text(note, "note", _("Explain the hand-back in a few words."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        order.crew, order.worker = None, None
        return ["crew", "worker"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.HAND_BACK,
        apply=apply,
        is_repeat=lambda o: o.status == Status.RECEIVED and _last_event_by(o, Move.HAND_BACK, actor, note),
        note=note,
        data={"reason": reason},
        now=now,
    )


def transfer_order(
    *,
    actor,
    order_id: int,
    reason: str,
    crew: Crew | None = None,
    worker: Worker | None = None,
    now: datetime | None = None,
) -> WorkOrder:
    """Transfer (转派) to another crew (→ dispatched) or another worker (→ assigned). A crew leader may only
    transfer within the crew."""
    if (crew is None) == (worker is None):
        raise ValidationError({"crew": [_("Transfer to either a crew or a worker.")]})
    reason = clean_text(reason, "reason", _("Say why the order is transferred."), max_length=500)
    target = worker or crew
    if not target.active:
        raise ValidationError({"worker" if worker else "crew": [_("The target is not active.")]})

    def apply(order: WorkOrder, at: datetime):
        if not (can(Move.DISPATCH, actor, order)) and (worker is None or worker.crew_id != order.crew_id):
            raise _deny(Move.TRANSFER)
        if worker is not None:
            order.crew_id, order.worker, order.status, order.assigned_at = (
                worker.crew_id,
                worker,
                Status.ASSIGNED,
                at,
            )
            order.accepted_at = None
            return ["crew", "worker", "assigned_at", "accepted_at"]
        order.crew, order.worker, order.status, order.dispatched_at = crew, None, Status.DISPATCHED, at
        order.accepted_at = None
        return ["crew", "worker", "dispatched_at", "accepted_at"]

    def repeat(order: WorkOrder) -> bool:
        if worker is not None:
            return order.status == Status.ASSIGNED and order.worker_id == worker.id
        return order.status == Status.DISPATCHED and order.crew_id == crew.id

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.TRANSFER,
        apply=apply,
        is_repeat=repeat,
        note=reason,
        data={"crew": crew.id if crew else worker.crew_id, "worker": worker.id if worker else None},
        now=now,
    )


def remind_order(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """The resident called again (催单): counted on the same order, never a new one."""

    def apply(order: WorkOrder, at: datetime):
        order.remind_count += 1
        return ["remind_count"]

    return perform(order_id=order_id, actor=actor, move=Move.REMIND, apply=apply, note=note, now=now)


def supervise_order(*, actor, order_id: int, note: str, now: datetime | None = None) -> WorkOrder:
    """A manager flags an overdue or complained-about order for supervision (督办)."""
    note = clean_text(note, "note", _("Say what must be done and by when."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        order.supervised_at = at
        return ["supervised_at"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.SUPERVISE,
        apply=apply,
        is_repeat=lambda o: _last_event_by(o, Move.SUPERVISE, actor, note),
        note=note,
        now=now,
    )


def rework_order(
    *, actor, order_id: int, reason: str, by_system: bool = False, now: datetime | None = None
) -> WorkOrder:
    """Send a completed or closed order back to its crew (返修/发回重办), flagged as rework, with fresh
    deadlines from now. Used by managers, by a 不满意 follow-up and by a failed inspection (by_system)."""
    reason = clean_text(reason, "reason", _("Say why the work must be redone."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        deadlines = deadlines_for(at=at, urgency=order.urgency, category=order.category)
        order.is_rework, order.rework_count = True, order.rework_count + 1
        order.worker, order.dispatched_at = None, at
        order.assigned_at = order.accepted_at = order.arrived_at = order.completed_at = order.closed_at = None
        order.respond_by, order.arrive_by, order.complete_by = (
            deadlines.respond_by,
            deadlines.arrive_by,
            deadlines.complete_by,
        )
        return [
            "is_rework",
            "rework_count",
            "worker",
            "dispatched_at",
            "assigned_at",
            "accepted_at",
            "arrived_at",
            "completed_at",
            "closed_at",
            "respond_by",
            "arrive_by",
            "complete_by",
        ]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REWORK,
        apply=apply,
        is_repeat=lambda o: (
            o.status == Status.DISPATCHED and o.is_rework and _last_event_by(o, Move.REWORK, actor, reason)
        ),
        note=reason,
        by_system=by_system,
        now=now,
    )


def request_extension(
    *, actor, order_id: int, until: datetime, reason: str, now: datetime | None = None
) -> WorkOrder:
    """The crew leader asks for more time on a planned job (≤ 15 working days in all); a manager approves."""
    reason = clean_text(reason, "reason", _("Say why more time is needed."), max_length=500)

    def apply(order: WorkOrder, at: datetime):
        if order.urgency != Urgency.PLANNED:
            raise ValidationError({"until": [_("Only planned jobs can be extended.")]})
        if until <= order.complete_by:
            raise ValidationError({"until": [_("The new deadline must be later than the current one.")]})
        # The cap is DESIGN §4's "≤ 15 working days via extension" from intake, plus any time on hold.
        limit = Calendar.load(order.created_at).add_working_days(order.created_at, PLANNED_MAX_WORKING_DAYS)
        limit += timedelta(seconds=order.held_seconds)
        if until > limit:
            raise ValidationError(
                {
                    "until": [
                        _("A planned job may run at most until %(d)s.")
                        % {"d": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")}
                    ]
                }
            )
        order.extension_requested_until = until
        return ["extension_requested_until"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.REQUEST_EXTENSION,
        apply=apply,
        is_repeat=lambda o: o.extension_requested_until == until,
        note=reason,
        data={"until": until.isoformat()},
        now=now,
    )


def extend_deadline(*, actor, order_id: int, note: str = "", now: datetime | None = None) -> WorkOrder:
    """A manager approves the requested extension: the completion deadline moves to the requested time."""

    def apply(order: WorkOrder, at: datetime):
        if order.extension_requested_until is None:
            raise ValidationError({"until": [_("There is no extension request to approve.")]})
        order.complete_by, order.extension_requested_until = order.extension_requested_until, None
        return ["complete_by", "extension_requested_until"]

    return perform(
        order_id=order_id,
        actor=actor,
        move=Move.EXTEND,
        apply=apply,
        is_repeat=lambda o: o.extension_requested_until is None and _last_event_by(o, Move.EXTEND, actor),
        note=note,
        now=now,
    )


# --- Photos -----------------------------------------------------------------------------------------------

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (not its name or the browser's claim)."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


def add_attachment(
    *, actor, order: WorkOrder, file: UploadedFile, kind: str = AttachmentKind.OTHER
) -> Attachment:
    """Attach a photo to an order the actor can see: type sniffed from content, at most 10 MB."""
    from .permissions import is_crew_member_of

    if not (can(Move.DISPATCH, actor, order) or is_crew_member_of(actor, order)):
        raise PermissionDenied(_("Only the order's crew and the desk may add photos."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": [_("Unknown photo kind.")]})
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("The photo is larger than 10 MB; take a smaller one.")]})
    head = file.read(16)
    file.seek(0)
    content_type = sniff_image_type(head)
    if content_type is None:
        raise ValidationError({"file": [_("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached.")]})
    with transaction.atomic():
        attachment = Attachment.objects.create(
            order=order, kind=kind, file=file, content_type=content_type, size=file.size, uploaded_by=actor
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            kind=Move.ATTACH,
            from_status=order.status,
            to_status=order.status,
            data={"attachment": attachment.id, "kind": kind},
        )
    return attachment


# --- Overdue watch (DESIGN §7) ----------------------------------------------------------------------------

# How late a deadline must be before each step: leader at once, then the manager, then 督办.
ESCALATION_AFTER = {
    Urgency.EMERGENCY: {
        EscalationLevel.LEADER: timedelta(0),
        EscalationLevel.MANAGER: timedelta(minutes=15),
        EscalationLevel.SUPERVISION: timedelta(hours=1),
    },
    None: {
        EscalationLevel.LEADER: timedelta(0),
        EscalationLevel.MANAGER: timedelta(hours=2),
        EscalationLevel.SUPERVISION: timedelta(hours=24),
    },
}


def escalate_overdue(*, now: datetime | None = None) -> int:
    """Take the next escalation steps for every order whose next deadline has passed; returns how many.

    Invariants: one Escalation row per (order, rework round, deadline kind, level), guaranteed by the unique
    constraint and a conditional insert (a second run, or two beats at once, insert nothing); each step is
    an `escalate` event on the timeline (no actor: the system); the 督办 step stamps `supervised_at` if not
    yet set; `order_escalated` is sent on commit so a higher app can notify the people concerned."""
    now = now or timezone.now()
    orders = list(
        WorkOrder.objects.filter(due_at__lt=now).only(
            "id", "status", "urgency", "due_at", "arrive_by", "rework_count", "supervised_at"
        )
    )
    done = set(
        Escalation.objects.filter(order__in=[o.id for o in orders]).values_list(
            "order_id", "round", "deadline", "level"
        )
    )
    created = 0
    for order in orders:
        kind = deadline_kind(order)
        if kind is None:
            continue
        steps = ESCALATION_AFTER.get(order.urgency, ESCALATION_AFTER[None])
        for level, after in steps.items():
            if now - order.due_at < after:
                break
            if (order.id, order.rework_count, kind, level) in done:
                continue
            if _escalate(order, kind, level, now):
                created += 1
    return created


def _escalate(order: WorkOrder, kind: str, level: int, now: datetime) -> bool:
    try:
        with transaction.atomic():
            Escalation.objects.create(
                order_id=order.id,
                round=order.rework_count,
                deadline=kind,
                level=level,
                due_at=order.due_at,
                created_at=now,
            )
            WorkOrderEvent.objects.create(
                order_id=order.id,
                at=now,
                actor=None,
                kind=Move.ESCALATE,
                from_status=order.status,
                to_status=order.status,
                note=f"{DeadlineKind(kind).label}: {EscalationLevel(level).label}",
                data={"deadline": kind, "level": level, "due_at": order.due_at.isoformat()},
            )
            if level == EscalationLevel.SUPERVISION:
                WorkOrder.objects.filter(pk=order.id, supervised_at__isnull=True).update(supervised_at=now)
            order_id = order.id
            transaction.on_commit(
                lambda: signals.order_escalated.send(
                    sender=WorkOrder, order_id=order_id, level=level, deadline=kind
                )
            )
    except IntegrityError:  # another run took this step first
        return False
    return True


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
    from .choices import IncidentKind, System

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
    return incident


# --- Demo activity ----------------------------------------------------------------------------------------


def seed_demo_orders(*, rng, count: int, now: datetime) -> dict[str, int]:
    """About `count` orders spread over the last 60 days in the states such a history has (old ones closed,
    recent ones at every step, a few overdue, reworked, reminded or cancelled), with their timelines.

    Bulk inserts (orders, then events) with deadlines from the real commitments and calendar; numbers are
    unique per day and the day counters are moved past them so live intake continues the sequence. Does
    nothing when any order exists (idempotent) or when places or staff are missing."""
    from django.contrib.auth import get_user_model

    from crews.choices import Role
    from residents.models import Residency, Room

    from .models import ServiceCommitment
    from .selectors import commitment_for

    if WorkOrder.objects.exists():
        return {}
    User = get_user_model()
    rooms = list(Room.objects.order_by("id").values_list("id", "district_id", "building_id", "label"))
    leaves = list(Category.objects.filter(parent__isnull=False, active=True).order_by("id"))
    crews = {c.kind: c for c in Crew.objects.filter(active=True).order_by("id")}
    workers: dict[int, list[Worker]] = {}
    leaders: dict[int, Worker] = {}
    for w in Worker.objects.filter(active=True).select_related("user").order_by("id"):
        if w.is_leader:
            leaders.setdefault(w.crew_id, w)
        else:
            workers.setdefault(w.crew_id, []).append(w)
    desk = list(User.objects.filter(groups__name=Role.DISPATCHER).order_by("id"))
    managers = list(User.objects.filter(groups__name=Role.MANAGER).order_by("id"))
    if not (rooms and leaves and crews and desk and managers):
        return {}
    reporters: dict[int, tuple[int, str, str]] = {}
    for room_id, resident_id, phone, name in Residency.objects.order_by("id").values_list(
        "room_id", "resident_id", "resident__phone", "resident__name"
    ):
        reporters.setdefault(room_id, (resident_id, phone, name))
    start = now - timedelta(days=60)
    calendar = Calendar.load(start, days=90)
    commitments: dict[tuple[str, int], ServiceCommitment] = {}
    leaves = [c for c in leaves if c.crew_kind in crews]
    weights = [1 if c.default_urgency == Urgency.EMERGENCY else 4 for c in leaves]

    def at(base: datetime, low_minutes: float, high_minutes: float) -> datetime:
        return base + timedelta(minutes=rng.uniform(low_minutes, high_minutes))

    plans = []
    for _i in range(count):
        created = start + timedelta(seconds=rng.uniform(0, 60 * 86400 - 600))
        # Office hours are busier than nights (but never move an order past now: the last night stays a night).
        if timezone.localtime(created).hour < 7 and rng.random() < 0.7 and created + timedelta(hours=9) < now:
            created += timedelta(hours=9)
        plans.append(created)
    plans.sort()

    orders: list[WorkOrder] = []
    timelines: list[list[tuple]] = []  # per order: (kind, at, actor, from, to, note, data)
    per_day: dict = {}
    for created in plans:
        category = rng.choices(leaves, weights)[0]
        urgency = category.default_urgency
        roll = rng.random()
        if urgency == Urgency.NORMAL and roll < 0.05:
            urgency = Urgency.PLANNED
        elif urgency == Urgency.NORMAL and roll < 0.1:
            urgency = Urgency.APPOINTMENT
        appointment = None
        if urgency == Urgency.APPOINTMENT:
            appointment = timezone.localtime(created).replace(minute=0, second=0, microsecond=0)
            appointment += timedelta(days=1, hours=rng.choice([0, 2, 4]))
        key = (urgency, category.id)
        if key not in commitments:
            commitments[key] = commitment_for(urgency, category)
        d = deadlines_for(
            at=created,
            urgency=urgency,
            category=category,
            appointment_at=appointment,
            commitment=commitments[key],
            calendar=calendar,
        )
        room_id, district_id, building_id, label = rng.choice(rooms)
        reporter = reporters.get(room_id)
        crew = crews[category.crew_kind]
        crew_workers = workers.get(crew.id) or [leaders.get(crew.id)]
        worker = rng.choice(crew_workers) if crew_workers[0] else None
        leader = leaders.get(crew.id) or worker
        dispatcher = rng.choice(desk)
        day = timezone.localdate(created)
        per_day[day] = per_day.get(day, 0) + 1
        order = WorkOrder(
            number=f"{day:%Y%m%d}-{per_day[day]:04d}",
            room_id=room_id,
            district_id=district_id,
            building_id=building_id,
            location_label=label,
            category=category,
            urgency=urgency,
            area=category.default_area,
            charge=Charge.PAID if rng.random() < 0.08 else Charge.FREE,
            channel=Channel.WALK_IN if rng.random() < 0.1 else Channel.PHONE,
            description=f"{category.name}，请尽快处理",
            appointment_at=appointment,
            reporter_id=reporter[0] if reporter else None,
            reporter_phone=reporter[1] if reporter else "",
            reporter_name=reporter[2] if reporter else "",
            first_contact_owner=dispatcher,
            respond_by=d.respond_by,
            arrive_by=d.arrive_by,
            complete_by=d.complete_by,
            created_at=created,
        )
        events = [(Move.CREATE, created, dispatcher, "", Status.RECEIVED, order.description, {})]
        age = now - created
        # How far this order got: old orders are finished; recent ones stop anywhere along the way.
        if age > timedelta(days=7):
            target = rng.choices(["closed", "completed", "cancelled"], [90, 4, 6])[0]
        elif age > timedelta(days=2):
            target = rng.choices(
                ["closed", "completed", "on_site", "on_hold", "cancelled"], [45, 35, 8, 7, 5]
            )[0]
        else:
            target = rng.choices(
                ["received", "dispatched", "assigned", "accepted", "on_site", "on_hold", "completed"],
                [8, 12, 15, 15, 15, 5, 30],
            )[0]
        if target == "cancelled" or worker is None:
            order.status, order.cancelled_at = Status.CANCELLED, at(created, 5, 60)
            order.cancel_reason = rng.choice(CancelReason.values)
            events.append((Move.CANCEL, order.cancelled_at, dispatcher, "received", "cancelled", "", {}))
        else:
            path = ["received", "dispatched", "assigned", "accepted", "on_site", "completed", "closed"]
            stop = path.index("accepted" if target == "on_hold" else target)
            late = rng.random() < 0.12  # some miss a deadline
            t = created
            status = Status.RECEIVED
            for step in path[1 : stop + 1]:
                if step == "dispatched":
                    t = at(t, 1, 8)
                    order.crew, order.dispatched_at, actor, note = crew, t, dispatcher, ""
                elif step == "assigned":
                    t = at(t, 2, 15)
                    order.worker, order.assigned_at, actor, note = worker, t, leader.user, ""
                elif step == "accepted":
                    t = min(at(t, 1, 10), d.respond_by) if not late else d.respond_by + timedelta(minutes=20)
                    t = max(t, order.assigned_at)
                    order.accepted_at, actor, note = t, worker.user, ""
                elif step == "on_site":
                    limit = d.arrive_by or at(t, 60, 600)
                    t = max(t + timedelta(minutes=5), min(at(t, 15, 240), limit))
                    order.arrived_at, actor, note = t, worker.user, ""
                elif step == "completed":
                    t = max(t + timedelta(minutes=20), min(at(t, 30, 300), d.complete_by))
                    order.completed_at, order.resolution = t, "已修复，试用正常"
                    for name in WorkOrder.CHECKLIST_FIELDS:
                        setattr(order, name, True)
                    order.inspection_findings = "顺查无其他隐患"
                    if order.charge == Charge.PAID:
                        order.fee, order.fee_confirmed = Decimal(rng.choice(["20", "35", "50", "80"])), True
                    actor, note = worker.user, order.resolution
                else:  # closed after the next day's follow-up
                    t = at(t, 20 * 60, 30 * 60)
                    if t > now:
                        break
                    order.closed_at, actor, note = t, rng.choice(managers), "回访满意，办结"
                if t > now:
                    break
                events.append((step_move(step), t, actor, status, step, note, {}))
                status = step
            order.status = status
            if target == "on_hold" and status == Status.ACCEPTED:
                t = at(t, 10, 60)
                if t < now:
                    order.status, order.held_from_status, order.on_hold_since = Status.ON_HOLD, status, t
                    order.hold_reason = rng.choice(HoldReason.values)
                    events.append(
                        (Move.HOLD, t, leader.user, status, Status.ON_HOLD, "", {"reason": order.hold_reason})
                    )
            if order.status in ACTIVE_WORKING and rng.random() < 0.15:
                # The resident calls again after the last step, while still waiting.
                t = events[-1][1]
                for _n in range(rng.randint(1, 3)):
                    t = at(t, 20, 120)
                    if t >= now:
                        break
                    order.remind_count += 1
                    events.append(
                        (Move.REMIND, t, dispatcher, order.status, order.status, "住户再次来电催单", {})
                    )
        order.due_at = next_deadline(order)
        orders.append(order)
        timelines.append(events)

    with transaction.atomic():
        WorkOrder.objects.bulk_create(orders, batch_size=500)
        WorkOrderEvent.objects.bulk_create(
            [
                WorkOrderEvent(
                    order_id=order.id,
                    at=when,
                    actor=actor,
                    kind=kind,
                    from_status=from_status,
                    to_status=to_status,
                    note=note,
                    data=data,
                )
                for order, events in zip(orders, timelines, strict=True)
                for kind, when, actor, from_status, to_status, note, data in sorted(
                    events, key=lambda e: e[1]
                )
            ],
            batch_size=1000,
        )
        for day, last in per_day.items():
            counter, created_counter = OrderNumberCounter.objects.get_or_create(
                day=day, defaults={"last": last}
            )
            if not created_counter and counter.last < last:
                OrderNumberCounter.objects.filter(day=day).update(last=last)
    return {"orders": len(orders), "events": sum(len(e) for e in timelines)}


ACTIVE_WORKING = frozenset(
    {Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE}
)


def step_move(step: str) -> str:
    """The move that leads into a state along the normal path (for demo timelines)."""
    return {
        "dispatched": Move.DISPATCH,
        "assigned": Move.ASSIGN,
        "accepted": Move.ACCEPT,
        "on_site": Move.ARRIVE,
        "completed": Move.COMPLETE,
        "closed": Move.CLOSE,
    }[step]
