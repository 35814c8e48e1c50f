"""The base of every list's FilterSet (HTML lists and API alike), so two rules hold on every list:

- An empty parameter means "any". An HTML form sends every control, empty or not (`?urgency=&crew=4`), and a
  multiple-choice field rejects the empty string; empty values are dropped before the form sees them.
- An invalid filter shows its error and an empty list: `qs` is empty while the form has errors, never the
  unfiltered list (which would look like a filtered answer) nor a half-applied filter. The API answers
  400 with the field errors (django-filter's backend raises on an invalid FilterSet); HTML pages render
  `components/filter_errors.html` above the empty list.

Date-time filters use `DateTimeFilter` below: any ISO offset Python parses (up to ±23:59) is read as that instant
in the base's time zone, because PostgreSQL rejects offsets beyond ±15:59 (a 500 the fuzzer found)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField


def without_empty(data: Any) -> QueryDict:
    """A copy of the query without empty or blank values; a key left with no value is dropped."""
    clean = QueryDict(mutable=True)
    lists = (
        data.lists()
        if hasattr(data, "lists")
        else ((k, v if isinstance(v, list) else [v]) for k, v in data.items())
    )
    for key, values in lists:
        kept = [v for v in values if not (isinstance(v, str) and not v.strip())]
        if kept:
            clean.setlist(key, kept)
    return clean


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet with the empty-means-any and invalid-means-empty rules (module docstring)."""

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None) -> None:
        super().__init__(
            None if data is None else without_empty(data), queryset, request=request, prefix=prefix
        )
        for flt in self.filters.values():  # a yes/no filter left unset reads 全部, not Django's "未知"
            if isinstance(flt, django_filters.BooleanFilter) and "widget" not in flt.extra:
                flt.extra["widget"] = forms.Select(
                    choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))]
                )

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    def error_lines(self) -> list[str]:
        """The form's errors as "label: message" lines for the page."""
        lines = []
        for name, errors in self.errors.items():
            field = self.form.fields.get(name)
            label = str(field.label) if field is not None and field.label else name
            lines.extend(f"{label}: {error}" for error in errors)
        return lines


class _LocalIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return timezone.localtime(parsed)
        except OverflowError:
            raise ValidationError(_("Date and time out of range."), code="overflow") from None


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time filter whose value is an instant in the base's time zone (module docstring)."""

    field_class = _LocalIsoDateTimeField
