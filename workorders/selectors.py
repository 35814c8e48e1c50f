"""Reads of work orders: the permission-scoped queryset every list, detail, export and API uses; the
overdue watch; service commitments and the working calendar that turn them into deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from crews.permissions import is_crew_leader, is_worker
from crews.selectors import worker_of
from residents.selectors import Place

from .choices import DeadlineBasis, Status, Urgency
from .lifecycle import ACTIVE
from .models import Category, Holiday, ServiceCommitment, WorkingCalendar, WorkOrder, WorkOrderEvent
from .permissions import is_desk

# --- Who may see what -------------------------------------------------------------------------------------


def work_orders_visible_to(user) -> QuerySet[WorkOrder]:
    """Dispatchers and managers see every order, crew leaders their crew's, workers their own and their
    crew's unassigned pool; anyone else nothing. An order outside this set is a 404, in the HTML and the API alike."""
    qs = WorkOrder.objects.all()
    if is_desk(user):
        return qs
    worker = worker_of(user)
    if worker is None:
        return qs.none()
    if is_crew_leader(user) and worker.is_leader:
        return qs.filter(crew_id=worker.crew_id)
    if is_worker(user):
        # Their own orders, and the crew's pool (dispatched, nobody named yet) they may take (DESIGN §3).
        pool = Q(crew_id=worker.crew_id, status=Status.DISPATCHED, worker__isnull=True)
        return qs.filter(Q(worker_id=worker.id) | pool)
    return qs.none()


class DuplicateOrder(Exception):
    """A likely duplicate: an active order for the same room and category exists (`duplicates`, newest first).
    The desk and the API refuse the new order unless the caller says it is not a duplicate."""

    def __init__(self, duplicates: list[WorkOrder]) -> None:
        from django.utils.translation import gettext as _

        self.duplicates = duplicates
        super().__init__(_("An open order for this room and category already exists."))


def likely_duplicates(
    *, room=None, category, facility=None, building_id: int | None = None
) -> QuerySet[WorkOrder]:
    """Active orders at the same place for the same category, newest first: the caller is probably chasing one.
    The place is a room, a public facility or (neither given) a building's common areas."""
    if category is None:
        return WorkOrder.objects.none()
    if room is not None:
        here = Q(room=room)
    elif facility is not None:
        here = Q(facility=facility)
    elif building_id is not None:
        here = Q(building_id=building_id, room__isnull=True, facility__isnull=True)
    else:
        return WorkOrder.objects.none()
    return WorkOrder.objects.filter(here, category=category, status__in=ACTIVE).order_by("-created_at")


def place_of(order: WorkOrder) -> Place | None:
    """The order's place as the desk names places: its room, its public facility or its building's common area."""
    if order.room_id is not None:
        return Place(room=order.room, detail=order.location_detail)
    if order.facility_id is not None:
        return Place(facility=order.facility, detail=order.location_detail)
    if order.building_id is not None:
        return Place(building=order.building, detail=order.location_detail)
    return None


def timeline(order: WorkOrder) -> list[WorkOrderEvent]:
    """The order's events, oldest first, with their actors (one query). The first-contact owner is the actor
    of the order's creation, so the owner's row is taken from here instead of being read on its own."""
    events = list(order.events.select_related("actor").order_by("at", "id"))
    owner_id = order.first_contact_owner_id
    if owner_id is not None and not WorkOrder.first_contact_owner.is_cached(order):
        owner = next((e.actor for e in events if e.actor_id == owner_id), None)
        if owner is not None:
            order.first_contact_owner = owner
    return events


