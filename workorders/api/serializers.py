"""Work-order API shapes (shared/API.md). Thin: reading shapes, and input shapes that only parse what a
service then validates; `status` is read-only everywhere (it changes only through the action endpoints)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crews.models import Crew, Worker
from residents.models import Building, District, Facility, Room, Unit
from residents.selectors import mask_phone

from ..choices import (
    CHECKLIST_KEYS,
    Area,
    AttachmentKind,
    CancelReason,
    Channel,
    Charge,
    HandBackReason,
    HoldReason,
    IncidentKind,
    Status,
    System,
    Urgency,
)
from ..models import MAX_MATERIAL_ROWS, Attachment, Category, Incident, Material, WorkOrder, WorkOrderEvent
from ..permissions import reporter_phone_in_full

# --- Small nested shapes ----------------------------------------------------------------------------------


class CategoryRefSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "full_name", "crew_kind"]


class CrewRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Crew
        fields = ["id", "name", "kind"]


class WorkerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Worker
        fields = ["id", "name", "phone"]


class OrderRefSerializer(serializers.ModelSerializer):
    """An order named in an answer about another one (a likely duplicate's candidates)."""

    class Meta:
        model = WorkOrder
        fields = ["id", "number", "status", "location_label", "created_at"]
        read_only_fields = fields


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        return user.get_full_name() or user.username


class LocationSerializer(serializers.Serializer):
    label = serializers.CharField(source="location_label")
    detail = serializers.CharField(source="location_detail")
    room = serializers.IntegerField(source="room_id", allow_null=True)
    facility = serializers.IntegerField(source="facility_id", allow_null=True)
    building = serializers.IntegerField(source="building_id", allow_null=True)
    district = serializers.IntegerField(source="district_id")


class DeadlinesSerializer(serializers.Serializer):
    respond_by = serializers.DateTimeField()
    arrive_by = serializers.DateTimeField(allow_null=True)
    complete_by = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True, help_text="the next unmet deadline")


class MilestonesSerializer(serializers.Serializer):
    created_at = serializers.DateTimeField()
    dispatched_at = serializers.DateTimeField(allow_null=True)
    assigned_at = serializers.DateTimeField(allow_null=True)
    accepted_at = serializers.DateTimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    on_hold_since = serializers.DateTimeField(allow_null=True)
    supervised_at = serializers.DateTimeField(allow_null=True)


def _checklist_serializer(name: str, doc: str, **field_options) -> type[serializers.Serializer]:
    """A serializer with one nullable boolean per 六个一 item (choices.CHECKLIST_KEYS)."""
    fields = {key: serializers.BooleanField(allow_null=True, **field_options) for key in CHECKLIST_KEYS}
    return type(name, (serializers.Serializer,), {"__doc__": doc, "__module__": __name__, **fields})


ChecklistSerializer = _checklist_serializer(
    "ChecklistSerializer", "The 六个一 as answered at completion (null: not answered yet)."
)


class MaterialSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)

    class Meta:
        model = Material
        fields = ["name", "quantity", "unit_price", "amount"]


