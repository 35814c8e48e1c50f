from rest_framework import serializers

from residents.selectors import can_see_full_phone, mask_phone

from ..choices import ImportKind
from ..models import Crew, ImportJob, Worker
from ..permissions import sees_staff_phone
from ..selectors import worker_of


class CrewSerializer(serializers.ModelSerializer):
    districts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Crew
        fields = ["id", "name", "kind", "districts", "active"]


class WorkerSerializer(serializers.ModelSerializer):
    """A staff member; the phone is masked unless the viewer needs it (crews.permissions.sees_staff_phone)."""

    crew_name = serializers.CharField(source="crew.name", read_only=True)
    phone = serializers.SerializerMethodField()

    def get_phone(self, worker: Worker) -> str:
        request = self.context.get("request")
        viewer = getattr(request, "user", None)
        if not worker.phone:
            return ""
        if "full_phone" not in self.context:  # once per list, not per row
            self.context["full_phone"] = can_see_full_phone(viewer)
            self.context["own_worker"] = worker_of(viewer)
        if sees_staff_phone(
            viewer, worker, full_phone=self.context["full_phone"], own=self.context["own_worker"]
        ):
            return worker.phone
        return mask_phone(worker.phone)

    class Meta:
        model = Worker
        fields = ["id", "name", "crew", "crew_name", "role", "phone", "skills", "active"]


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="the spreadsheet's row number (header = row 1)")
    column = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    """An import's state and counts (data rows); `errors` lists every failed row."""

    moved_out = serializers.IntegerField(read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, default=None, allow_null=True
    )
    seconds_left = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "file_name",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "rows_total",
            "rows_done",
            "created",
            "updated",
            "unchanged",
            "moved_out",
            "error_count",
            "errors",
            "ended",
            "failure",
            "seconds_left",
        ]
        read_only_fields = fields

    def get_seconds_left(self, job) -> int | None:
        return job.seconds_left()


class ImportJobListSerializer(ImportJobSerializer):
    class Meta(ImportJobSerializer.Meta):
        fields = [f for f in ImportJobSerializer.Meta.fields if f != "errors"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    file = serializers.FileField()


class ImportCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ImportConfirmSerializer(serializers.Serializer):
    end_moved_out_residencies = serializers.BooleanField(required=False, default=False)
