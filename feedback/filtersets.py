"""One FilterSet per list, shared by the HTML pages and the API."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filtersets import DateTimeFilter, FilterSet
from crews.choices import CrewKind
from workorders.choices import Status
from workorders.filtersets import WorkOrderFilterSet

from .choices import ComplaintSource, ComplaintStatus, FollowUpStatus, Outcome, Verdict
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


# What a report counts of an order's follow-ups (due in a window): every one due, those with an outcome
# (回访率's numerator), those reached, and each verdict (the satisfaction report's columns).
FOLLOW_UP_COUNTS = {
    "due": Q(),
    "contacted": ~Q(outcome=""),
    "reached": Q(outcome=Outcome.REACHED),
    **{v: Q(outcome=Outcome.REACHED, verdict=v) for v in Verdict.values},
}


class ReportOrderFilterSet(WorkOrderFilterSet):
    """The orders behind a count on the dashboard or a report: the order list's filters plus what the reports
    count by — the crew kind of a hotspot (`kind`), an order's follow-ups due in a window (`follow_up`: due,
    contacted, reached or a verdict; `verdict` is its older name; `due_after`, `due_before`) and a missed
    deadline (`late`: respond, arrive, complete; the SLA report's own definition). Invalid values take the
    base FilterSet's error path."""

    kind = django_filters.ChoiceFilter(choices=CrewKind.choices, field_name="category__crew_kind")
    follow_up = django_filters.ChoiceFilter(
        choices=[(k, k) for k in FOLLOW_UP_COUNTS], method="filter_follow_up", label=_("follow-up")
    )
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, method="filter_follow_up")
    due_after = DateTimeFilter(method="filter_window", label=_("due after"))
    due_before = DateTimeFilter(method="filter_window", label=_("due before"))
    late = django_filters.ChoiceFilter(
        choices=[(m, m) for m in ("respond", "arrive", "complete")], method="filter_late"
    )

    def filter_window(self, queryset, name, value):
        return queryset  # the window of `follow_up`, read there

    def filter_follow_up(self, queryset, name, value):
        follow_ups = FollowUp.objects.filter(FOLLOW_UP_COUNTS[value], work_order=OuterRef("pk"))
        window = self.form.cleaned_data
        if window.get("due_after"):
            follow_ups = follow_ups.filter(due_at__gte=window["due_after"])
        if window.get("due_before"):
            follow_ups = follow_ups.filter(due_at__lt=window["due_before"])
        return queryset.filter(Exists(follow_ups))

    def filter_late(self, queryset, name, value):
        from .reports.sla import late_condition

        return queryset.exclude(status=Status.CANCELLED).filter(late_condition(value, timezone.now()))
