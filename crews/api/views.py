from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from config.api import Conflict
from config.parsers import JSONParser  # bounded before parsing (issue 17)
from residents.tabular import XLSX

from .. import services
from ..choices import ImportKind
from ..filtersets import CrewFilterSet, WorkerFilterSet
from ..models import Crew, Worker
from ..permissions import can_import_registers
from ..selectors import import_jobs_visible_to
from .serializers import (
    CrewSerializer,
    ImportConfirmSerializer,
    ImportCreatedSerializer,
    ImportJobListSerializer,
    ImportJobSerializer,
    ImportUploadSerializer,
    WorkerSerializer,
)


class CrewViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Crew.objects.prefetch_related("districts").order_by("id")
    serializer_class = CrewSerializer
    filterset_class = CrewFilterSet
    ordering_fields = ["id", "name", "kind"]


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Worker.objects.select_related("crew").order_by("id")
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
    # Not by phone: an ordering by a masked value reveals it (issue 17).
    ordering_fields = ["id", "name", "crew", "role"]


# --- Register imports (API.md "Imports (v1.1)") -------------------------------------------------------------


class CanImportRegisters(permissions.BasePermission):
    """Managers and admins; any other signed-in user gets 403."""

    message = _("Only managers may import or export the registers.")

    def has_permission(self, request, view) -> bool:
        return can_import_registers(request.user)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportJobViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Upload a register (preview first), read its preview and progress, confirm it, get its error report."""

    permission_classes = [permissions.IsAuthenticated, CanImportRegisters]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return import_jobs_visible_to(self.request.user).order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return ImportUploadSerializer
        if self.action == "list":
            return ImportJobListSerializer
        if self.action == "confirm":
            return ImportConfirmSerializer
        return ImportJobSerializer

    @extend_schema(request=ImportUploadSerializer, responses={201: ImportCreatedSerializer})
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = services.start_import(
            actor=request.user,
            kind=upload.validated_data["kind"],
            upload=upload.validated_data["file"],
            language=translation.get_language() or "zh-hans",
        )
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ImportConfirmSerializer,
        responses={200: ImportJobSerializer, 409: OpenApiResponse(description="the import is not ready")},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = self.get_object()
        body = ImportConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.confirm_import(
                actor=request.user,
                job_id=job.pk,
                end_moved_out=body.validated_data["end_moved_out_residencies"],
            )
        except services.ImportConflict as exc:
            raise Conflict(str(exc)) from exc
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data)

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        job = self.get_object()
        return _xlsx(services.error_report(job), f"import-{job.pk}-errors.xlsx")

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(ImportKind.values))],
        responses={(200, XLSX): OpenApiTypes.BINARY, 404: OpenApiResponse(description="no such register")},
    )
    @action(detail=False, methods=["get"], url_path=r"templates/(?P<kind>[a-z_]+)")
    def templates(self, request, kind=None):
        if kind not in ImportKind.values:
            raise Http404
        return _xlsx(services.import_template(kind), f"template-{kind}.xlsx")
