"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters

from config.filtersets import FilterSet

from .choices import ComplaintSource, ComplaintStatus, FollowUpStatus
from .models import Complaint, FollowUp


class FollowUpFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    work_order = django_filters.NumberFilter(field_name="work_order_id")

    class Meta:
        model = FollowUp
        fields = ["status", "work_order"]


class ComplaintFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    source = django_filters.ChoiceFilter(choices=ComplaintSource.choices)
    crew = django_filters.NumberFilter(field_name="crew_id")
    work_order = django_filters.NumberFilter(field_name="work_order_id")

    class Meta:
        model = Complaint
        fields = ["status", "source", "crew", "work_order"]
