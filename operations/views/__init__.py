"""The operations pages, one module per part: outages (calendar, planning, the public page), rounds (the
walk, the templates managers define) and hazards (the register, reporting, photos). Shared helpers here."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one line for a flash message."""
    return " ".join(exc.messages)
