"""Who may make which move on which order (DESIGN §3). Plain predicates; the service enforces them and the
pages use them to decide which buttons to show. Visibility (404) is workorders.selectors' job."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from crews.permissions import is_crew_leader, is_dispatcher, is_manager, is_worker
from crews.selectors import worker_of

# The one-query check of residents.view_full_phone lives with its permission, in residents (the lowest app);
# imported from here by the higher apps.
from residents.selectors import FULL_PHONE, can_see_full_phone  # noqa: F401

from .choices import TRANSITIONS, Move
from .models import WorkOrder

# The role tests (cached on the user) come before `worker_of` (a query): a dispatcher's page asks these
# predicates for every move and should not look for a Worker row they do not have.


def is_assigned_worker(user, order: WorkOrder) -> bool:
    if not is_worker(user) or order.worker_id is None:
        return False
    worker = worker_of(user)
    return worker is not None and order.worker_id == worker.id


def is_crew_leader_of(user, order: WorkOrder) -> bool:
    if not is_crew_leader(user) or order.crew_id is None:
        return False
    worker = worker_of(user)
    return worker is not None and worker.is_leader and worker.crew_id == order.crew_id


def is_crew_member_of(user, order: WorkOrder) -> bool:
    worker = worker_of(user)
    return worker is not None and order.crew_id is not None and worker.crew_id == order.crew_id


def _desk(user) -> bool:
    return is_dispatcher(user) or is_manager(user)


# move → predicate(user, order). Assign: the crew's leader, or a worker of the crew taking it from the pool.
RULES = {
    Move.DISPATCH: lambda u, o: _desk(u),
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
    Move.CANCEL: lambda u, o: _desk(u),
    Move.HAND_BACK: lambda u, o: is_crew_leader_of(u, o),
    Move.TRANSFER: lambda u, o: _desk(u) or is_crew_leader_of(u, o),
    Move.REMIND: lambda u, o: _desk(u),
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


def can_create_order(user) -> bool:
    return _desk(user)


class CanCreateOrder(BasePermission):
    message = _("Only dispatchers and managers may create orders.")

    def has_permission(self, request, view) -> bool:
        if request.method == "POST" and getattr(view, "action", None) == "create":
            return can_create_order(request.user)
        return True


ROLE_MODEL_PERMISSIONS = {
    "dispatcher": [
        "workorders.view_workorder",
        "workorders.view_category",
        "workorders.view_incident",
        "workorders.add_incident",
        "workorders.change_incident",
        "workorders.view_servicecommitment",
    ],
    "crew_leader": ["workorders.view_workorder", "workorders.view_category", "workorders.view_incident"],
    "worker": ["workorders.view_workorder", "workorders.view_category"],
    "manager": [
        "workorders.view_workorder",
        "workorders.view_category",
        "workorders.add_category",
        "workorders.change_category",
        "workorders.view_servicecommitment",
        "workorders.change_servicecommitment",
        "workorders.add_servicecommitment",
        "workorders.view_workingcalendar",
        "workorders.change_workingcalendar",
        "workorders.view_holiday",
        "workorders.add_holiday",
        "workorders.change_holiday",
        "workorders.delete_holiday",
        "workorders.view_incident",
        "workorders.add_incident",
        "workorders.change_incident",
    ],
}
