"""Desk forms: parse and validate input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crews.models import Crew
from residents.models import Room
from residents.selectors import AddressError, resolve_address, resolve_place
from workorders.choices import Area, CancelReason, Charge, IncidentKind, System, Urgency
from workorders.models import Category

from .choices import INTAKE_MAX_SECONDS, CallType


class IntakeForm(forms.Form):
    """The one-page intake. `address` is resolved by the foundation's parser; `category` is the id the
    type-ahead fills in. Duplicates are confirmed with `confirm_duplicate`, reminders and incident
    attachments come from the buttons of the check panel (`remind_order`, `attach_incident`)."""

    phone = forms.CharField(label=_("Caller phone"), max_length=30, required=False)
    caller_name = forms.CharField(label=_("Caller name"), max_length=40, required=False)
    call_type = forms.ChoiceField(label=_("Call type"), choices=CallType.choices, initial=CallType.REPAIR)
    address = forms.CharField(label=_("Address"), max_length=100, required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(parent__isnull=False, active=True),
        required=False,
        widget=forms.HiddenInput,
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("As the category says")), *Urgency.choices], required=False
    )
    appointment_at = forms.DateTimeField(
        label=_("Appointment (the slot the resident chose)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    charge = forms.ChoiceField(label=_("Charge"), choices=Charge.choices, initial=Charge.FREE, required=False)
    area = forms.ChoiceField(
        label=_("Area"), choices=[("", _("As the category says")), *Area.choices], required=False
    )
    summary = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    answer = forms.CharField(
        label=_("Answer given"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    subject = forms.CharField(label=_("About whom"), max_length=100, required=False)
    crew = forms.ModelChoiceField(
        label=_("Dispatch to"),
        queryset=Crew.objects.filter(active=True).order_by("kind", "name"),
        required=False,
        empty_label=_("Suggested crew (automatic)"),
    )
    confirm_duplicate = forms.BooleanField(label=_("Create a new order anyway"), required=False)
    remind_order = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attach_incident = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # Milliseconds since the first keystroke of the number or the screen pop (static/js/hotline.js), measured
    # by the browser's monotonic clock so a skewed PC clock does not matter.
    intake_ms = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_intake_ms(self) -> int | None:
        # A missing or garbled value only means the call time is unknown: it never blocks the call.
        value = (self.cleaned_data.get("intake_ms") or "").strip()
        if not value.isdigit() or len(value) > 9 or int(value) > INTAKE_MAX_SECONDS * 1000:
            return None
        return int(value)

    def clean(self):
        # The address names a room, a building's common area (5区37栋楼道) or a public facility (5区加压泵房).
        data = super().clean()
        data["place"] = None
        address = (data.get("address") or "").strip()
        if address:
            try:
                data["place"] = resolve_place(address)
            except AddressError as exc:
                self.add_error("address", exc.message)
        return data


class RegisterCallerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=30)
    address = forms.CharField(label=_("Address"), max_length=100, required=False)

    def clean_address(self) -> Room | None:
        address = self.cleaned_data.get("address", "").strip()
        if not address:
            return None
        try:
            return resolve_address(address)
        except AddressError as exc:
            raise forms.ValidationError(exc.message) from None


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    system = forms.ChoiceField(label=_("System"), choices=System.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=IncidentKind.choices, initial=IncidentKind.SUDDEN)
    address = forms.CharField(label=_("Building (any room address in it)"), max_length=100)
    whole_district = forms.BooleanField(label=_("The whole district is affected"), required=False)
    expected_end_at = forms.DateTimeField(
        label=_("Expected end"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_address(self) -> Room:
        try:
            return resolve_address(self.cleaned_data["address"])
        except AddressError as exc:
            raise forms.ValidationError(exc.message) from None


class BoardActionForm(forms.Form):
    """One action from the board; `status` is the state the board showed (a stale board is caught)."""

    status = forms.CharField(max_length=20)
    crew = forms.ModelChoiceField(queryset=Crew.objects.filter(active=True), required=False)
    reason = forms.CharField(max_length=500, required=False)
    cancel_reason = forms.ChoiceField(choices=CancelReason.choices, required=False)
    note = forms.CharField(max_length=500, required=False)
    next = forms.CharField(max_length=1000, required=False)


class CloseCallForm(forms.Form):
    note = forms.CharField(label=_("How it was handled"), max_length=300)


class HandOverForm(forms.Form):
    """首问负责: the colleague (an active dispatcher or manager) who takes the call over."""

    to = forms.ModelChoiceField(
        label=_("Hand over to"),
        queryset=get_user_model().objects.filter(is_active=True),
        error_messages={"invalid_choice": _("Choose the colleague who takes the call over.")},
    )
    note = forms.CharField(label=_("Note for the colleague"), max_length=300, required=False)


class AnswerCallForm(forms.Form):
    answer = forms.CharField(label=_("Answer the caller is told"), max_length=2000)
