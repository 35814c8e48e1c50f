"""Reads about crews and staff."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from .models import Crew, Worker


def on_duty(kind: str, at: datetime) -> QuerySet[Worker]:
    """Active workers of this trade whose duty shift covers the moment `at`."""
    return (
        Worker.objects.filter(
            active=True,
            duty_shifts__kind=kind,
            duty_shifts__starts_at__lte=at,
            duty_shifts__ends_at__gt=at,
        )
        .select_related("crew", "user")
        .distinct()
    )


def crews_of_kind(kind: str) -> QuerySet[Crew]:
    return Crew.objects.filter(kind=kind, active=True)


def worker_of(user) -> Worker | None:
    """The user's Worker row, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_bst_worker"):
        user._bst_worker = Worker.objects.select_related("crew").filter(user=user).first()
    return user._bst_worker


def staff_figures(at: datetime) -> dict[str, int]:
    """Counts for the home page: crews, active staff, staff on duty now (3 queries)."""
    return {
        "crews": Crew.objects.filter(active=True).count(),
        "workers": Worker.objects.filter(active=True).count(),
        "on_duty": Worker.objects.filter(
            active=True, duty_shifts__starts_at__lte=at, duty_shifts__ends_at__gt=at
        )
        .distinct()
        .count(),
    }


def staff_named(text: str) -> tuple[Crew | None, Worker | None]:
    """The crew and worker a caller names ("供水班", "李师傅", "供水班 李明"): an active worker whose name
    appears in the text (with their crew), else a crew whose name appears in it; (None, None) when nobody
    matches. One query for each of the two lookups at most."""
    text = (text or "").strip()
    if not text:
        return None, None
    from django.db.models import Value
    from django.db.models.functions import StrIndex

    worker = (
        Worker.objects.filter(active=True)
        .annotate(at=StrIndex(Value(text), "name"))
        .filter(at__gt=0)
        .select_related("crew")
        .order_by("-at", "id")
        .first()
    )
    if worker is not None:
        return worker.crew, worker
    crew = (
        Crew.objects.filter(active=True)
        .annotate(at=StrIndex(Value(text), "name"))
        .filter(at__gt=0)
        .order_by("id")
        .first()
    )
    return crew, None


def import_jobs_visible_to(user) -> QuerySet:
    """Register imports: managers and admins see every import; nobody else sees any."""
    from .models import ImportJob
    from .permissions import can_import_registers

    if not can_import_registers(user):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by")
