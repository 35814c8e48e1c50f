"""The call list's FilterSet, shared by the HTML list and the API."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.filtersets import FilterSet
from residents.selectors import normalize_phone

from .choices import CallType
from .models import Call
from .selectors import owned_by


class CallFilterSet(FilterSet):
    phone = django_filters.CharFilter(method="filter_phone", label=_("phone"))
    call_type = django_filters.ChoiceFilter(choices=CallType.choices, label=_("call type"))
    taken_by = django_filters.ModelChoiceFilter(queryset=get_user_model().objects.all(), label=_("taken by"))
    date = django_filters.DateFilter(method="filter_date", label=_("date"))
    open = django_filters.BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("open"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("mine (open calls I own now)"))

    class Meta:
        model = Call
        fields = ["phone", "call_type", "taken_by", "date", "channel", "open", "mine"]

    def filter_phone(self, queryset, name, value):
        phone = normalize_phone(value)
        return queryset.filter(phone=phone) if phone else queryset

    def filter_date(self, queryset, name, value):
        # A local calendar day as a range, so the (…, started_at) indexes serve it.
        start = datetime.combine(value, time.min, timezone.get_current_timezone())
        return queryset.filter(started_at__gte=start, started_at__lt=start + timedelta(days=1))

    def filter_mine(self, queryset, name, value):
        # 首问负责: a call handed to me is mine; one I took and handed on is not.
        user = getattr(self.request, "user", None)
        if not value or user is None:
            return queryset
        return queryset.filter(owned_by(user), closed_at__isnull=True)
