"""Reads for the desk: the caller screen, duplicate and incident detection, the crew to suggest, the board.

Every function here issues a fixed number of queries whatever the number of orders or calls: the dispatcher
uses them during a call (DESIGN §10)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crews.models import Crew, Worker
from crews.selectors import on_duty
from feedback.choices import ComplaintStatus
from feedback.models import Complaint
from operations.selectors import outages_covering, outages_covering_places, state_of
from residents.models import Resident, Room
from residents.selectors import (
    AddressError,
    PhoneError,
    Place,
    can_see_full_phone,
    clean_phone,
    normalize_address,
    normalize_phone,
    parse_address,
    residents_by_phone,
    residents_with_homes,
    resolve_address,
    suggest_rooms,
)
from workorders.choices import SYSTEM_OF_CREW_KIND, HandBackReason, Move
from workorders.lifecycle import ACTIVE, OPEN
from workorders.models import Category, Incident, WorkOrder, WorkOrderEvent
from workorders.permissions import is_desk
from workorders.selectors import Calendar, likely_duplicates, work_orders_visible_to

from .choices import INCIDENT_SUGGEST_CALLS, INCIDENT_SUGGEST_MINUTES, MANAGER_TYPES, SCREEN_POP_SECONDS
from .models import Call, ScreenPop

RECENT_ORDERS = 10
RECENT_CALLS = 10
OPEN_ORDERS_SHOWN = 30
# The columns the caller screen shows (panel and API): fewer columns, a cheaper query to build and read.
SCREEN_ORDER_FIELDS = (
    "number",
    "status",
    "urgency",
    "location_label",
    "room__label",
    "category__code",
    "category__name",
    "crew__name",
    "created_at",
    "due_at",
    "remind_count",
    "is_rework",
)


def _brief(orders: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Orders as the caller screen, the check panel and the API's brief show them, with only those columns."""
    return orders.select_related("category", "crew", "room").only(*SCREEN_ORDER_FIELDS)


SCREEN_CALL_FIELDS = (
    *(f.name for f in Call._meta.concrete_fields if not f.is_relation),
    *("taken_by_id", "handed_to_id", "room_id", "category_id", "work_order_id", "incident_id"),
    *("taken_by__username", "taken_by__first_name", "taken_by__last_name", "handed_to__username"),
    *("category__code", "work_order__number"),
)


class LookupInputError(ValueError):
    """Input the caller screen cannot look up (a malformed number or address); `.message` is for people."""

    def __init__(self, message: str, field_name: str) -> None:
        super().__init__(message)
        self.message, self.field = message, field_name


def parse_phone(text: str) -> str:
    """A caller's number as digits (residents.selectors.clean_phone, the one phone rule), or LookupInputError
    with a message the desk can read."""
    if not (text or "").strip():
        raise LookupInputError(_("Enter the phone number."), "phone")
    try:
        return clean_phone(text, required=True)
    except PhoneError as exc:
        raise LookupInputError(exc.message, "phone") from None


# --- The caller screen ------------------------------------------------------------------------------------


@dataclass
class CallerScreen:
    """What the desk sees while the phone rings. `known` is False for a number nobody registered."""

    phone: str = ""
    address: str = ""
    residents: list[Resident] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    open_orders: list[WorkOrder] = field(default_factory=list)
    recent_orders: list[WorkOrder] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    outages: list[Incident] = field(default_factory=list)
    open_complaints: list = field(default_factory=list)
    recent_calls: list[Call] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return bool(self.residents or self.rooms)


def covering_incidents(
    *, buildings: set[int], units: set[int], districts: set[int], now: datetime, system=None
):
    """Active incidents that cover any of these buildings: listed for the building or one of its units, or
    declared for the whole district (nothing listed). One query (operations' rule of an outage's scope)."""
    return outages_covering_places(
        building_ids=buildings, unit_ids=units, district_ids=districts, now=now, hours_ahead=0, system=system
    ).order_by("-starts_at")


