"""The desk's display helper: a caller shown as a link to the caller screen (deadlines, query strings and
phones: the workorders tags and templates/components)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html

from residents.selectors import can_see_full_phone, show_phone
from workorders.permissions import is_desk

register = template.Library()


@register.simple_tag(takes_context=True)
def caller_link(context, phone: str, name: str = ""):
    """A caller shown anywhere: the number (masked unless the user may see it in full) and name, a link to the
    caller screen for desk users who see full numbers. Users who see masked numbers get no link: its query
    would carry the hidden digits."""
    user = context["request"].user
    text = " ".join(part for part in (name, show_phone(user, phone)) if part)
    if not phone or not can_see_full_phone(user) or not is_desk(user):
        return text or "—"
    url = f"{reverse('hotline:lookup')}?{urlencode({'phone': phone})}"
    return format_html('<a href="{}" class="caller-link">{}</a>', url, text)
