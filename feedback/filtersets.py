"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filtersets import FilterSet

from .choices import ComplaintSource, ComplaintStatus, FollowUpStatus
from .models import Complaint, FollowUp


class FollowUpFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    work_order = django_filters.NumberFilter(field_name="work_order_id")

    class Meta:
        model = FollowUp
        fields = ["status", "work_order"]


DEADLINE_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("Due today")),
    ("soon", _("Within 3 days")),
    ("later", _("Later")),
]


class ComplaintFilterSet(FilterSet):
    status = django_filters.ChoiceFilter(choices=ComplaintStatus.choices)
    # The dashboard's "open complaints by deadline" buckets (feedback.reports.sla.complaint_buckets).
    deadline = django_filters.ChoiceFilter(
        choices=DEADLINE_CHOICES, method="filter_deadline", label=_("Next deadline"), empty_label=_("All")
    )
    source = django_filters.ChoiceFilter(choices=ComplaintSource.choices)
    crew = django_filters.NumberFilter(field_name="crew_id")
    work_order = django_filters.NumberFilter(field_name="work_order_id")

    class Meta:
        model = Complaint
        fields = ["status", "source", "crew", "work_order", "deadline"]

    def filter_deadline(self, queryset, name, value):
        from .reports.sla import complaint_buckets, open_complaints_with_deadline

        return open_complaints_with_deadline(queryset).filter(complaint_buckets(timezone.now())[value])
