"""Forms of the outage pages: plan (with the affected homes counted before saving), extend, filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from residents.models import Building, District, Facility, Unit
from workorders.choices import IncidentKind, System

from .choices import LEAD_TIME_CHOICES, OutageState

_WHEN = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class OutagePlanForm(forms.Form):
    """The area is a district narrowed (optionally) to buildings, units or facilities of it; the choices of
    those follow the district chosen (the page reloads them when the district changes)."""

    system = forms.ChoiceField(label=_("System"), choices=System.choices)
    title = forms.CharField(label=_("Reason"), max_length=100, help_text=_("e.g. valve replacement"))
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.all())
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"), queryset=Building.objects.none(), required=False
    )
    units = forms.ModelMultipleChoiceField(label=_("Units"), queryset=Unit.objects.none(), required=False)
    facilities = forms.ModelMultipleChoiceField(
        label=_("Public facilities"), queryset=Facility.objects.none(), required=False
    )
    starts_at = forms.DateTimeField(label=_("Starts at"), **_WHEN)
    expected_end_at = forms.DateTimeField(label=_("Expected end"), **_WHEN)
    notice_lead_minutes = forms.TypedChoiceField(
        label=_("Notify residents"), choices=LEAD_TIME_CHOICES, coerce=int, initial=1440
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, systems: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if systems is not None:
            self.fields["system"].choices = [(v, label) for v, label in System.choices if v in systems]
        district_id = self.data.get("district") or self.initial.get("district")
        if district_id and str(district_id).isdigit():
            self.fields["buildings"].queryset = Building.objects.filter(district_id=district_id)
            self.fields["units"].queryset = Unit.objects.filter(building__district_id=district_id).order_by(
                "building__number", "number"
            )
            self.fields["facilities"].queryset = Facility.objects.filter(district_id=district_id)


class OutageExtendForm(forms.Form):
    expected_end_at = forms.DateTimeField(label=_("New expected end"), **_WHEN)
    note = forms.CharField(label=_("Why"), max_length=200, required=False)


class OutageFilterForm(forms.Form):
    """Empty means any; an unknown value is ignored like an empty one."""

    system = forms.ChoiceField(label=_("System"), choices=[("", _("Any")), *System.choices], required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("Upcoming and current")), *OutageState.choices], required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any")), *IncidentKind.choices], required=False)
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.all(), required=False, empty_label=_("Any")
    )
