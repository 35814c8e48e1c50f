from .permissions import is_crew_leader, is_dispatcher, is_manager, is_worker, roles_of

# What a template reads as `roles.<name>`.
_FLAGS = {
    "names": roles_of,
    "dispatcher": is_dispatcher,
    "manager": is_manager,
    "leader": is_crew_leader,
    "worker": is_worker,
}


class _Roles:
    """The user's role flags, each asked of crews.permissions only when a template reads it (anonymous pages
    cost no query)."""

    def __init__(self, user):
        self._user = user

    def __getattr__(self, name: str):
        if name not in _FLAGS:
            raise AttributeError(name)
        return _FLAGS[name](self._user)


def roles(request):
    """Role flags for navigation; evaluated lazily so anonymous pages cost no query."""
    return {"roles": _Roles(request.user)}
