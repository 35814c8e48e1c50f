"""Work-order endpoints (shared/API.md): thin — parse, call one service, answer with the order.

Every read goes through `work_orders_visible_to`, so an order the user may not see is a 404 for the detail,
the timeline and every action alike. Service errors map to HTTP: TransitionNotAllowed → 409, PermissionDenied
→ 403, ValidationError → 400 (config.api)."""

from __future__ import annotations

from collections.abc import Callable

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
from ..actions.closing import cancel_order, close_order, rework_order
from ..actions.dispatching import assign_order, dispatch_order, hand_back_order, transfer_order
from ..actions.escalation import remind_order, supervise_order
from ..actions.field_work import (
    accept_order,
    arrive_order,
    complete_order,
    extend_deadline,
    hold_order,
    refuse_hold,
    request_extension,
    request_hold,
    resume_order,
)
from ..actions.incidents import create_incident
from ..actions.intake import create_order
from ..filtersets import IncidentFilterSet, WorkOrderFilterSet
from ..models import Category, Incident, WorkOrder, WorkOrderEvent
from ..permissions import CanCreateOrder, can_see_full_phone
from ..selectors import with_list_relations, work_orders_visible_to
from . import serializers as s
from .pagination import EstimatedCountPagination

ORDERING_FIELDS = ["created_at", "due_at", "number", "urgency", "status", "remind_count", "completed_at"]


def _action(request_serializer, summary: str, **extra):
    """Schema for a state-change action: its body, and the order back."""
    return extend_schema(
        request=request_serializer,
        responses={200: s.WorkOrderDetailSerializer, 409: OpenApiResponse(description="not allowed now")},
        summary=summary,
        **extra,
    )


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
            # The columns of a list row only, and no district join (the row gives its id): PostgreSQL planned
            # the six-table, 60-column query in ~6 ms and runs it in ~1 ms; this one plans in ~1.2 ms. Rows
            # come as dicts, not model instances (−1.3 ms on a 50-row page; bench/README.md).
            # tests/workorders/test_speed.py compares them with DRF's own.
            return work_orders_visible_to(self.request.user).values(*s.LIST_VALUES)
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

    def _move(self, serializer_class, call: Callable[..., object]) -> Response:
        order = self.get_object()  # 404 unless visible
        data = {}
        if serializer_class is not None:
            serializer = serializer_class(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        call(actor=self.request.user, order_id=order.pk, **data)
        return self._answer(order.pk)

    def create(self, request, *args, **kwargs):
        serializer = s.WorkOrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = create_order(actor=request.user, **serializer.validated_data)
        return self._answer(order.pk, status.HTTP_201_CREATED)

    @extend_schema(responses=s.WorkOrderEventSerializer(many=True), summary="The order's timeline")
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request, pk=None):
        order = self.get_object()
        events = WorkOrderEvent.objects.filter(order=order).select_related("actor").order_by("at", "id")
        return Response(s.WorkOrderEventSerializer(events, many=True).data)

    @_action(s.DispatchSerializer, "Dispatch to a crew (received → dispatched)")
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch", filterset_class=None)
    def dispatch_to_crew(self, request, pk=None):
        # Not named `dispatch`: that is APIView's own request entry point.
        return self._move(s.DispatchSerializer, dispatch_order)

    @_action(s.AssignSerializer, "Name the worker (dispatched → assigned)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def assign(self, request, pk=None):
        return self._move(s.AssignSerializer, assign_order)

    @_action(None, "The assigned worker accepts (assigned → accepted)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def accept(self, request, pk=None):
        return self._move(None, accept_order)

    @_action(None, "The worker is on site (accepted → on_site)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def arrive(self, request, pk=None):
        return self._move(None, arrive_order)

    @_action(s.RequestHoldSerializer, "The worker asks to put the order on hold")
    @action(detail=True, methods=["post"], url_path="request-hold", filterset_class=None)
    def request_hold(self, request, pk=None):
        return self._move(s.RequestHoldSerializer, request_hold)

    @_action(s.NoteSerializer, "The leader refuses the hold request")
    @action(detail=True, methods=["post"], url_path="refuse-hold", filterset_class=None)
    def refuse_hold(self, request, pk=None):
        return self._move(s.NoteSerializer, refuse_hold)

    @_action(s.HoldSerializer, "Put on hold (the SLA clock pauses)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def hold(self, request, pk=None):
        return self._move(s.HoldSerializer, hold_order)

    @_action(s.NoteSerializer, "Resume (deadlines move by the time on hold)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def resume(self, request, pk=None):
        return self._move(s.NoteSerializer, resume_order)

    @_action(s.CompleteSerializer, "Complete with the 六个一 checklist, materials and fee")
    @action(detail=True, methods=["post"], filterset_class=None)
    def complete(self, request, pk=None):
        return self._move(s.CompleteSerializer, complete_order)

    @_action(s.NoteSerializer, "Close (已办结)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def close(self, request, pk=None):
        return self._move(s.NoteSerializer, close_order)

    @_action(s.CancelSerializer, "Cancel (已撤销) with a reason")
    @action(detail=True, methods=["post"], filterset_class=None)
    def cancel(self, request, pk=None):
        return self._move(s.CancelSerializer, cancel_order)

    @_action(s.HandBackSerializer, "Hand back to the desk (退单)")
    @action(detail=True, methods=["post"], url_path="hand-back", filterset_class=None)
    def hand_back(self, request, pk=None):
        return self._move(s.HandBackSerializer, hand_back_order)

    @_action(s.TransferSerializer, "Transfer (转派) to a crew or a worker")
    @action(detail=True, methods=["post"], filterset_class=None)
    def transfer(self, request, pk=None):
        return self._move(s.TransferSerializer, transfer_order)

    @_action(s.NoteSerializer, "The resident called again (催单)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def remind(self, request, pk=None):
        return self._move(s.NoteSerializer, remind_order)

    @_action(s.RequiredNoteSerializer, "Supervise (督办)")
    @action(detail=True, methods=["post"], filterset_class=None)
    def supervise(self, request, pk=None):
        return self._move(s.RequiredNoteSerializer, supervise_order)

    @_action(s.ReasonSerializer, "Rework (返修): back to dispatched, flagged")
    @action(detail=True, methods=["post"], filterset_class=None)
    def rework(self, request, pk=None):
        return self._move(s.ReasonSerializer, rework_order)

    @_action(s.ExtensionRequestSerializer, "Ask for more time on a planned job")
    @action(detail=True, methods=["post"], url_path="request-extension", filterset_class=None)
    def request_extension(self, request, pk=None):
        return self._move(s.ExtensionRequestSerializer, request_extension)

    @_action(s.NoteSerializer, "Approve the requested extension")
    @action(detail=True, methods=["post"], filterset_class=None)
    def extend(self, request, pk=None):
        return self._move(s.NoteSerializer, extend_deadline)

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