class AttachmentSerializer(serializers.ModelSerializer):
    """`url` is the permission-checked photo view (config.files), never a path under MEDIA_ROOT."""

    url = serializers.SerializerMethodField()

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("workorders:photo", args=[attachment.order_id, attachment.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    class Meta:
        model = Attachment
        fields = ["id", "kind", "url", "content_type", "size", "uploaded_at"]
        read_only_fields = fields


# --- Reading ----------------------------------------------------------------------------------------------


def reporter_phone_for(context: dict, phone: str, status: str, worker_id: int | None) -> str:
    """The reporter phone as the request's user may see it (workorders.permissions.reporter_phone_in_full;
    the context carries the user's full-phone answer and Worker id, read once per request)."""
    if reporter_phone_in_full(
        status,
        worker_id,
        full_phone=bool(context.get("full_phone")),
        viewer_worker_id=context.get("worker_id"),
    ):
        return phone
    return mask_phone(phone) if phone else ""


class PhoneMaskingMixin:
    def _phone(self, order: WorkOrder) -> str:
        return reporter_phone_for(
            self.context,  # type: ignore[attr-defined]
            order.reporter_phone,
            order.status,
            order.worker_id,
        )


class WorkOrderListSerializer(PhoneMaskingMixin, serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True)
    crew = CrewRefSerializer(read_only=True, allow_null=True)
    worker = WorkerRefSerializer(read_only=True, allow_null=True)
    location = serializers.CharField(source="location_label", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    overdue = serializers.SerializerMethodField()
    rework = serializers.BooleanField(source="is_rework", read_only=True)
    reporter_phone = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "status",
            "status_label",
            "urgency",
            "urgency_label",
            "category",
            "location",
            "district",
            "crew",
            "worker",
            "reporter_name",
            "reporter_phone",
            "created_at",
            "due_at",
            "overdue",
            "rework",
            "remind_count",
        ]
        read_only_fields = fields

    def get_overdue(self, order: WorkOrder) -> bool:
        return order.is_overdue(self.context.get("now"))

    def get_reporter_phone(self, order: WorkOrder) -> str:
        return self._phone(order)

    def to_representation(self, order: WorkOrder | dict) -> dict:
        if isinstance(order, dict):  # the API list's rows (selectors.order_list_rows): see `_from_values`
            return self._from_values(order)
        return super().to_representation(order)

    def _from_values(self, row: dict) -> dict:
        # The API list's one fast path: DRF's field machinery costs ~20 ms per 50-row page, over its target.
        dt = _DATETIME.to_representation
        context = self.context
        status, urgency, worker_id = row["status"], row["urgency"], row["worker_id"]
        due_at, now = row["due_at"], context.get("now")
        phone = reporter_phone_for(context, row["reporter_phone"], status, worker_id)
        parent = row["category__parent__name"]
        return {
            "id": row["id"],
            "number": row["number"],
            "status": status,
            "status_label": str(Status(status).label) if status in _STATUS else status,
            "urgency": urgency,
            "urgency_label": str(Urgency(urgency).label) if urgency in _URGENCY else urgency,
            "category": {
                "id": row["category_id"],
                "code": row["category__code"],
                "name": row["category__name"],
                "full_name": f"{parent}/{row['category__name']}" if parent else row["category__name"],
                "crew_kind": row["category__crew_kind"],
            },
            "location": row["location_label"],
            "district": row["district_id"],
            "crew": {"id": row["crew_id"], "name": row["crew__name"], "kind": row["crew__kind"]}
            if row["crew_id"] is not None
            else None,
            "worker": {"id": worker_id, "name": row["worker__name"], "phone": row["worker__phone"]}
            if worker_id is not None
            else None,
            "reporter_name": row["reporter_name"],
            "reporter_phone": phone,
            "created_at": dt(row["created_at"]),
            "due_at": dt(due_at) if due_at is not None else None,
            "overdue": due_at is not None and due_at < (now or timezone.now()),
            "rework": row["is_rework"],
            "remind_count": row["remind_count"],
        }


_DATETIME = serializers.DateTimeField()
_STATUS = frozenset(Status.values)
_URGENCY = frozenset(Urgency.values)


class WorkOrderDetailSerializer(WorkOrderListSerializer):
    # Declared so the schema says "" is a value (DRF drops allow_blank from read-only model fields).
    hold_reason = serializers.ChoiceField(choices=HoldReason.choices, allow_blank=True, read_only=True)
    hold_requested_reason = serializers.ChoiceField(
        choices=HoldReason.choices, allow_blank=True, read_only=True
    )
    location = serializers.SerializerMethodField()
    first_contact_owner = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    checklist = serializers.SerializerMethodField()
    materials = MaterialSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    moves = serializers.SerializerMethodField()

    class Meta(WorkOrderListSerializer.Meta):
        fields = [
            *WorkOrderListSerializer.Meta.fields,
            "area",
            "charge",
            "channel",
            "description",
            "appointment_at",
            "reporter",
            "incident",
            "first_contact_owner",
            "deadlines",
            "milestones",
            "held_seconds",
            "hold_reason",
            "hold_requested_reason",
            "extension_requested_until",
            "rework_count",
            "resolution",
            "inspection_findings",
            "checklist",
            "checklist_notes",
            "materials",
            "fee",
            "fee_confirmed",
            "cancel_reason",
            "attachments",
            "moves",
        ]
        read_only_fields = fields

    @extend_schema_field(LocationSerializer)
    def get_location(self, order: WorkOrder) -> dict:
        return LocationSerializer(order).data

    @extend_schema_field(UserRefSerializer(allow_null=True))
    def get_first_contact_owner(self, order: WorkOrder) -> dict | None:
        owner = order.first_contact_owner
        return UserRefSerializer(owner).data if owner else None

    @extend_schema_field(DeadlinesSerializer)
    def get_deadlines(self, order: WorkOrder) -> dict:
        return DeadlinesSerializer(order).data

    @extend_schema_field(MilestonesSerializer)
    def get_milestones(self, order: WorkOrder) -> dict:
        return MilestonesSerializer(order).data

    @extend_schema_field(ChecklistSerializer)
    def get_checklist(self, order: WorkOrder) -> dict:
        return order.checklist

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_moves(self, order: WorkOrder) -> list[str]:
        """What the requesting user may do now (the buttons to show)."""
        from ..lifecycle import available_moves

        request = self.context.get("request")
        return available_moves(request.user, order) if request else []


class WorkOrderEventSerializer(serializers.ModelSerializer):
    actor = UserRefSerializer(read_only=True, allow_null=True)
    kind_label = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "at", "actor", "kind", "kind_label", "from_status", "to_status", "note", "data"]
        read_only_fields = fields

    def get_kind_label(self, event: WorkOrderEvent) -> str:
        from ..choices import Move

        return str(Move(event.kind).label) if event.kind in Move.values else event.kind


class CategoryTreeSerializer(serializers.ModelSerializer):
    children = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "crew_kind", "default_urgency", "default_area", "children"]

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text="leaf categories, same shape")
    )
    def get_children(self, category: Category) -> list[dict]:
        if category.parent_id is not None:  # a leaf: the tree has two levels
            return []
        return CategoryTreeSerializer(category.children.all(), many=True).data


