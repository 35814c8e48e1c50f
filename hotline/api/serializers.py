"""Hotline API shapes (shared/API.md § Hotline): the caller screen and calls. Phones follow
residents.view_full_phone; status fields are read-only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from crews.models import Crew
from residents.models import Building, Facility, Room
from residents.selectors import AddressError, Place, resolve_place, show_phone
from workorders.choices import Channel, System, Urgency
from workorders.models import Category, Incident, WorkOrder

from ..choices import CallType
from ..models import Call


def _viewer(serializer) -> object | None:
    request = serializer.context.get("request")
    return request.user if request is not None else None


class OrderBriefSerializer(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    crew = serializers.CharField(source="crew.name", default=None, read_only=True, allow_null=True)
    location = serializers.CharField(source="location_label", read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "status",
            "urgency",
            "category",
            "category_name",
            "location",
            "room",
            "crew",
            "created_at",
            "due_at",
            "remind_count",
            "is_rework",
        ]
        read_only_fields = fields


class IncidentBriefSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name", read_only=True)

    class Meta:
        model = Incident
        fields = ["id", "title", "system", "kind", "district", "starts_at", "expected_end_at"]
        read_only_fields = fields


class OutageBriefSerializer(IncidentBriefSerializer):
    """An outage on the caller screen: active or starting within 48 h over one of the caller's homes."""

    state = serializers.CharField(read_only=True)

    class Meta(IncidentBriefSerializer.Meta):
        fields = [*IncidentBriefSerializer.Meta.fields, "state", "affected_homes"]
        read_only_fields = fields


class ScreenRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "label", "district", "building", "unit", "number"]
        read_only_fields = fields


class ScreenResidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    phone = serializers.SerializerMethodField()
    alt_phone = serializers.SerializerMethodField()
    notes = serializers.CharField()
    rooms = serializers.SerializerMethodField()

    def get_phone(self, obj) -> str:
        return show_phone(_viewer(self), obj.phone)

    def get_alt_phone(self, obj) -> str:
        return show_phone(_viewer(self), obj.alt_phone)

    def get_rooms(self, obj) -> list[int]:
        return [home.id for home in obj.homes]


class CallSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()
    taken_by = serializers.CharField(source="taken_by.username", read_only=True)
    handed_to = serializers.CharField(
        source="handed_to.username", default=None, read_only=True, allow_null=True
    )
    category = serializers.CharField(source="category.code", default=None, read_only=True, allow_null=True)
    work_order = serializers.CharField(
        source="work_order.number", default=None, read_only=True, allow_null=True
    )
    # Declared so the schema says "" is a value (DRF drops allow_blank from read-only model fields).
    system = serializers.ChoiceField(choices=System.choices, allow_blank=True, read_only=True)
    work_order_id = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Call
        fields = [
            "id",
            "channel",
            "phone",
            "caller_name",
            "call_type",
            "summary",
            "answer",
            "subject",
            "taken_by",
            "handed_to",
            "room",
            "category",
            "system",
            "work_order",
            "work_order_id",
            "incident",
            "started_at",
            "ended_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_phone(self, obj) -> str:
        return show_phone(_viewer(self), obj.phone)


@extend_schema_serializer(many=False)  # the caller screen is one object, though served by the viewset's list
class LookupSerializer(serializers.Serializer):
    phone = serializers.CharField()
    address = serializers.CharField()
    known = serializers.BooleanField()
    register = serializers.DictField(allow_null=True)
    residents = ScreenResidentSerializer(many=True)
    rooms = ScreenRoomSerializer(many=True)
    open_orders = OrderBriefSerializer(many=True)
    recent_orders = OrderBriefSerializer(many=True)
    incidents = IncidentBriefSerializer(many=True)
    outages = OutageBriefSerializer(many=True)
    open_complaints = serializers.ListField(child=serializers.DictField())
    recent_calls = CallSerializer(many=True)


class CallCreateSerializer(serializers.Serializer):
    """Input of POST /calls/. `category` is a leaf code (e.g. water.leak_fitting); one of `room`, `building`
    (a common area) or `facility`, or an `address` (5区37栋1单元302室, 5区37栋楼道, 5区加压泵房) locates a repair; `work_order` names the order of a reminder; `incident` attaches a repair call to an outage."""

    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    channel = serializers.ChoiceField(
        choices=[Channel.PHONE, Channel.WALK_IN], required=False, default=Channel.PHONE
    )
    call_type = serializers.ChoiceField(choices=CallType.choices)
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    caller_name = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(), required=False, allow_null=True, help_text="a common area's building"
    )
    facility = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(max_length=100, required=False, allow_blank=True)
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(parent__isnull=False, active=True),
        required=False,
        allow_null=True,
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    crew = serializers.PrimaryKeyRelatedField(
        queryset=Crew.objects.filter(active=True), required=False, allow_null=True
    )
    work_order = serializers.PrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), required=False, allow_null=True
    )
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.filter(ended_at__isnull=True), required=False, allow_null=True
    )
    answer = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: not a duplicate. Otherwise an active order for the same room and category is a 409 "
        "with the candidates (`duplicates`), as at the desk.",
    )
    started_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="when the agent started taking the call (screen pop or first keystroke); default: now",
    )

    def validate(self, attrs):
        address = (attrs.pop("address", "") or "").strip()
        given = {
            name: attrs.pop(name) for name in ("room", "building", "facility") if attrs.get(name) is not None
        }
        if len(given) > 1:
            raise serializers.ValidationError(
                {list(given)[1]: [_("Give one place only: a room, a building or a public facility.")]}
            )
        attrs["place"] = Place(**given) if given else None
        if address and not given:
            try:
                attrs["place"] = resolve_place(address)
            except AddressError as exc:
                raise serializers.ValidationError({"address": [exc.message]}) from None
        if attrs["call_type"] == CallType.REMINDER and not attrs.get("work_order"):
            raise serializers.ValidationError({"work_order": [_("Choose the order the caller is chasing.")]})
        return attrs


class CallResultSerializer(serializers.Serializer):
    call = CallSerializer()
    work_order = OrderBriefSerializer(allow_null=True)
    complaint = serializers.IntegerField(allow_null=True)
    praise = serializers.IntegerField(allow_null=True)
    duplicates = OrderBriefSerializer(many=True)
    dispatched_to = serializers.CharField(allow_null=True)
    suggest_incident = serializers.BooleanField()


@extend_schema_serializer(many=False)  # one object of three lists, though served by the viewset's list
class SearchSerializer(serializers.Serializer):
    """GET search/?q= (API.md v1.1): what the navigation's search found, each list scoped to the user."""

    query = serializers.CharField()
    kind = serializers.ChoiceField(choices=["order", "phone", "last4", "address", "name"])
    notice = serializers.CharField()
    orders = OrderBriefSerializer(many=True)
    callers = ScreenResidentSerializer(many=True)
    rooms = ScreenRoomSerializer(many=True)


class HandOverSerializer(serializers.Serializer):
    to = serializers.CharField(
        max_length=150, help_text="login of the dispatcher or manager taking the call over"
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=2000, help_text="what the caller is told")


class RingingSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=30, help_text="the caller's number as the phone system has it")
    agent = serializers.CharField(max_length=150, help_text="the answering agent's login or extension")


class RingingResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    agent = serializers.CharField()
    phone = serializers.CharField()
