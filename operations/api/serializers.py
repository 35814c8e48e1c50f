"""Outage serializers: explicit fields; `state` and `affected_homes` are read-only (computed by the service)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crews.models import Crew
from residents.models import Building, District, Facility, Room, Unit
from workorders.choices import IncidentKind, System
from workorders.models import Incident

from ..choices import HAZARD_OPEN, Frequency, ItemKind, OutageState, Severity
from ..models import Hazard, Round, RoundItem, RoundTemplate, RoundTemplateItem
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
    # Required when planning (the service refuses none); an unplanned incident may have none yet: null.
    expected_end_at = serializers.DateTimeField(allow_null=True)

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


# --- Rounds and hazards -----------------------------------------------------------------------------------


def _file_url(serializer: serializers.Serializer, name: str, *args) -> str | None:
    """The permission-checked view of a stored photo (config.files), absolute when the request is known; never a
    path under MEDIA_ROOT."""
    path = reverse(name, args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class TemplateItemSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    low = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    high = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    class Meta:
        model = RoundTemplateItem
        fields = ["id", "label", "kind", "unit", "low", "high"]
        read_only_fields = ["id"]


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$", "example": "08:30"}
)
class HourMinuteField(serializers.TimeField):
    """A time of day answered as "HH:MM" (API.md): the schema's `format: time` would promise seconds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%H:%M", **kwargs)


class RoundTemplateSerializer(serializers.ModelSerializer):
    crew = serializers.PrimaryKeyRelatedField(queryset=Crew.objects.all())
    facilities = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.all(), many=True, required=False
    )
    buildings = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), many=True, required=False)
    items = TemplateItemSerializer(many=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6), required=False, max_length=7
    )
    due_time = HourMinuteField()

    class Meta:
        model = RoundTemplate
        fields = [
            "id",
            "crew",
            "name",
            "facilities",
            "buildings",
            "items",
            "frequency",
            "weekdays",
            "month_day",
            "due_time",
            "active",
        ]
        read_only_fields = ["id", "active"]
        extra_kwargs = {"month_day": {"required": False}}


class RoundItemSerializer(serializers.ModelSerializer):
    """`photo_url` is the checked photo view (the round's crew and managers), null without a photo."""

    place = serializers.SerializerMethodField()
    photo_url = serializers.SerializerMethodField()

    class Meta:
        model = RoundItem
        fields = [
            "id",
            "place",
            "label",
            "kind",
            "unit",
            "low",
            "high",
            "passed",
            "value",
            "note",
            "photo_url",
            "recorded_at",
        ]
        read_only_fields = fields

    def get_place(self, item: RoundItem) -> str:
        return str(item.place or "")

    def get_photo_url(self, item: RoundItem) -> str | None:
        return _file_url(self, "operations:round_photo", item.round_id, item.pk) if item.photo else None


class RoundSerializer(serializers.ModelSerializer):
    items = RoundItemSerializer(many=True, read_only=True)
    template_name = serializers.CharField(source="template.name", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "template",
            "template_name",
            "crew",
            "worker",
            "due_at",
            "status",
            "started_at",
            "finished_at",
            "missed_reason",
            "escalation_level",
            "items",
        ]
        read_only_fields = fields


class RecordSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    value = serializers.DecimalField(max_digits=12, decimal_places=3, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    photo = serializers.FileField(required=False, allow_null=True, default=None, max_length=200)


class RecordResultSerializer(serializers.Serializer):
    item = RoundItemSerializer()
    hazard = serializers.IntegerField(allow_null=True)


# What a reporter gives; the rest of a hazard is the service's (state, crew, due date, escalation).
HAZARD_WRITABLE = ("system", "severity", "room", "building", "facility", "description", "round_item", "photo")


class HazardSerializer(serializers.ModelSerializer):
    """`photo` is written (multipart) and never read back as a path: `photo_url` is the checked photo view (the
    hazard's crew, the desk and managers), null without a photo."""

    system = serializers.ChoiceField(choices=System.choices, required=False, allow_blank=True, default="")
    severity = serializers.ChoiceField(choices=Severity.choices)
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True
    )
    facility = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.all(), required=False, allow_null=True
    )
    round_item = serializers.PrimaryKeyRelatedField(
        queryset=RoundItem.objects.all(), required=False, allow_null=True
    )
    photo = serializers.FileField(write_only=True, required=False, allow_null=True, max_length=200)
    photo_url = serializers.SerializerMethodField()
    place = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "system",
            "severity",
            "status",
            "district",
            "room",
            "building",
            "facility",
            "place",
            "crew",
            "description",
            "photo",
            "photo_url",
            "round_item",
            "work_order",
            "found_at",
            "due_at",
            "overdue",
            "rectified_at",
            "verified_at",
            "escalation_level",
        ]
        read_only_fields = [name for name in fields if name not in HAZARD_WRITABLE]

    def get_place(self, hazard: Hazard) -> str:
        return str(hazard.place or "")

    def get_photo_url(self, hazard: Hazard) -> str | None:
        return _file_url(self, "operations:hazard_photo", hazard.pk) if hazard.shown_photo else None

    def get_overdue(self, hazard: Hazard) -> bool:
        return hazard.status in HAZARD_OPEN and hazard.due_at < (self.context.get("now") or timezone.now())


class HazardNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class WorkOrderRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class ToWorkOrderResultSerializer(serializers.Serializer):
    work_order = WorkOrderRefSerializer()
