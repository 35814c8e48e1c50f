"""Forms of the operations pages: plan an outage (with the affected homes counted before saving), extend it,
filter the calendar; report a hazard; define a round template with its checklist (round_template_forms)."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from crews.models import Crew
from residents.models import Building, District, Facility, Unit
from workorders.choices import IncidentKind, System

from .choices import HAZARD_DUE_DAYS, LEAD_TIME_CHOICES, Frequency, ItemKind, OutageState, Severity
from .selectors import place_of

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


class HazardReportForm(forms.Form):
    """上报隐患: the place is chosen from the type-ahead (a `kind:id` token in `place`) or typed as a room's
    address; the due date starts at the severity's default (the page's script follows the severity)."""

    place_text = forms.CharField(
        label=_("Place"),
        max_length=100,
        help_text=_("A facility (泵房, 配电室…), a building (5区37栋) or a room (5-37-1-302)."),
    )
    place = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)
    system = forms.ChoiceField(
        label=_("System"), choices=[("", _("None of the three")), *System.choices], required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MAJOR)
    due_on = forms.DateField(
        label=_("Rectify by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("By severity: critical 1 day, major 7 days, minor 30 days."),
    )
    description = forms.CharField(
        label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["severity"].widget.attrs["data-due-days"] = json.dumps(
            {str(k): v for k, v in HAZARD_DUE_DAYS.items()}
        )

    def clean(self) -> dict:
        """`place_obj`: the token's place, else the room the typed address names."""
        from residents.selectors import AddressError, resolve_address

        data = super().clean()
        place = place_of(data.get("place", ""))
        if place is None and data.get("place_text"):
            try:
                place = resolve_address(data["place_text"])
            except AddressError:
                self.add_error(
                    "place_text",
                    _("Choose the place from the suggestions, or type a room like 5区37栋1单元302室."),
                )
        data["place_obj"] = place
        return data

    def place_kwargs(self) -> dict:
        """The place as report_hazard's keyword (room=, building= or facility=)."""
        place = self.cleaned_data["place_obj"]
        return {place._meta.model_name: place} if place is not None else {}


WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
]


class RoundTemplateForm(forms.Form):
    """巡检模板: the crew, the places (facilities and buildings of the chosen district), when it is due. The
    checklist is the item formset beside it; the rules are the rounds actions'."""

    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. 5区泵房日检"))
    crew = forms.ModelChoiceField(label=_("Crew"), queryset=Crew.objects.filter(active=True))
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.all(),
        required=False,
        empty_label=_("Any"),
        help_text=_("Narrows the facilities and buildings offered below."),
    )
    facilities = forms.ModelMultipleChoiceField(
        label=_("Public facilities"), queryset=Facility.objects.none(), required=False
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("Buildings"), queryset=Building.objects.none(), required=False
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.DAILY)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For “weekly”, the first one chosen; for “on given weekdays”, each."),
    )
    month_day = forms.IntegerField(
        label=_("Day of the month"), min_value=1, max_value=28, initial=1, help_text=_("For “monthly”.")
    )
    due_time = forms.TimeField(
        label=_("Due by"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="10:00"
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        district_id = self.data.get("district") or self.initial.get("district")
        facilities = Facility.objects.select_related("district")
        buildings = Building.objects.select_related("district")
        if district_id and str(district_id).isdigit():
            facilities = facilities.filter(district_id=district_id)
            buildings = buildings.filter(district_id=district_id)
        else:
            buildings = buildings.none()  # thousands of them: choose a district first
        chosen = self.initial.get("facilities") or [], self.initial.get("buildings") or []
        # The places a template already has stay on offer whatever district is shown.
        self.fields["facilities"].queryset = (
            facilities | Facility.objects.filter(pk__in=chosen[0])
        ).distinct()
        self.fields["buildings"].queryset = (buildings | Building.objects.filter(pk__in=chosen[1])).distinct()


class RoundTemplateItemForm(forms.Form):
    """One checklist line; `low`/`high` and `unit` are for readings."""

    label = forms.CharField(label=_("Item"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices, initial=ItemKind.PASS_FAIL)
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    low = forms.DecimalField(label=_("Low"), max_digits=12, decimal_places=3, required=False)
    high = forms.DecimalField(label=_("High"), max_digits=12, decimal_places=3, required=False)


RoundTemplateItemFormSet = forms.formset_factory(
    RoundTemplateItemForm, extra=0, can_delete=True, min_num=1, validate_min=False, max_num=50
)
