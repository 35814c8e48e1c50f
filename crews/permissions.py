"""Who is what: role predicates over Django groups, cached per request on the user object."""

from __future__ import annotations

from .choices import Role


def roles_of(user) -> frozenset[str]:
    """Group names of the user (one query per request, then cached on the user)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_bst_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._bst_roles = cached
    return cached


def remember_roles(user, names) -> None:
    """Cache the user's group names when they were loaded with the user (crews.auth: one query for both)."""
    user._bst_roles = frozenset(names)


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def is_dispatcher(user) -> bool:
    return has_role(user, Role.DISPATCHER)


def is_manager(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or has_role(user, Role.MANAGER)


def is_crew_leader(user) -> bool:
    return has_role(user, Role.CREW_LEADER)


def is_worker(user) -> bool:
    return has_role(user, Role.WORKER)


def can_import_registers(user) -> bool:
    """Loading or exporting the base's registers (places, residents, staff, facilities): managers and admins."""
    return bool(getattr(user, "is_active", False)) and is_manager(user)


def sees_staff_phone(viewer, worker, *, full_phone: bool, own=None) -> bool:
    """Staff phones follow the residents' need-to-know rule (DESIGN §1, issue 17): in full for those who may see
    residents' full numbers (the desk, managers: `full_phone`), for the leader of the worker's own crew
    (`own`: the viewer's Worker row) and for the worker themself; masked for everyone else."""
    if full_phone:
        return True
    if own is None:
        return False
    return own.pk == worker.pk or (own.is_leader and is_crew_leader(viewer) and own.crew_id == worker.crew_id)


def is_staff_member(user) -> bool:
    """Anyone with a role may use the app; other accounts see nothing."""
    return bool(roles_of(user)) or bool(getattr(user, "is_superuser", False))


# The crews app's model permissions each group holds (for the admin); synced after every migrate. The
# residents app declares its own (residents.permissions).
ROLE_MODEL_PERMISSIONS: dict[str, list[str]] = {
    Role.DISPATCHER: ["crews.view_crew", "crews.view_worker", "crews.view_dutyshift"],
    Role.CREW_LEADER: [
        "crews.view_crew",
        "crews.view_worker",
        "crews.view_dutyshift",
        "crews.add_dutyshift",
        "crews.change_dutyshift",
    ],
    Role.WORKER: ["crews.view_crew", "crews.view_worker"],
    Role.MANAGER: [
        "crews.view_crew",
        "crews.add_crew",
        "crews.change_crew",
        "crews.view_worker",
        "crews.add_worker",
        "crews.change_worker",
        "crews.view_dutyshift",
        "crews.add_dutyshift",
        "crews.change_dutyshift",
        "crews.delete_dutyshift",
    ],
}