class IncidentSerializer(serializers.ModelSerializer):
    buildings = serializers.PrimaryKeyRelatedField(queryset=Building.objects.all(), many=True, required=False)
    units = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all(), many=True, required=False)
    district = serializers.PrimaryKeyRelatedField(queryset=District.objects.all())
    system = serializers.ChoiceField(choices=System.choices)
    kind = serializers.ChoiceField(choices=IncidentKind.choices, default=IncidentKind.SUDDEN)
    is_active = serializers.BooleanField(read_only=True)
    order_count = serializers.IntegerField(read_only=True, default=0)

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
            "description",
            "starts_at",
            "expected_end_at",
            "ended_at",
            "is_active",
            "order_count",
            "created_at",
        ]
        read_only_fields = ["id", "ended_at", "is_active", "order_count", "created_at"]
        extra_kwargs = {"starts_at": {"required": False}, "description": {"required": False}}


# --- Input ------------------------------------------------------------------------------------------------


class CategoryField(serializers.RelatedField):
    """A leaf category by its code (`water.leak_fitting`) or its id."""

    default_error_messages = {"does_not_exist": "Unknown category “{value}”."}

    def get_queryset(self):
        return Category.objects.select_related("parent")

    def to_internal_value(self, data):
        value = str(data).strip()
        category = None
        # Codes are short ASCII; anything else (a NUL byte, a 40-digit "id") is simply not a category.
        if value.isascii() and value.isdigit() and len(value) <= 18:
            category = self.get_queryset().filter(pk=int(value)).first()
        elif value and "\x00" not in value and len(value) <= 100:
            category = self.get_queryset().filter(code=value).first()
        if category is None:
            raise serializers.ValidationError(_("Unknown category “%(value)s”.") % {"value": value})
        return category

    def to_representation(self, value):
        return value.code


@extend_schema_field(OpenApiTypes.STR)
class _CategoryInput(CategoryField):
    pass


