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
