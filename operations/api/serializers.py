"""Outage serializers: explicit fields; `state` and `affected_homes` are read-only (computed by the service)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from residents.models import Building, District, Facility, Unit
from workorders.choices import IncidentKind, System
from workorders.models import Incident

from ..choices import OutageState
from ..selectors import state_of


class OutageSerializer(serializers.ModelSerializer):
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all())
    buildings = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), many=True, required=False)
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    facilities = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.all(), many=True, required=False
    )
    system = serializers.ChoiceField(choices=System.choices)
    kind = serializers.ChoiceField(choices=IncidentKind.choices, default=IncidentKind.PLANNED)
    state = serializers.SerializerMethodField()
    notice_lead_minutes = serializers.IntegerField(required=False, min_value=0, max_value=60 * 24 * 14)
    expected_end_at = serializers.DateTimeField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "system",
            "kind",
            "district",
            "buildings",
            "units",
            "facilities",
            "description",
            "starts_at",
            "expected_end_at",
            "ended_at",
            "notice_lead_minutes",
            "state",
            "affected_homes",
            "created_at",
        ]
        read_only_fields = ["id", "ended_at", "state", "affected_homes", "created_at"]
        extra_kwargs = {"starts_at": {"required": False}, "description": {"required": False}}

    def get_state(self, incident: Incident) -> str:
        return state_of(incident, self.context.get("now") or timezone.now())


class OutageStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=OutageState.choices)


class OutageExtendSerializer(serializers.Serializer):
    expected_end_at = serializers.DateTimeField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class EventCountsSerializer(serializers.Serializer):
    queued = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()


class ByEventSerializer(serializers.Serializer):
    advance = EventCountsSerializer()
    reminder = EventCountsSerializer()
    extended = EventCountsSerializer()
    restored = EventCountsSerializer()


class NoticeProgressSerializer(serializers.Serializer):
    phones = serializers.IntegerField()
    by_event = ByEventSerializer()
