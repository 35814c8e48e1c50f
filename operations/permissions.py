"""Who may plan and run outages. Plain predicates; the views and the API call them through the services."""

from __future__ import annotations

from crews.permissions import is_crew_leader, is_dispatcher, is_manager, is_staff_member
from crews.selectors import worker_of

from .choices import CREW_KIND_OF_SYSTEM


def leads_crew_of_system(user, system: str) -> bool:
    """A leader of a crew of the system's trade (water supply for water, electrical for power…)."""
    if not is_crew_leader(user):
        return False
    worker = worker_of(user)
    return bool(worker and worker.crew.kind == CREW_KIND_OF_SYSTEM.get(system))


def can_plan_outage(user, system: str | None = None) -> bool:
    """Managers, and leaders of the system's crew (any system's leader when `system` is not known yet)."""
    if is_manager(user):
        return True
    if system is None:
        worker = worker_of(user) if is_crew_leader(user) else None
        return bool(worker and worker.crew.kind in CREW_KIND_OF_SYSTEM.values())
    return leads_crew_of_system(user, system)


def can_run_outage(user, incident) -> bool:
    """Extend or end (restore) an outage: who may plan it, and the desk, which declares sudden ones."""
    return is_dispatcher(user) or can_plan_outage(user, incident.system)


def can_see_outages(user) -> bool:
    return is_staff_member(user)