def caller_screen(*, user, phone: str | None = None, address: str | None = None, now=None) -> CallerScreen:
    """The caller screen for a number (residents with it as main or other phone, their rooms) or for an
    address (the room and who lives there): open orders at those rooms, the last 10 orders there, active
    incidents covering their buildings (any system), recent calls from that number or about that room.

    Raises LookupInputError for a malformed number or an address that names no room. Queries: a known caller 6,
    an address 6 (+ the parser's miss diagnostics), an unknown number 1 — whatever the number of orders."""
    now = now or timezone.now()
    screen = CallerScreen()
    if phone:
        screen.phone = parse_phone(phone)
        # Query 1: the residents with this number and where they live (one LEFT JOIN).
        screen.residents = residents_with_homes(residents_by_phone(screen.phone))
        seen: dict[int, Room] = {}
        for resident in screen.residents:
            for home in resident.homes:
                seen.setdefault(home.id, home)
        screen.rooms = list(seen.values())
    elif address:
        try:
            room = resolve_address(address)
        except AddressError as exc:
            raise LookupInputError(exc.message, "address") from None
        screen.address = room.label
        screen.rooms = [room]
        screen.residents = residents_with_homes(Resident.objects.filter(residencies__room=room))
    else:
        raise LookupInputError(_("Enter the caller's phone number or an address."), "phone")

    room_ids = [r.id for r in screen.rooms]
    if room_ids:
        # One query for both lists: the open orders there plus the last RECENT_ORDERS whatever their state,
        # newest first. At most RECENT_ORDERS rows are not open, so the first OPEN_ORDERS_SHOWN open rows of
        # these are the newest open ones, and the first RECENT_ORDERS rows are the most recent orders.
        at_rooms = WorkOrder.objects.filter(room_id__in=room_ids)
        latest = at_rooms.order_by("-created_at").values("pk")[:RECENT_ORDERS]
        rows = list(
            _brief(at_rooms.filter(Q(status__in=OPEN) | Q(pk__in=latest))).order_by("-created_at")[
                : OPEN_ORDERS_SHOWN + RECENT_ORDERS
            ]
        )
        screen.open_orders = [o for o in rows if o.status in OPEN][:OPEN_ORDERS_SHOWN]
        screen.recent_orders = rows[:RECENT_ORDERS]
        # One query: outages active or starting within 48 h over the caller's homes; the active ones are
        # the incidents a repair call attaches to.
        screen.outages = list(outages_covering(rooms=screen.rooms, now=now))
        for outage in screen.outages:
            outage.state = state_of(outage, now)
        screen.incidents = sorted(
            (o for o in screen.outages if o.starts_at <= now), key=lambda o: o.starts_at, reverse=True
        )
    # One query: complaints still open from this number or about an order at these rooms.
    complaint_filter = Q(complainant_phone=screen.phone) if screen.phone else Q(pk__in=[])
    if room_ids:
        complaint_filter |= Q(work_order__room_id__in=room_ids)
    screen.open_complaints = [
        {
            "id": c.id,
            "number": c.number,
            "status": c.status,
            "status_label": str(ComplaintStatus(c.status).label),
            "summary": c.summary[:60],
            "received_at": c.received_at,
        }
        for c in Complaint.objects.filter(complaint_filter)
        .exclude(status=ComplaintStatus.CLOSED)
        .order_by("-received_at")[:RECENT_CALLS]
    ]
    calls = (
        Call.objects.select_related("taken_by", "handed_to", "category", "work_order")
        .only(*SCREEN_CALL_FIELDS)
        .order_by("-started_at", "-id")
    )
    if screen.phone:
        screen.recent_calls = list(calls.filter(phone=screen.phone)[:RECENT_CALLS])
    elif room_ids:
        screen.recent_calls = list(calls.filter(room_id__in=room_ids)[:RECENT_CALLS])
    return screen


# --- Intake checks ----------------------------------------------------------------------------------------


def duplicate_orders(*, place: Place | None, category: Category | None) -> list[WorkOrder]:
    """Active orders at the same place (room, facility or building common area) for the same category: the
    caller is probably chasing one (催单)."""
    if place is None:
        return []
    found = likely_duplicates(
        room=place.room, facility=place.facility, building_id=place.building_id, category=category
    )
    return list(_brief(found)[:5])


