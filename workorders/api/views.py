"""Work-order endpoints (shared/API.md): thin — parse, call one service, answer with the order.

Every read goes through `work_orders_visible_to`, so an order the user may not see is a 404 for the detail,
the timeline and every action alike. Service errors map to HTTP: TransitionNotAllowed → 409, PermissionDenied
→ 403, ValidationError → 400 (config.api)."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from config.api import Conflict
from crews.permissions import is_crew_leader, is_worker
from crews.selectors import worker_of

from ..actions import TransitionNotAllowed
from ..actions.attachments import add_attachment
from ..actions.incidents import create_incident
from ..actions.intake import create_order
from ..filtersets import IncidentFilterSet, WorkOrderFilterSet
from ..models import Category, Incident, WorkOrder, WorkOrderEvent
from ..moves import MOVES, MoveSpec
from ..permissions import CanCreateOrder, can_see_full_phone
from ..selectors import DuplicateOrder, order_list_rows, with_list_relations, work_orders_visible_to
from . import serializers as s
from .pagination import EstimatedCountPagination

ORDERING_FIELDS = ["created_at", "due_at", "number", "urgency", "status", "remind_count", "completed_at"]


def move_action(spec: MoveSpec):
    """The API route of one move of the registry: POST /work-orders/{id}/<spec.api_path>/ with the move's
    body (`spec.serializer`), answered with the order (409 when its state does not allow the move)."""

    def handler(self, request, pk=None):
        return self._move(spec)

    handler.__name__ = handler.__qualname__ = spec.api_name
    routed = action(
        detail=True, methods=["post"], url_path=spec.api_path, url_name=spec.api_path, filterset_class=None
    )(handler)
    return extend_schema(
        request=spec.serializer,
        responses={200: s.WorkOrderDetailSerializer, 409: OpenApiResponse(description="not allowed now")},
        summary=spec.summary,
    )(routed)


@extend_schema_view(
    list=extend_schema(summary="Orders the user may see, filtered and paginated"),
    retrieve=extend_schema(summary="One order with deadlines, milestones and completion record"),
    create=extend_schema(
        request=s.WorkOrderCreateSerializer,
        responses={201: s.WorkOrderDetailSerializer},
        summary="Log a new order (状态: received)",
    ),
)
class WorkOrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    permission_classes = [permissions.IsAuthenticated, CanCreateOrder]
    pagination_class = EstimatedCountPagination  # no COUNT(*) over a million rows per page
    filterset_class = WorkOrderFilterSet
    ordering_fields = ORDERING_FIELDS
    ordering = ["-created_at"]

    def get_queryset(self):
        if self.action == "list":
            return order_list_rows(work_orders_visible_to(self.request.user))
        qs = with_list_relations(work_orders_visible_to(self.request.user))
        if self.action == "retrieve":
            return self._with_detail(qs)
        return qs

    @staticmethod
    def _with_detail(qs):
        return qs.select_related("first_contact_owner").prefetch_related("materials", "attachments")

    def get_serializer_class(self):
        if self.action == "list":
            return s.WorkOrderListSerializer
        if self.action == "create":
            return s.WorkOrderCreateSerializer
        return s.WorkOrderDetailSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        if user.is_authenticated:
            # Only crew members have a Worker row: the desk skips that query.
            worker = worker_of(user) if is_worker(user) or is_crew_leader(user) else None
            context.update(
                full_phone=can_see_full_phone(user),
                worker_id=worker.id if worker else None,
                now=timezone.now(),
            )
        return context

    def handle_exception(self, exc):
        if isinstance(exc, TransitionNotAllowed):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)

    def _answer(self, order_id: int, code: int = status.HTTP_200_OK) -> Response:
        order = self._with_detail(self.get_queryset()).filter(pk=order_id).first()
        if order is None:  # the move took the order out of the user's sight (e.g. handed back)
            order = get_object_or_404(
                WorkOrder.objects.select_related("category", "crew", "worker", "first_contact_owner"),
                pk=order_id,
            )
            return Response(
                s.WorkOrderListSerializer(order, context=self.get_serializer_context()).data, status=code
            )
        return Response(
            s.WorkOrderDetailSerializer(order, context=self.get_serializer_context()).data, status=code
        )

    def _move(self, spec: MoveSpec) -> Response:
        order = self.get_object()  # 404 unless visible
        data = {}
        if spec.serializer is not None:
            serializer = spec.serializer(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        spec.perform(actor=self.request.user, order=order, **data)
        return self._answer(order.pk)

    def create(self, request, *args, **kwargs):
        serializer = s.WorkOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            order = create_order(actor=request.user, **serializer.validated_data)
        except DuplicateOrder as exc:
            duplicates = s.OrderRefSerializer(exc.duplicates, many=True).data
            raise Conflict(str(exc), extra={"duplicates": duplicates}) from None
        return self._answer(order.pk, status.HTTP_201_CREATED)

    @extend_schema(responses=s.WorkOrderEventSerializer(many=True), summary="The order's timeline")
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        order = self.get_object()
        events = WorkOrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "id")
        return Response(s.WorkOrderEventSerializer(events, many=True).data)

    @extend_schema(
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
        summary="Add a photo (JPEG/PNG/GIF/WebP/HEIC, at most 10 MB)",
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        filterset_class=None,
    )
    def attachments(self, request, pk=None):
        order = self.get_object()
        serializer = s.AttachmentUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attachment = add_attachment(actor=request.user, order=order, **serializer.validated_data)
        return Response(
            s.AttachmentSerializer(attachment, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


for _spec in MOVES.values():
    setattr(WorkOrderViewSet, _spec.api_name, move_action(_spec))


class CanRecordIncident(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        from ..permissions import can_create_order

        return request.method in permissions.SAFE_METHODS or can_create_order(request.user)


class IncidentViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Outages and mass faults: every member of staff may read them; the desk records them."""

    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilterSet
    permission_classes = [permissions.IsAuthenticated, CanRecordIncident]
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["-starts_at"]

    def get_queryset(self):
        return (
            Incident.objects.select_related("district")
            .prefetch_related("buildings", "units")
            .annotate(order_count=Count("work_orders"))
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = create_incident(actor=self.request.user, **data)


class CategoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The category tree: top level with its leaves (active only)."""

    serializer_class = s.CategoryTreeSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        leaves = Category.objects.filter(active=True).order_by("sort", "code")
        return (
            Category.objects.filter(parent__isnull=True, active=True)
            .order_by("sort", "code")
            .prefetch_related(Prefetch("children", queryset=leaves))
        )
