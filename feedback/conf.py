"""Feedback settings with their defaults; each may be overridden in Django settings by the same name."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Follow-up due: next working day's opening by default; emergencies and these categories sooner.
    "FOLLOWUP_FAST_HOURS": 2,
    "FOLLOWUP_FAST_CATEGORY_PREFIXES": ("water.leak",),
    # Hours between two failed attempts (so they fall at different times of day) and how many before SMS.
    "FOLLOWUP_RETRY_HOURS": 3,
    "FOLLOWUP_MAX_FAILED_ATTEMPTS": 3,
    # Days the resident has to answer the rating link before the follow-up closes as unreachable.
    "FOLLOWUP_LINK_DAYS": 3,
    # A notification claimed longer ago than this without finishing is considered lost and retried.
    "NOTIFICATION_CLAIM_TIMEOUT": 300,
    # Quality inspection: share of each crew's completed orders sampled per week, in percent.
    "INSPECTION_SAMPLE_PERCENT": 10,
    # Public address of the site, for links in SMS.
    "SITE_URL": "http://127.0.0.1:8000",
}


def get(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])
