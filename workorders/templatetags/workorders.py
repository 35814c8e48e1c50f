"""Presentation helpers of the work-order pages: time left to a deadline, labels of stored codes."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from residents.selectors import mask_phone

from ..choices import CancelReason, HandBackReason, HoldReason, Move, Status
from ..models import deadline_state

register = template.Library()


def _span(delta: timedelta) -> str:
    minutes = max(int(delta.total_seconds()), 0) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)smin") % {"h": hours, "m": mins}
    return _("%(m)smin") % {"m": mins}


@register.inclusion_tag("components/deadline_badge.html")
def deadline_badge(
    due_at: datetime | None, now: datetime | None = None, done: datetime | None = None, paused: bool = False
) -> dict:
    """templates/components/deadline_badge.html: "2h 5min left" (green, amber when near: models.NEAR_DEADLINE)
    or "overdue 40min" (red); a deadline met or missed (`done`) says which; without a deadline nothing, or
    "paused" (`paused=True`: the order is on hold)."""
    if due_at is None:
        return {"css": "", "text": _("paused") if paused else ""}
    if done is not None:
        met = done <= due_at
        return {"css": "ok" if met else "overdue", "text": _("met") if met else _("late")}
    now = now or timezone.now()
    state = deadline_state(due_at, now)
    text = _("overdue %(t)s") % {"t": _span(now - due_at)} if state == "overdue" else None
    return {
        "css": state,
        "text": text or _("%(t)s left") % {"t": _span(due_at - now)},
        "title": timezone.localtime(due_at).strftime("%m-%d %H:%M"),
    }


@register.simple_tag
def row_state(due_at: datetime | None, now: datetime | None = None) -> str:
    """The row's class on the desk's lists: overdue, near or ok (models.deadline_state)."""
    return deadline_state(due_at, now or timezone.now())


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


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes), without `page` unless given:
    links that keep the list's filters (templates/components/pagination.html, the board's state tabs)."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()