class WorkOrderCreateSerializer(serializers.Serializer):
    """Where: exactly one of `room`, `facility` or `building` (a common area: 楼道, 单元门, 楼顶; `unit`
    narrows it), or an `address` text: 5区37栋1单元302室, 5区37栋楼道, 3区15栋旁边的路灯, 5区加压泵房."""

    room = serializers.PrimaryKeyRelatedField(queryset=Room.objects.all(), required=False, allow_null=True)
    facility = serializers.PrimaryKeyRelatedField(
        queryset=Facility.objects.all(), required=False, allow_null=True
    )
    building = serializers.PrimaryKeyRelatedField(
        queryset=Building.objects.all(),
        required=False,
        allow_null=True,
        help_text="a building's common area (楼道, 单元门, 楼顶); say where in `location_detail`",
    )
    unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(),
        required=False,
        allow_null=True,
        help_text="with `building`: the unit whose common area it is",
    )
    address = serializers.CharField(required=False, allow_blank=True, max_length=100)
    location_detail = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="where exactly: 楼道, 单元门, 旁边的路灯"
    )
    category = _CategoryInput(help_text="leaf category code, e.g. water.leak_fitting (or its id)")
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False)
    description = serializers.CharField(max_length=2000)
    reporter_phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=40)
    area = serializers.ChoiceField(choices=Area.choices, required=False)
    charge = serializers.ChoiceField(choices=Charge.choices, required=False, default=Charge.FREE)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, default=Channel.PHONE)
    appointment_at = serializers.DateTimeField(required=False, allow_null=True)
    incident = serializers.PrimaryKeyRelatedField(
        queryset=Incident.objects.all(), required=False, allow_null=True
    )
    allow_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: not a duplicate. Otherwise an active order for the same room and category is a 409 "
        "with the candidates (`duplicates`).",
    )

    def validate(self, attrs):
        from residents.selectors import AddressError, resolve_place

        address = (attrs.pop("address", "") or "").strip()
        given = [name for name in ("room", "facility", "building") if attrs.get(name) is not None]
        if len(given) > 1:
            raise serializers.ValidationError(
                {given[1]: [_("Give one place only: a room, a building or a public facility.")]}
            )
        if given:
            return attrs
        if not address:
            raise serializers.ValidationError(
                {"room": [_("Give the room, the building, the public facility or the address of the fault.")]}
            )
        try:
            place = resolve_place(address)
        except AddressError as exc:
            raise serializers.ValidationError({"address": [exc.message]}) from None
        attrs.update(room=place.room, facility=place.facility, building=place.building, unit=place.unit)
        attrs["location_detail"] = " ".join(filter(None, (place.detail, attrs.get("location_detail", ""))))
        return attrs


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RequiredNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class DispatchSerializer(NoteSerializer):
    crew = serializers.PrimaryKeyRelatedField(queryset=Crew.objects.all())


class AssignSerializer(NoteSerializer):
    worker = serializers.PrimaryKeyRelatedField(queryset=Worker.objects.select_related("crew"))


class HoldSerializer(NoteSerializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices, required=False, allow_blank=True, default="")


class RequestHoldSerializer(NoteSerializer):
    reason = serializers.ChoiceField(choices=HoldReason.choices)


class CancelSerializer(NoteSerializer):
    reason = serializers.ChoiceField(choices=CancelReason.choices)


class HandBackSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=HandBackReason.choices)
    note = serializers.CharField(max_length=500)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class TransferSerializer(serializers.Serializer):
    crew = serializers.PrimaryKeyRelatedField(queryset=Crew.objects.all(), required=False, allow_null=True)
    worker = serializers.PrimaryKeyRelatedField(
        queryset=Worker.objects.select_related("crew"), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=500)


class ExtensionRequestSerializer(serializers.Serializer):
    until = serializers.DateTimeField()
    reason = serializers.CharField(max_length=500)


class MaterialInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    quantity = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0)
    unit_price = serializers.DecimalField(max_digits=9, decimal_places=2, min_value=0, required=False)


ChecklistInputSerializer = _checklist_serializer("ChecklistInputSerializer", "", required=False, default=None)


class CompleteSerializer(serializers.Serializer):
    """The service checks the rules (every checklist item answered, a reason for each "no", fee rules)."""

    resolution = serializers.CharField(max_length=2000, allow_blank=True)
    checklist = ChecklistInputSerializer(required=False, default=dict)
    checklist_notes = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    inspection_findings = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    materials = MaterialInputSerializer(many=True, required=False, default=list, max_length=MAX_MATERIAL_ROWS)
    fee = serializers.DecimalField(max_digits=9, decimal_places=2, required=False, default=0)
    fee_confirmed = serializers.BooleanField(required=False, default=False)


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=AttachmentKind.choices, default=AttachmentKind.OTHER)
