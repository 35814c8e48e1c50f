"""Login lock-out counted per account and address together, with a higher limit per address alone.

django-axes counts failures for each of AXES_LOCKOUT_PARAMETERS — here (username, IP) and IP — and compares
the largest with one limit. The desk shares one address: five typos there must not lock every dispatcher out,
and a stranger elsewhere must not be able to lock a named account. So the pair is held to AXES_FAILURE_LIMIT and
the address alone to AXES_IP_FAILURE_LIMIT (higher: a password-guessing run over many names from one address
is still stopped)."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """The failures that count against AXES_FAILURE_LIMIT: the (username, IP) pair's, or the address's
        scaled to that limit (the address is locked when its own count reaches AXES_IP_FAILURE_LIMIT)."""
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        pair, address = [*counts, 0, 0][:2]
        return max(pair, address * settings.AXES_FAILURE_LIMIT // settings.AXES_IP_FAILURE_LIMIT)
