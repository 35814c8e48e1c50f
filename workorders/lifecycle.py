"""The order's lifecycle as data (DESIGN §3): its states, the moves, the transition table with every target
explicit, who may make which move, and the deadline each state waits for.

Forms, templates, the API, the demo and the tests derive what is possible from here; the one function that
changes state (`workorders.actions.perform`) enforces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from crews.permissions import is_manager, is_worker

from .choices import DeadlineKind, Move, Status
from .permissions import is_assigned_worker, is_crew_leader_of, is_crew_member_of, is_desk

if TYPE_CHECKING:
    from .models import WorkOrder

TERMINAL = frozenset({Status.CLOSED, Status.CANCELLED})
# Orders someone still has to work on (the dispatch board, queues, overdue watch).
ACTIVE = frozenset(
    {Status.RECEIVED, Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.ON_HOLD}
)
# Not yet finished, including completed orders waiting for their follow-up.
OPEN = ACTIVE | {Status.COMPLETED}


# move → (states it may start from, where it leads). Where it leads is a state; None when the state does not
# change; or, for the two moves whose end depends on how they are made, a mapping from that way to the state:
# resume returns to the state the order was held from (`held_from`), transfer leads to dispatched when made
# to a crew and to assigned when made to a worker.
_WORKING = frozenset({Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE, Status.ON_HOLD})
TRANSITIONS: dict[str, tuple[frozenset[str], str | Mapping[str, str] | None]] = {
    Move.DISPATCH: (frozenset({Status.RECEIVED}), Status.DISPATCHED),
    Move.ASSIGN: (frozenset({Status.DISPATCHED}), Status.ASSIGNED),
    Move.ACCEPT: (frozenset({Status.ASSIGNED}), Status.ACCEPTED),
    Move.ARRIVE: (frozenset({Status.ACCEPTED}), Status.ON_SITE),
    Move.REQUEST_HOLD: (frozenset({Status.ACCEPTED, Status.ON_SITE}), None),
    Move.REFUSE_HOLD: (frozenset({Status.ACCEPTED, Status.ON_SITE}), None),
    # The leader may also hold an order assigned but not yet accepted (waiting for a part); the worker asks
    # for a hold only once they have the order in hand (REQUEST_HOLD).
    Move.HOLD: (frozenset({Status.ASSIGNED, Status.ACCEPTED, Status.ON_SITE}), Status.ON_HOLD),
    Move.RESUME: (
        frozenset({Status.ON_HOLD}),
        {Status.ASSIGNED: Status.ASSIGNED, Status.ACCEPTED: Status.ACCEPTED, Status.ON_SITE: Status.ON_SITE},
    ),
    Move.COMPLETE: (frozenset({Status.ON_SITE}), Status.COMPLETED),
    Move.CLOSE: (frozenset({Status.COMPLETED}), Status.CLOSED),
    Move.CANCEL: (ACTIVE, Status.CANCELLED),
    Move.HAND_BACK: (frozenset({Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED}), Status.RECEIVED),
    Move.TRANSFER: (
        frozenset({Status.DISPATCHED, Status.ASSIGNED, Status.ACCEPTED}),
        {"crew": Status.DISPATCHED, "worker": Status.ASSIGNED},
    ),
    Move.REMIND: (ACTIVE, None),
    Move.SUPERVISE: (ACTIVE, None),
    Move.REWORK: (frozenset({Status.COMPLETED, Status.CLOSED}), Status.DISPATCHED),
    Move.REQUEST_EXTENSION: (_WORKING, None),
    Move.EXTEND: (_WORKING, None),
}


def target_of(move: str, way: str | None = None) -> str | None:
    """The state `move` leads to (None: it stays), made `way` for the moves whose end depends on it."""
    target = TRANSITIONS[move][1]
    if isinstance(target, Mapping):
        return target[way]
    return target


def held_from(order: WorkOrder) -> str:
    """How a resume is made: from the state the order was held from (accepted for holds older than the
    field)."""
    return order.held_from_status or Status.ACCEPTED


def allowed_moves(status: str) -> list[str]:
    """The moves the table allows from a state (before asking who the actor is)."""
    return [move for move, (sources, _target) in TRANSITIONS.items() if status in sources]


# move → predicate(user, order). Assign: the crew's leader, or a worker of the crew taking it from the pool.
RULES = {
    Move.DISPATCH: lambda u, o: is_desk(u),
    Move.ASSIGN: lambda u, o: (
        is_crew_leader_of(u, o) or is_manager(u) or (is_worker(u) and is_crew_member_of(u, o))
    ),
    Move.ACCEPT: is_assigned_worker,
    Move.ARRIVE: is_assigned_worker,
    Move.REQUEST_HOLD: is_assigned_worker,
    Move.REFUSE_HOLD: lambda u, o: is_crew_leader_of(u, o) or is_manager(u),
    Move.HOLD: lambda u, o: is_crew_leader_of(u, o) or is_manager(u),
    Move.RESUME: lambda u, o: is_crew_leader_of(u, o) or is_assigned_worker(u, o) or is_manager(u),
    Move.COMPLETE: is_assigned_worker,
    Move.CLOSE: lambda u, o: is_manager(u),
    Move.CANCEL: lambda u, o: is_desk(u),
    Move.HAND_BACK: lambda u, o: is_crew_leader_of(u, o),
    Move.TRANSFER: lambda u, o: is_desk(u) or is_crew_leader_of(u, o),
    Move.REMIND: lambda u, o: is_desk(u),
    Move.SUPERVISE: lambda u, o: is_manager(u),
    Move.REWORK: lambda u, o: is_manager(u),
    Move.REQUEST_EXTENSION: lambda u, o: is_crew_leader_of(u, o),
    Move.EXTEND: lambda u, o: is_manager(u),
}


def can(move: str, user, order: WorkOrder) -> bool:
    """May this user make this move on this order, whatever its state?"""
    rule = RULES.get(move)
    return bool(rule and getattr(user, "is_authenticated", False) and rule(user, order))


def available_moves(user, order: WorkOrder) -> list[str]:
    """The moves this user may make on the order now: allowed by the table from its state and by the rules."""
    return [
        move
        for move, (sources, _target) in TRANSITIONS.items()
        if order.status in sources and can(move, user, order)
    ]


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
