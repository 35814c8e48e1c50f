"""Small display helpers for the desk: time left to a deadline, query strings that keep the filters."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _

from residents.selectors import can_see_full_phone, mask_phone

from ..selectors import is_desk

register = template.Library()

NEAR = timedelta(minutes=30)


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)smin") % {"h": hours, "m": mins}
    return _("%(m)smin") % {"m": mins}


def deadline_state(due_at: datetime | None, now: datetime) -> str:
    if due_at is None:
        return ""
    if due_at < now:
        return "overdue"
    if due_at - now <= NEAR:
        return "near"
    return "ok"


@register.simple_tag
def deadline(due_at: datetime | None, now: datetime | None = None):
    """A badge: overdue by …, … left (near: within 30 minutes), or nothing when the clock is paused."""
    now = now or timezone.now()
    state = deadline_state(due_at, now)
    if not state:
        return format_html('<span class="badge">{}</span>', _("paused"))
    if state == "overdue":
        text = _("overdue %(t)s") % {"t": _span(now - due_at)}
    else:
        text = _("%(t)s left") % {"t": _span(due_at - now)}
    return format_html(
        '<span class="badge {}" title="{}">{}</span>',
        state,
        timezone.localtime(due_at).strftime("%m-%d %H:%M"),
        text,
    )


@register.simple_tag
def row_state(due_at: datetime | None, now: datetime | None = None) -> str:
    return deadline_state(due_at, now or timezone.now())


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters replaced (None removes), without `page` unless given."""
    params = context["request"].GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    return params.urlencode()


@register.simple_tag(takes_context=True)
def caller_link(context, phone: str, name: str = ""):
    """A caller shown anywhere: the number (masked unless the user may see it in full) and name, a link to the
    caller screen for desk users who see full numbers. Users who see masked numbers get no link: its query
    would carry the hidden digits."""
    user = context["request"].user
    full = can_see_full_phone(user)
    text = " ".join(part for part in (name, phone if full or not phone else mask_phone(phone)) if part)
    if not phone or not full or not is_desk(user):
        return text or "—"
    url = f"{reverse('hotline:lookup')}?{urlencode({'phone': phone})}"
    return format_html('<a href="{}" class="caller-link">{}</a>', url, text)
