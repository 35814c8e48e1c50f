"""The one phone field (issue 17 finding 8): every model phone that people type — residents', staff's — is
written and checked by residents.selectors.clean_phone, in the admin and every ModelForm alike."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from .selectors import MAX_PHONE_INPUT, PhoneError, clean_phone


def validate_phone(value: str) -> None:
    """A stored phone is the digits clean_phone makes of it (blank is for `blank=True` to allow)."""
    if not value:
        return
    try:
        digits = clean_phone(value, required=True)
    except PhoneError as exc:
        raise ValidationError(exc.message, code="phone") from None
    if digits != value:
        raise ValidationError(PhoneError(value).message, code="phone")


class PhoneFormField(forms.CharField):
    """Accepts a phone as people write it (spaces, dashes, +86) and cleans it to its digits."""

    def __init__(self, *, max_length=None, **kwargs) -> None:
        super().__init__(max_length=MAX_PHONE_INPUT, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            return clean_phone(value, required=True)
        except PhoneError as exc:
            raise ValidationError(exc.message, code="phone") from None


class PhoneField(models.CharField):
    """A phone number: digits only, 7–12 of them (clean_phone), at most 20 characters stored."""

    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})


class PhoneAdminMixin:
    """For a ModelAdmin whose model keeps phones in plain CharFields: those fields are PhoneFormFields."""

    phone_fields: tuple[str, ...] = ()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.phone_fields:
            return PhoneFormField(
                label=db_field.verbose_name, required=not db_field.blank, help_text=db_field.help_text
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
