"""One FilterSet per list, shared by the API (and the calendar's query parameters)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filtersets import FilterSet
from crews.models import Crew
from residents.models import District
from workorders.choices import IncidentKind, System
from workorders.models import Incident

from .choices import HAZARD_OPEN, HazardStatus, OutageState, RoundStatus, Severity
from .models import Hazard, Round
from .selectors import filter_by_state


class OutageFilterSet(FilterSet):
    system = django_filters.ChoiceFilter(choices=System.choices, label=_("system"))
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices, label=_("kind"))
    state = django_filters.ChoiceFilter(choices=OutageState.choices, method="filter_state", label=_("state"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("district"))

    class Meta:
        model = Incident
        fields = ["system", "kind", "state", "district"]

    def filter_state(self, queryset, name, value):
        return filter_by_state(queryset, value, timezone.now())


class HazardFilterSet(FilterSet):
    system = django_filters.ChoiceFilter(choices=System.choices, label=_("system"))
    crew = django_filters.ModelChoiceFilter(queryset=Crew.objects.all(), label=_("crew"))
    status = django_filters.MultipleChoiceFilter(
        choices=HazardStatus.choices, label=_("status"), distinct=False
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("severity"))
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("district"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))

    class Meta:
        model = Hazard
        fields = ["system", "crew", "status", "severity", "district", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=HAZARD_OPEN, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)


class RoundFilterSet(FilterSet):
    crew = django_filters.ModelChoiceFilter(queryset=Crew.objects.all(), label=_("crew"))
    status = django_filters.MultipleChoiceFilter(
        choices=RoundStatus.choices, label=_("status"), distinct=False
    )
    due_before = django_filters.IsoDateTimeFilter(
        field_name="due_at", lookup_expr="lt", label=_("due before")
    )

    class Meta:
        model = Round
        fields = ["crew", "status", "due_before"]
