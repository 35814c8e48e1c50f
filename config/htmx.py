"""What every page view shares: answering htmx with a fragment, showing a service's ValidationError on a form
(and calling a service for a posted form), and the one safe `next` redirect (a `next` pointing off-site falls back to the page's own default)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def is_fragment(request: HttpRequest) -> bool:
    """An htmx request for a part of the page (a boosted link wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def apply_validation_error(
    form: forms.Form, exc: ValidationError, field_map: Mapping[str, str | None] | None = None
) -> None:
    """Show a service's ValidationError on the form: a field the form has gets its own messages (after renaming
    through `field_map`, service name → form field), everything else goes on top of the form."""
    field_map = field_map or {}
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for field, texts in errors.items():
        target = field_map.get(field, field) if field is not None else None
        if target not in form.fields:
            target = None
        for message in texts:
            form.add_error(target, message)


def call_service(request: HttpRequest, form: forms.Form, call: Callable[[], object], done: str) -> bool:
    """For a POSTed form that is valid, call its service: True, with `done` as the success message, when it
    went through; False when the form was not posted, not valid, or the service's ValidationError now stands
    on it (the page is shown again with the errors)."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        call()
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return False
    messages.success(request, done)
    return True


def safe_next(request: HttpRequest, default: str = "", *args, **kwargs) -> str:
    """The request's `next` (POST, else GET) when it stays on this site, else `default` resolved like
    `redirect()` does (a URL name with its arguments, or a path)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(default, *args, **kwargs) if default else ""


def redirect_next(request: HttpRequest, default: str, *args, **kwargs) -> HttpResponseRedirect:
    """Redirect to the request's safe `next`, else to `default` (a URL name with its arguments, or a path)."""
    return redirect(safe_next(request, default, *args, **kwargs))
