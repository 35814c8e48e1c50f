"""Presentation helpers of the work-order pages: time left to a deadline, labels of stored codes."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from residents.selectors import mask_phone

from ..choices import CancelReason, HandBackReason, HoldReason, Move, Status

register = template.Library()

NEAR_SECONDS = 3600  # under an hour left: amber


def _span(seconds: int) -> str:
    minutes = max(seconds, 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)smin") % {"h": hours, "m": mins}
    return _("%(m)smin") % {"m": mins}


@register.simple_tag
def time_left(deadline: datetime | None, now: datetime | None = None, done: datetime | None = None):
    """A badge: "2h 5min left" (green/amber) or "overdue 40min" (red); met deadlines say when."""
    if deadline is None:
        return ""
    if done is not None:
        css = "ok" if done <= deadline else "overdue"
        return format_html('<span class="badge {}">{}</span>', css, _("met") if css == "ok" else _("late"))
    now = now or timezone.now()
    seconds = int((deadline - now).total_seconds())
    if seconds < 0:
        return format_html(
            '<span class="badge overdue">{}</span>', _("overdue %(t)s") % {"t": _span(-seconds)}
        )
    css = "near" if seconds < NEAR_SECONDS else "ok"
    return format_html('<span class="badge {}">{}</span>', css, _("%(t)s left") % {"t": _span(seconds)})


# Built once: `Status.values` and `.choices` build their lists on every call (a timeline asks per event).
# The labels stay lazy and are translated when shown.
_STATUSES = dict(Status.choices)
_MOVES = dict(Move.choices)


@register.filter
def status_label(value: str) -> str:
    return _STATUSES.get(value, value)


@register.filter
def move_label(value: str) -> str:
    return _MOVES.get(value, value)


_REASONS = {**dict(HoldReason.choices), **dict(HandBackReason.choices), **dict(CancelReason.choices)}


@register.filter
def reason_label(value: str) -> str:
    return _REASONS.get(value, value)


@register.filter
def masked(phone: str) -> str:
    return mask_phone(phone) if phone else ""


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