def system_of(category: Category | None) -> str:
    return SYSTEM_OF_CREW_KIND.get(category.crew_kind, "") if category is not None else ""


def incidents_for(*, place: Place | None, category: Category | None, now=None) -> list[Incident]:
    """Active incidents covering the place's building (a facility: its district) for the category's system
    (water, power, drainage)."""
    system = system_of(category)
    if place is None or not system:
        return []
    return list(
        covering_incidents(
            buildings={place.building_id} - {None},
            units={place.unit_id} - {None},
            districts={place.district_id},
            now=now or timezone.now(),
            system=system,
        )
    )


def recent_calls_without_incident(*, building_id: int, system: str, now=None) -> QuerySet[Call]:
    """Repair calls about one system in one building in the last 30 minutes not attached to an incident."""
    now = now or timezone.now()
    return Call.objects.filter(
        building_id=building_id,
        system=system,
        incident__isnull=True,
        started_at__gte=now - timedelta(minutes=INCIDENT_SUGGEST_MINUTES),
        started_at__lte=now,
    )


def should_suggest_incident(
    *, place: Place | None, category: Category | None, now=None, pending: int = 0
) -> bool:
    """Three or more calls (counting `pending`, the one being taken) about one system in one building within
    30 minutes suggest a mass fault: the desk is offered to declare an incident."""
    system = system_of(category)
    if place is None or place.building_id is None or not system:
        return False
    count = recent_calls_without_incident(building_id=place.building_id, system=system, now=now).count()
    return count + pending >= INCIDENT_SUGGEST_CALLS


def suggest_crew(
    *,
    category: Category,
    district_id: int | None,
    at: datetime | None = None,
    calendar: Calendar | None = None,
) -> Crew | None:
    """The crew to dispatch to: of the category's trade; outside working hours (nights, weekends, holidays)
    the crew of the worker on duty (值班); otherwise the active crew serving the district (a crew with no
    districts serves all). None when the base has no such crew. `calendar`: one the caller loaded already
    (covering `at`)."""
    at = at or timezone.now()
    kind = category.crew_kind
    if not (calendar or Calendar.load(at, days=2)).is_working_time(at):
        duty = on_duty(kind, at).filter(crew__active=True).order_by("duty_shifts__starts_at", "id").first()
        if duty is not None:
            return duty.crew
    crews = Crew.objects.filter(kind=kind, active=True)
    if district_id is not None:
        crews = crews.filter(Q(districts__isnull=True) | Q(districts=district_id))
    return crews.distinct().order_by("name", "id").first()


def intake_categories() -> QuerySet[Category]:
    """Leaf categories for the type-ahead, in tree order (one query)."""
    return (
        Category.objects.filter(parent__isnull=False, active=True)
        .select_related("parent")
        .order_by("parent__sort", "sort", "code")
    )


# --- Calls and the board ----------------------------------------------------------------------------------


def calls_visible_to(user) -> QuerySet[Call]:
    """The desk (dispatchers, managers) sees every call; anyone else none."""
    if not is_desk(user):
        return Call.objects.none()
    return Call.objects.all()


def with_call_relations(qs: QuerySet[Call]) -> QuerySet[Call]:
    return qs.select_related("taken_by", "handed_to", "room", "work_order", "incident", "category")


def manager_calls(user, *, open_only: bool = True) -> QuerySet[Call]:
    """Help, suggestions, complaints and praise for the managers to act on, oldest open first."""
    qs = calls_visible_to(user).filter(call_type__in=MANAGER_TYPES)
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    return with_call_relations(qs).order_by("started_at", "id")


def board_orders(user) -> QuerySet[WorkOrder]:
    """The dispatch board: active orders the user may see, most urgent deadline first; orders on hold (their
    clock paused, no deadline) last on every database."""
    return (
        work_orders_visible_to(user)
        .filter(status__in=ACTIVE)
        .select_related("category", "crew", "worker")
        .only(*BOARD_ROW_FIELDS)
        .order_by(F("due_at").asc(nulls_last=True), "-created_at")
    )


