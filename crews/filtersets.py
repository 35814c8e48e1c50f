import django_filters
from django.utils import timezone

from config.filtersets import FilterSet

from .models import Crew, Worker


class CrewFilterSet(FilterSet):
    class Meta:
        model = Crew
        fields = ["kind", "active"]


class WorkerFilterSet(FilterSet):
    on_duty = django_filters.BooleanFilter(method="filter_on_duty", label="on duty now")

    class Meta:
        model = Worker
        fields = ["crew", "role", "active", "on_duty"]

    def filter_on_duty(self, queryset, name, value):
        now = timezone.now()
        on = queryset.filter(duty_shifts__starts_at__lte=now, duty_shifts__ends_at__gt=now)
        return on.distinct() if value else queryset.exclude(pk__in=on.values("pk"))
