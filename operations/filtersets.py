"""One FilterSet per list, shared by the API (and the calendar's query parameters)."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from residents.models import District
from workorders.choices import IncidentKind, System
from workorders.models import Incident

from .choices import OutageState
from .selectors import filter_by_state


class OutageFilterSet(django_filters.FilterSet):
    system = django_filters.ChoiceFilter(choices=System.choices)
    kind = django_filters.ChoiceFilter(choices=IncidentKind.choices)
    state = django_filters.ChoiceFilter(choices=OutageState.choices, method="filter_state")
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all())

    class Meta:
        model = Incident
        fields = ["system", "kind", "state", "district"]

    def filter_state(self, queryset, name, value):
        return filter_by_state(queryset, value, timezone.now())