# What a board row shows (templates/hotline/partials/board_table.html): the eight-table, all-columns query
# takes PostgreSQL longer to plan than to read its page by the wo_board_due index.
BOARD_ROW_FIELDS = (
    *("number", "status", "urgency", "location_label", "created_at", "due_at", "is_rework", "remind_count"),
    *("supervised_at", "category__name", "category__crew_kind", "crew__name", "worker__name"),
)


def hand_backs(order_ids: list[int]) -> dict[int, dict]:
    """The last hand-back (退单) of each of these orders: `reason` (its label), `note` and `crew_id`, the crew
    that handed it back (kept on the event; for older events, the crew of the leader who did it). One query,
    none without ids."""
    if not order_ids:
        return {}
    rows = (
        WorkOrderEvent.objects.filter(order_id__in=order_ids, kind=Move.HAND_BACK)
        .order_by("order_id", "at", "id")
        .values_list("order_id", "note", "data", "actor__worker__crew_id")
    )
    found: dict[int, dict] = {}
    for order_id, note, data, actor_crew_id in rows:  # the latest of each order is kept
        reason = (data or {}).get("reason", "")
        found[order_id] = {
            "reason": HandBackReason(reason).label if reason in HandBackReason.values else reason,
            "note": note,
            "crew_id": (data or {}).get("crew") or actor_crew_id,
        }
    return found


def crew_to_suggest(crews: list[Crew], *, kind: str, refused_id: int | None) -> int | None:
    """The crew the board's dispatch control preselects: the first of the category's trade that did not hand
    the order back, else the first other crew."""
    others = [c for c in crews if c.id != refused_id]
    same_trade = [c for c in others if c.kind == kind]
    chosen = same_trade or others
    return chosen[0].id if chosen else None


def board_counts(qs: QuerySet[WorkOrder], now=None) -> dict:
    """Counts per state and the overdue count of the filtered board, in one aggregate query."""
    now = now or timezone.now()
    aggregates = {f"n_{s}": Count("id", filter=Q(status=s)) for s in ACTIVE}
    aggregates["overdue"] = Count("id", filter=Q(due_at__lt=now))
    return qs.order_by().aggregate(**aggregates)


def resolve_subject(text: str) -> tuple[WorkOrder | None, Worker | None, Crew | None]:
    """What a complaint call's "about whom" names: an order number, else one active worker by name, else one
    crew by name (an ambiguous name names nobody). At most three queries, each by an indexed or tiny column."""
    value = (text or "").strip()
    if not value:
        return None, None, None
    number = unicodedata.normalize("NFKC", value)
    if _ORDER_NUMBER.match(number):
        return WorkOrder.objects.select_related("crew", "worker").filter(number=number).first(), None, None
    workers = list(Worker.objects.select_related("crew").filter(name=value, active=True)[:2])
    if len(workers) == 1:
        return None, workers[0], workers[0].crew
    crews = list(Crew.objects.filter(name=value)[:2])
    return None, None, crews[0] if len(crews) == 1 else None


# --- Search (the navigation's one box) --------------------------------------------------------------------

SEARCH_MAX_LENGTH = 100
SEARCH_LIMIT = 20
_ORDER_NUMBER = re.compile(r"^\d{8}-\d{1,6}$")
_PHONE_LIKE = re.compile(r"^\+?[\d\s()-]+$")
_ADDRESS_WORDS = re.compile(r"[区栋幢楼单元门室号#]")


