"""The one FilterSet of the order list, shared by the HTML lists (board, queues) and the API."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filtersets import DateTimeFilter, FilterSet
from crews.models import Crew, Worker
from residents.models import Building, District, Facility, Room

from .choices import Channel, Status, Urgency
from .models import Category, Incident, WorkOrder
from .permissions import can_see_full_phone


class WorkOrderFilterSet(FilterSet):
    # distinct=False: these are columns of the order itself (no join can repeat a row), and django-filter's
    # default DISTINCT makes PostgreSQL sort every matching order before the LIMIT.
    status = django_filters.MultipleChoiceFilter(choices=Status.choices, label=_("status"), distinct=False)
    urgency = django_filters.MultipleChoiceFilter(choices=Urgency.choices, label=_("urgency"), distinct=False)
    crew = django_filters.ModelChoiceFilter(queryset=Crew.objects.all(), label=_("crew"))
    worker = django_filters.ModelChoiceFilter(queryset=Worker.objects.all(), label=_("worker"))
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), method="filter_category", label=_("category")
    )
    district = django_filters.ModelChoiceFilter(queryset=District.objects.all(), label=_("district"))
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.all(), label=_("building"))
    room = django_filters.ModelChoiceFilter(queryset=Room.objects.all(), label=_("room"))
    # A hotspot or report row about a public facility links to its orders (`building` is every order in the
    # building: its rooms' and its common areas').
    facility = django_filters.ModelChoiceFilter(queryset=Facility.objects.all(), label=_("public facility"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    rework = django_filters.BooleanFilter(field_name="is_rework", label=_("rework"))
    # The reports count live orders (cancelled ones excluded): `live=true` lists exactly those.
    live = django_filters.BooleanFilter(method="filter_live", label=_("not cancelled"))
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, label=_("channel"), distinct=False)
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte", label=_("created after"))
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt", label=_("created before"))
    # The assessment's and the ranking's "completed in the month" (completed_at in [after, before)).
    completed_after = DateTimeFilter(field_name="completed_at", lookup_expr="gte", label=_("completed after"))
    completed_before = DateTimeFilter(
        field_name="completed_at", lookup_expr="lt", label=_("completed before")
    )
    q = django_filters.CharFilter(method="filter_q", label=_("search"))

    class Meta:
        model = WorkOrder
        fields = [
            "status",
            "urgency",
            "crew",
            "worker",
            "category",
            "district",
            "building",
            "room",
            "facility",
        ]

    def filter_category(self, queryset, name, value):
        # A top-level category means all of its leaves.
        if value.parent_id is None:
            return queryset.filter(category__parent=value)
        return queryset.filter(category=value)

    def filter_live(self, queryset, name, value):
        if value:
            return queryset.exclude(status=Status.CANCELLED)
        return queryset.filter(status=Status.CANCELLED)

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(due_at__lt=now)
        return queryset.filter(Q(due_at__isnull=True) | Q(due_at__gte=now))

    def filter_q(self, queryset, name, value):
        """Order number, phone, address or words of the description."""
        value = value.strip()
        if not value:
            return queryset
        if len(value) >= 9 and value.replace("-", "").isdigit() and "-" in value:
            return queryset.filter(number=value)
        if value.isdigit():
            return queryset.filter(Q(number__startswith=value) | self._phone_search(value))
        return queryset.filter(Q(location_label__contains=value) | Q(description__contains=value))

    def _phone_search(self, digits: str) -> Q:
        """Who sees reporter phones in full searches by any part; whoever sees them masked (138****8000) only by
        the visible last four, so the hidden digits cannot be guessed a search at a time (issue 17)."""
        user = getattr(getattr(self, "request", None), "user", None)
        if can_see_full_phone(user):
            return Q(reporter_phone__startswith=digits)
        if len(digits) == 4:
            return Q(reporter_phone__endswith=digits)
        return Q(pk__in=[])


class IncidentFilterSet(FilterSet):
    active = django_filters.BooleanFilter(method="filter_active", label=_("active"))

    class Meta:
        model = Incident
        fields = ["district", "system", "kind", "active"]

    def filter_active(self, queryset, name, value):
        return queryset.filter(ended_at__isnull=value)
