"""Who may use the desk: dispatchers and managers (crews.permissions groups). Pages answer 403 to other
staff and send anonymous users to the login page; the API answers 401/403."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from crews.permissions import is_manager
from workorders.permissions import is_desk


def desk_required(view):
    """Login required; then dispatchers and managers only (403 for crew staff)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_desk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def can_close_call(user) -> bool:
    return is_desk(user)


def can_handle_call(user, call) -> bool:
    """The call's current owner (首问负责) hands it over or answers it; a manager may do so for anyone."""
    return is_desk(user) and (call.current_owner_id == user.id or is_manager(user))


def can_supervise(user) -> bool:
    return is_manager(user)


class IsDesk(BasePermission):
    message = "Only dispatchers and managers use the hotline desk."

    def has_permission(self, request, view) -> bool:
        return is_desk(request.user)


ROLE_MODEL_PERMISSIONS = {
    "dispatcher": ["hotline.view_call", "hotline.add_call", "hotline.change_call"],
    "manager": ["hotline.view_call", "hotline.change_call"],
    # The phone system's service account (manage.py cti_account): announces ringing calls, nothing else.
    "cti": ["hotline.ring_agent"],
}


class CanRingAgent(BasePermission):
    message = "Only the phone system's service account announces calls."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) and request.user.has_perm(
            "hotline.ring_agent"
        )