class SearchInputError(ValueError):
    """A query the search cannot take (empty, too long), with the message to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SearchResults:
    """What one query found, each list scoped to what the user may see. `kind`: order, phone, last4, address or
    name. `target`: where a single match leads — ("order", pk), ("phone", number) or ("address", label) for the
    caller screen — or None (the results page)."""

    query: str
    kind: str
    orders: list[WorkOrder] = field(default_factory=list)
    callers: list[Resident] = field(default_factory=list)
    rooms: list[Room] = field(default_factory=list)
    notice: str = ""
    target: tuple[str, object] | None = None


def search_kind(text: str) -> str:
    """How a query reads: an order number, a phone (whole or the last 4 digits), an address, or a name."""
    value = unicodedata.normalize("NFKC", text).strip()
    if _ORDER_NUMBER.match(value):
        return "order"
    if _PHONE_LIKE.match(value):
        digits = normalize_phone(value)
        if re.fullmatch(r"\d{4}", value):
            return "last4"
        if 7 <= len(digits) <= 12 and not _full_address(value):
            return "phone"
        return "address"
    if _ADDRESS_WORDS.search(value) and any(c.isdigit() for c in normalize_address(value)):
        return "address"
    return "name"


def _full_address(value: str) -> bool:
    try:
        parse_address(value)
    except AddressError:
        return False
    return True


def search(*, user, query: str) -> SearchResults:
    """The navigation's search: an order number, a phone (whole or last 4 digits), an address (5-37-1-302,
    through the residents' address parser) or a resident's name. Orders come from work_orders_visible_to;
    callers and rooms are for the desk only (crews never see callers). A user who sees masked numbers can
    search by the last 4 digits only — never by the hidden ones. At most SEARCH_LIMIT of each; queries: one per
    list, whatever the number of rows (the address parser adds its one room query)."""
    text = (query or "").strip()
    if not text:
        raise SearchInputError(_("Type an order number, a phone number, an address or a name."))
    if len(text) > SEARCH_MAX_LENGTH:
        raise SearchInputError(
            _("The search is too long: at most %(n)s characters.") % {"n": SEARCH_MAX_LENGTH}
        )
    kind = search_kind(text)
    results = SearchResults(query=text, kind=kind)
    desk, full = is_desk(user), can_see_full_phone(user)
    orders = (
        work_orders_visible_to(user).select_related("category", "crew", "room").order_by("-created_at", "-id")
    )

    if kind == "order":
        number = unicodedata.normalize("NFKC", text)
        results.orders = list(orders.filter(number__startswith=number)[:SEARCH_LIMIT])
        if len(results.orders) == 1:
            results.target = ("order", results.orders[0].pk)
        return results

    if kind == "phone" and not full:
        # The hidden digits must not be searchable: only the last 4 are used.
        kind = results.kind = "last4"
        results.notice = _("You see masked numbers, so only the last 4 digits were searched.")
    if kind in ("phone", "last4"):
        digits = normalize_phone(text)
        if not desk:
            results.notice = _("Callers are searched at the desk; search an order number or an address.")
            return results
        if kind == "phone":
            results.callers = residents_with_homes(residents_by_phone(digits), limit=SEARCH_LIMIT)
            results.orders = list(orders.filter(reporter_phone=digits)[:SEARCH_LIMIT])
            results.target = ("phone", digits)  # the caller screen knows the number, or offers to register it
        else:
            last4 = digits[-4:]
            residents = Resident.objects.filter(Q(phone__endswith=last4) | Q(alt_phone__endswith=last4))
            results.callers = residents_with_homes(residents, limit=SEARCH_LIMIT)
            results.target = _caller_target(results.callers, full)
        return results

    if kind == "address":
        try:
            rooms = [resolve_address(text)]
        except AddressError:
            rooms = list(suggest_rooms(text, limit=SEARCH_LIMIT))
        results.orders = list(orders.filter(room__in=[r.id for r in rooms])[:SEARCH_LIMIT]) if rooms else []
        if desk:
            results.rooms = rooms
            if len(rooms) == 1:
                results.target = ("address", rooms[0].label)
        elif len(results.orders) == 1:
            results.target = ("order", results.orders[0].pk)
        return results

    if not desk:
        results.notice = _("Callers are searched at the desk; search an order number or an address.")
        return results
    results.callers = residents_with_homes(Resident.objects.filter(name__startswith=text), limit=SEARCH_LIMIT)
    results.target = _caller_target(results.callers, full)
    return results


def _caller_target(callers: list[Resident], full: bool) -> tuple[str, object] | None:
    """One caller found: their caller screen — by number for users who see it, else by their one home."""
    if len(callers) != 1:
        return None
    caller = callers[0]
    if full:
        return ("phone", caller.phone)
    return ("address", caller.homes[0].label) if len(caller.homes) == 1 else None


# --- CTI screen pops and call ownership -------------------------------------------------------------------


def agent_user(agent: str):
    """The active desk user with this login or extension (AgentExtension), or None."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    user = (
        User.objects.filter(Q(username=agent) | Q(extension__number=agent), is_active=True)
        .order_by("id")
        .first()
    )
    return user if user is not None and is_desk(user) else None


