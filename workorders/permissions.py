"""Who may make which move on which order (DESIGN §3). Plain predicates; the service enforces them and the
pages use them to decide which buttons to show. Visibility (404) is workorders.selectors' job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from crews.permissions import is_crew_leader, is_dispatcher, is_manager, is_worker
from crews.selectors import worker_of

# The one-query check of residents.view_full_phone lives with its permission, in residents (the lowest app);
# imported from here by the higher apps.
from residents.selectors import FULL_PHONE, can_see_full_phone  # noqa: F401

if TYPE_CHECKING:
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


def is_desk(user) -> bool:
    """Dispatchers and managers work the desk (calls, callers, dispatch): the one definition, used by every
    app above workorders."""
    return bool(getattr(user, "is_authenticated", False)) and (is_dispatcher(user) or is_manager(user))


def reporter_phone_in_full(status: str, worker_id: int | None, *, full_phone: bool, viewer_worker_id) -> bool:
    """The rule for an order's reporter phone: in full for those who may see full numbers (`full_phone`:
    residents.view_full_phone, the desk and managers) and for the worker assigned to the order while it is
    active (they call ahead); masked for everyone else. Takes plain values so API rows can use it too."""
    from .lifecycle import ACTIVE  # lifecycle imports this module's predicates

    return full_phone or (status in ACTIVE and worker_id is not None and worker_id == viewer_worker_id)


def can_see_reporter_phone(user, order: WorkOrder) -> bool:
    """`reporter_phone_in_full` for a user and an order (reads the user's Worker row only for workers)."""
    worker = worker_of(user) if is_worker(user) else None
    return reporter_phone_in_full(
        order.status,
        order.worker_id,
        full_phone=can_see_full_phone(user),
        viewer_worker_id=worker.id if worker else None,
    )


def can_create_order(user) -> bool:
    return is_desk(user)


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
