from .permissions import is_crew_leader, is_dispatcher, is_manager, is_worker, roles_of


def roles(request):
    """Role flags for navigation; evaluated lazily so anonymous pages cost no query."""
    user = request.user

    class _Roles:
        @property
        def names(self):
            return roles_of(user)

        @property
        def dispatcher(self):
            return is_dispatcher(user)

        @property
        def manager(self):
            return is_manager(user)

        @property
        def leader(self):
            return is_crew_leader(user)

        @property
        def worker(self):
            return is_worker(user)

    return {"roles": _Roles()}