def pending_screen_pop(*, user_id: int, now: datetime) -> ScreenPop | None:
    """The agent's newest ringing call not yet shown, from the last SCREEN_POP_SECONDS (one indexed query)."""
    return (
        ScreenPop.objects.filter(
            agent_id=user_id,
            shown_at__isnull=True,
            created_at__gte=now - timedelta(seconds=SCREEN_POP_SECONDS),
        )
        .order_by("-created_at", "-id")
        .only("id", "phone", "created_at")
        .first()
    )


def owned_by(user) -> Q:
    """Calls whose current owner (首问负责) is the user: handed to them, or taken by them and not handed on."""
    return Q(handed_to=user) | Q(handed_to__isnull=True, taken_by=user)


def desk_colleagues(user):
    """Active dispatchers and managers other than the user: whom a call can be handed to."""
    from django.contrib.auth import get_user_model

    from crews.choices import Role

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[Role.DISPATCHER, Role.MANAGER])
        .exclude(pk=user.pk)
        .distinct()
        .order_by("first_name", "username")
    )


# --- Intake time (来电受理时长) -----------------------------------------------------------------------------


@dataclass
class IntakeTimeRow:
    key: object  # a user id or a date
    label: str
    calls: int
    median_seconds: float


def intake_times(*, start: datetime, end: datetime, by: str) -> list[IntakeTimeRow]:
    """The median time from the first keystroke (or screen pop) to the logged call, per dispatcher (`by=
    "taken_by"`) or per local day (`by="day"`), over phone calls started in [start, end). Aggregated in the
    database: the window numbers each group's durations, the outer query averages the middle one or two
    (the median) — one statement, any number of calls. Calls logged before call times were measured (the
    start equals the end) are left out."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import DurationField, ExpressionWrapper, Window
    from django.db.models.functions import RowNumber, TruncDate

    if by not in ("taken_by", "day"):
        raise ValueError(by)
    group = F("taken_by_id") if by == "taken_by" else TruncDate("started_at")
    inner = (
        Call.objects.filter(
            started_at__gte=start, started_at__lt=end, channel="phone", ended_at__gt=F("started_at")
        )
        .annotate(
            grp=group,
            dur=ExpressionWrapper(F("ended_at") - F("started_at"), output_field=DurationField()),
        )
        .annotate(
            rn=Window(RowNumber(), partition_by=[group], order_by=[F("dur").asc(), F("id").asc()]),
            n=Window(Count("id"), partition_by=[group]),
        )
        .values("grp", "dur", "rn", "n")
    )
    sql, params = inner.query.sql_with_params()
    outer = (
        # The ORM's SELECT names its columns grp, dur, rn, n; only the median step is written here.
        f"SELECT t.grp, MAX(t.n), AVG(t.dur) FROM ({sql}) t "
        "WHERE t.rn = (t.n + 1) / 2 OR t.rn = (t.n + 2) / 2 GROUP BY t.grp ORDER BY t.grp"
    )
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        rows = cursor.fetchall()
    out = []
    for key, n, avg in rows:
        seconds = avg.total_seconds() if hasattr(avg, "total_seconds") else float(avg) / 1_000_000
        out.append(IntakeTimeRow(key=key, label="", calls=int(n), median_seconds=round(seconds, 1)))
    if by == "taken_by":
        names = {
            u.id: u.get_full_name() or u.username
            for u in get_user_model()
            .objects.filter(pk__in=[r.key for r in out])
            .only("id", "username", "first_name", "last_name")
        }
        for row in out:
            row.label = names.get(row.key, str(row.key))
    else:
        for row in out:
            row.key = row.key if not isinstance(row.key, str) else datetime.fromisoformat(row.key).date()
            row.label = f"{row.key:%Y-%m-%d}"
    return out