def with_list_relations(qs: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """What every order list shows, joined in the same query."""
    return qs.select_related("category", "category__parent", "crew", "worker", "district")


# The columns of an API list row as `values()` names (the district by its id, no join).
LIST_VALUES = (
    *(
        "id",
        "number",
        "status",
        "urgency",
        "location_label",
        "district_id",
        "reporter_name",
        "reporter_phone",
    ),
    *("created_at", "due_at", "is_rework", "remind_count", "category_id", "crew_id", "worker_id"),
    *("category__code", "category__name", "category__crew_kind", "category__parent__name"),
    *("crew__name", "crew__kind", "worker__name", "worker__phone"),
)


def order_list_rows(qs: QuerySet[WorkOrder]) -> QuerySet:
    """The API list's rows as dicts of LIST_VALUES (WorkOrderListSerializer turns them into the row): its one
    fast path, kept because model instances and DRF's field machinery put the list over its speed target."""
    return qs.values(*LIST_VALUES)


def overdue(now: datetime | None = None, qs: QuerySet[WorkOrder] | None = None) -> QuerySet[WorkOrder]:
    """Orders whose next unmet deadline has passed (orders on hold are paused and never overdue)."""
    qs = WorkOrder.objects.all() if qs is None else qs
    return qs.filter(due_at__lt=now or timezone.now())


# --- Service commitments and the working calendar ---------------------------------------------------------


def commitment_for(urgency: str, category: Category | None) -> ServiceCommitment:
    """The most specific commitment: for the category, else its crew kind, else the urgency alone."""
    scope = Q(category__isnull=True, crew_kind="")
    if category is not None:
        scope |= Q(category=category) | Q(category__isnull=True, crew_kind=category.crew_kind)
    rows = list(ServiceCommitment.objects.filter(scope, urgency=urgency))
    if not rows:
        raise ServiceCommitment.DoesNotExist(f"No service commitment for urgency {urgency}")
    rows.sort(key=lambda c: (c.category_id is None, c.crew_kind == ""))
    return rows[0]


@dataclass
class Calendar:
    """Working time arithmetic over the base's calendar (local time, holidays and adjusted working days)."""

    calendar: WorkingCalendar
    overrides: dict[date, bool]

    @classmethod
    def load(cls, start: datetime, days: int = 120) -> Calendar:
        calendar = WorkingCalendar.objects.order_by("id").first() or WorkingCalendar()
        first = timezone.localdate(start) - timedelta(days=1)
        overrides = dict(
            Holiday.objects.filter(date__gte=first, date__lte=first + timedelta(days=days)).values_list(
                "date", "is_working_day"
            )
        )
        return cls(calendar, overrides)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return str(day.isoweekday()) in self.calendar.working_weekdays

    def _at(self, day: date, moment) -> datetime:
        return datetime.combine(day, moment, timezone.get_current_timezone())

    def is_working_time(self, at: datetime) -> bool:
        local = timezone.localtime(at)
        return (
            self.is_working_day(local.date())
            and self.calendar.work_start <= local.time() < self.calendar.work_end
        )

    def is_night(self, at: datetime) -> bool:
        t = timezone.localtime(at).time()
        start, end = self.calendar.night_start, self.calendar.night_end
        return t >= start or t < end if start > end else start <= t < end

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself during working time, else the start of the next working period."""
        if self.is_working_time(at):
            return at
        day = timezone.localtime(at).date()
        if self.is_working_day(day) and timezone.localtime(at).time() < self.calendar.work_start:
            return self._at(day, self.calendar.work_start)
        for _ in range(400):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return self._at(day, self.calendar.work_start)
        raise ValueError("The working calendar has no working day in the next 400 days.")

    def add_working_minutes(self, at: datetime, minutes: int) -> datetime:
        current, remaining = self.next_opening(at), timedelta(minutes=minutes)
        for _ in range(1000):
            close = self._at(timezone.localtime(current).date(), self.calendar.work_end)
            if current + remaining <= close:
                return current + remaining
            remaining -= close - current
            current = self.next_opening(close)
        raise ValueError("Working-time limit too long for the calendar.")

    def add_working_days(self, at: datetime, days: int) -> datetime:
        """Close of business on the `days`-th working day after the day of `at`."""
        day, counted = timezone.localtime(at).date(), 0
        for _ in range(1000):
            if counted >= days:
                break
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return self._at(day, self.calendar.work_end)

    def add(self, at: datetime, amount: int, basis: str, *, off_hours_by_opening: bool = False) -> datetime:
        if basis == DeadlineBasis.WORKING_MINUTES:
            if off_hours_by_opening and not self.is_working_time(at):
                return self.next_opening(at)
            return self.add_working_minutes(at, amount)
        if basis == DeadlineBasis.WORKING_DAYS:
            return self.add_working_days(at, amount)
        return at + timedelta(minutes=amount)


@dataclass(frozen=True)
class Deadlines:
    respond_by: datetime
    arrive_by: datetime | None
    complete_by: datetime


def deadlines_for(
    *,
    at: datetime,
    urgency: str,
    category: Category | None,
    appointment_at: datetime | None = None,
    commitment: ServiceCommitment | None = None,
    calendar: Calendar | None = None,
) -> Deadlines:
    """Stamp the three deadlines of an order created at `at` from its service commitment (DESIGN §4).

    Emergencies run on the clock 24×7 (arrival allows the night limit at night); non-emergency limits count
    the calendar's working time where the commitment says so. An appointment's arrival is its slot + 30 min."""
    # Bulk callers (demo data) pass the commitment and a calendar loaded once for their whole period.
    c = commitment or commitment_for(urgency, category)
    calendar = calendar or Calendar.load(at)
    respond_by = calendar.add(
        at, c.respond_minutes, c.respond_basis, off_hours_by_opening=c.off_hours_by_opening
    )
    arrive_by = None
    if urgency == Urgency.APPOINTMENT and appointment_at is not None:
        arrive_by = appointment_at + timedelta(minutes=30)
    elif c.arrive_minutes is not None:
        minutes = c.arrive_minutes
        if c.night_arrive_minutes and calendar.is_night(at):
            minutes = c.night_arrive_minutes
        arrive_by = calendar.add(at, minutes, c.arrive_basis)
    start = appointment_at if (urgency == Urgency.APPOINTMENT and appointment_at) else at
    complete_by = calendar.add(start, c.complete_minutes, c.complete_basis)
    return Deadlines(respond_by, arrive_by, complete_by)


# --- Crew queues ------------------------------------------------------------------------------------------

# The states in which an order sits on a worker's hands (their current load).
LOAD_STATES = ("assigned", "accepted", "on_site", "on_hold")


def crew_workers_with_load(crew_id: int, now: datetime | None = None) -> QuerySet:
    """The crew's active members (who can be assigned), each annotated with `load` (orders on their hands) and `on_duty` (a duty
    shift of the crew's trade covers now): one aggregate query, for the leader's queue and assign forms."""
    from django.db.models import Count, Exists, FilteredRelation, OuterRef

    from crews.choices import WorkerRole
    from crews.models import DutyShift, Worker

    now = now or timezone.now()
    shifts = DutyShift.objects.filter(
        worker=OuterRef("pk"), kind=OuterRef("crew__kind"), starts_at__lte=now, ends_at__gt=now
    )
    return (
        Worker.objects.filter(crew_id=crew_id, active=True, role=WorkerRole.MEMBER)
        # The status test sits in the join (FilteredRelation), so the (worker, status) index finds only the
        # orders on hand instead of every order the worker ever had; counting the worker column, in that
        # index, makes it an index-only scan.
        .annotate(
            on_hand=FilteredRelation("work_orders", condition=Q(work_orders__status__in=LOAD_STATES)),
            load=Count("on_hand__worker"),
            on_duty=Exists(shifts),
        )
        .order_by("load", "name")
    )


def category_synonyms() -> dict[str, str]:
    """{caller's word: category wording} for the intake's category search (CategorySynonym; one query)."""
    from .models import CategorySynonym

    return dict(CategorySynonym.objects.values_list("word", "means"))


# --- Cheap "anything new?" checks for lists people keep open --------------------------------------------

# The leader's queue: the crew's orders from dispatch until completion.
QUEUE_STATES = ("dispatched", "assigned", "accepted", "on_site", "on_hold")


def list_version(*, user_id: int | str, scope: str) -> str:
    """A token that changes whenever an order of the user's list changes: how many orders the list holds
    and the latest `updated_at` among them (every move bumps it; an order leaving the list lowers the count).
    One query, from the session's user id alone, so a poll that finds nothing new does not load the user;
    "" when the user has no such list (never equal to a version a page shows). The token tells nothing
    about the orders, and a changed one is answered by the full, checked view."""
    from django.db.models import DateTimeField, F, Func, IntegerField, OuterRef, Subquery

    from crews.choices import WorkerRole
    from crews.models import Worker

    if scope == "crew":
        owner = Worker.objects.filter(user_id=user_id, role=WorkerRole.LEADER)
        orders = WorkOrder.objects.filter(crew_id=OuterRef("crew_id"), status__in=QUEUE_STATES)
    else:
        owner = Worker.objects.filter(user_id=user_id)
        orders = WorkOrder.objects.filter(worker_id=OuterRef("pk"), status__in=LOAD_STATES)
    orders = orders.order_by()
    # COUNT and MAX over the subquery's rows (no GROUP BY: one row), each a scalar subquery of the one query.
    row = (
        owner.annotate(
            n=Subquery(orders.annotate(c=Func(F("pk"), function="COUNT")).values("c"), IntegerField()),
            last=Subquery(
                orders.annotate(m=Func(F("updated_at"), function="MAX")).values("m"), DateTimeField()
            ),
        )
        .values("n", "last")
        .first()
    )
    if row is None:
        return ""
    last = row["last"].timestamp() if row["last"] else 0
    return f"{row['n']}.{last:.6f}"


# --- Rooms stacked above each other (楼上楼下) -------------------------------------------------------------


def stacked_rooms(room) -> list[dict]:
    """The rooms right above and below `room` in the same unit (302 → 402 and 202: same position on the
    floor, one floor up or down) with their open orders, above first. Two queries: the rooms, their orders."""
    from residents.models import Room

    from .lifecycle import OPEN

    position = room.number[-2:]
    rooms = {
        r.floor: r
        for r in Room.objects.filter(
            unit_id=room.unit_id, floor__in=[room.floor + 1, room.floor - 1], number__endswith=position
        ).exclude(pk=room.pk)
    }
    orders: dict[int, list[WorkOrder]] = {r.pk: [] for r in rooms.values()}
    if rooms:
        for order in (
            WorkOrder.objects.filter(room_id__in=orders, status__in=OPEN)
            .select_related("category", "category__parent")
            .order_by("-created_at")
        ):
            orders[order.room_id].append(order)
    return [
        {"room": rooms[floor], "above": floor > room.floor, "orders": orders[rooms[floor].pk]}
        for floor in sorted(rooms, reverse=True)
    ]
