"""/api/v1/outages/: list and plan (leaders of the system's crew and managers), extend, end, notices."""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.api import Conflict
from crews.permissions import is_manager, is_staff_member
from workorders.api.pagination import EstimatedCountPagination

from .. import selectors, services
from ..actions import hazards, rounds
from ..filtersets import HazardFilterSet, OutageFilterSet, RoundFilterSet
from ..models import Hazard, RoundItem
from ..permissions import can_plan_outage, can_run_outage, can_see_outages
from . import serializers as s


class ConflictAs409:
    """A viewset mixin: a service's Conflict (the record's state does not allow the move) answers 409."""

    def handle_exception(self, exc):
        if isinstance(exc, services.Conflict):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)


class CanSeeOutages(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_see_outages(request.user)


@extend_schema_view(
    list=extend_schema(summary="Outages (planned and sudden), filtered by system, kind, state and district"),
    retrieve=extend_schema(summary="One outage"),
    create=extend_schema(summary="Plan an outage; answers with its state and the count of affected homes"),
)
class OutageViewSet(
    ConflictAs409,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.OutageSerializer
    filterset_class = OutageFilterSet
    permission_classes = [permissions.IsAuthenticated, CanSeeOutages]
    ordering_fields = ["starts_at", "created_at"]
    ordering = ["-starts_at"]

    def get_queryset(self):
        return selectors.outages_visible_to(self.request.user).order_by("-starts_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def create(self, request, *args, **kwargs):
        if not can_plan_outage(request.user):
            raise PermissionDenied(_("Only managers and leaders of the system's crew may plan outages."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        incident = services.plan_outage(actor=request.user, **serializer.validated_data)
        return Response(self._one(incident.pk), status=status.HTTP_201_CREATED)

    def _one(self, pk: int) -> dict:
        incident = get_object_or_404(self.get_queryset(), pk=pk)
        return s.OutageSerializer(incident, context=self.get_serializer_context()).data

    @extend_schema(
        request=s.OutageExtendSerializer,
        responses={200: s.OutageSerializer, 409: OpenApiResponse(description="the outage has ended")},
        summary="A new expected end; one notice per phone in scope",
    )
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        incident = self.get_object()
        if not can_run_outage(request.user, incident):
            raise PermissionDenied(_("You may not change this outage."))
        body = s.OutageExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.extend_outage(actor=request.user, incident_id=incident.pk, **body.validated_data)
        return Response(self._one(incident.pk))

    @extend_schema(
        request=None,
        responses={200: s.OutageSerializer, 409: OpenApiResponse(description="already ended")},
        summary="End (restore) the outage; the restored notice is queued once",
    )
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        incident = self.get_object()
        services.end_outage(actor=request.user, incident_id=incident.pk)
        return Response(self._one(incident.pk))

    @extend_schema(responses={200: s.NoticeProgressSerializer}, summary="Notice progress by event")
    @action(detail=True, methods=["get"])
    def notices(self, request, pk=None):
        incident = self.get_object()
        return Response(s.NoticeProgressSerializer(selectors.notice_progress(incident)).data)


# --- Rounds and hazards -----------------------------------------------------------------------------------


class CanUseRounds(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return is_staff_member(request.user)


@extend_schema_view(
    list=extend_schema(summary="Round templates (managers: all; a crew: its own)"),
    create=extend_schema(summary="Define a round template (managers only)"),
)
class RoundTemplateViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RoundTemplateSerializer
    permission_classes = [permissions.IsAuthenticated, CanUseRounds]

    def get_queryset(self):
        return selectors.round_templates_visible_to(self.request.user).order_by("crew_id", "name", "id")

    def create(self, request, *args, **kwargs):
        if not is_manager(request.user):
            raise PermissionDenied(_("Only managers define rounds."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data["items"] = [dict(item) for item in data["items"]]
        template = rounds.create_round_template(actor=request.user, **data)
        return Response(
            s.RoundTemplateSerializer(self.get_queryset().get(pk=template.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(summary="Generated rounds of the user's crew (managers: all)"),
    retrieve=extend_schema(summary="One round with its checks"),
)
class RoundViewSet(ConflictAs409, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RoundSerializer
    filterset_class = RoundFilterSet
    permission_classes = [permissions.IsAuthenticated, CanUseRounds]

    def get_queryset(self):
        items = RoundItem.objects.select_related("facility", "building").order_by("position", "id")
        return (
            selectors.rounds_visible_to(self.request.user)
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-due_at", "-id")
        )

    def _one(self, pk: int) -> dict:
        return s.RoundSerializer(self.get_queryset().get(pk=pk), context=self.get_serializer_context()).data

    @extend_schema(request=None, responses={200: s.RoundSerializer}, summary="Start the round")
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        round_ = self.get_object()
        rounds.start_round(actor=request.user, round_id=round_.pk)
        return Response(self._one(round_.pk))

    @extend_schema(
        request=s.RecordSerializer,
        responses={201: s.RecordResultSerializer, 409: OpenApiResponse(description="the round is finished")},
        summary="Record one check; a reading out of range or a failed check registers a hazard",
    )
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        round_ = self.get_object()
        body = s.RecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        item, hazard = rounds.record_check(
            actor=request.user,
            round_id=round_.pk,
            item_id=data["item"],
            passed=data.get("passed"),
            value=data.get("value"),
            note=data.get("note", ""),
            photo=data.get("photo"),
        )
        return Response(
            {
                "item": s.RoundItemSerializer(item, context=self.get_serializer_context()).data,
                "hazard": hazard.pk if hazard else None,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={200: s.RoundSerializer}, summary="Finish the round")
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        round_ = self.get_object()
        rounds.finish_round(actor=request.user, round_id=round_.pk)
        return Response(self._one(round_.pk))


@extend_schema_view(
    list=extend_schema(summary="The hazard register (a crew sees its own hazards)"),
    retrieve=extend_schema(summary="One hazard"),
    create=extend_schema(summary="Report a hazard"),
)
class HazardViewSet(
    ConflictAs409,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.HazardSerializer
    filterset_class = HazardFilterSet
    pagination_class = EstimatedCountPagination
    permission_classes = [permissions.IsAuthenticated, CanUseRounds]
    ordering_fields = ["found_at", "due_at"]

    def get_queryset(self):
        # The answer names the district and crew by id: only the place (its label) and the round check (its
        # photo) are joined. Each join of the pages' selector costs the planner more than the page itself.
        return (
            selectors.hazards_visible_to(self.request.user)
            .select_related(None)
            .select_related("room", "building", "facility", "round_item")
            .order_by("-found_at", "-id")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        hazard = hazards.report_hazard(actor=request.user, **serializer.validated_data)
        return Response(self._one(hazard.pk), status=status.HTTP_201_CREATED)

    def _one(self, pk: int) -> dict:
        hazard = self.get_queryset().filter(pk=pk).first()
        if hazard is None:  # reported for another crew: the reporter gets the row as written
            hazard = get_object_or_404(
                Hazard.objects.select_related("room", "building", "facility", "round_item"), pk=pk
            )
        return s.HazardSerializer(hazard, context=self.get_serializer_context()).data

    def _move(self, call) -> Response:
        hazard = self.get_object()
        body = s.HazardNoteSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        call(actor=self.request.user, hazard_id=hazard.pk, note=body.validated_data["note"])
        return Response(self._one(hazard.pk))

    @extend_schema(request=s.HazardNoteSerializer, responses={200: s.HazardSerializer})
    @action(detail=True, methods=["post"], url_path="start-rectifying")
    def start_rectifying(self, request, pk=None):
        return self._move(hazards.start_rectifying)

    @extend_schema(request=s.HazardNoteSerializer, responses={200: s.HazardSerializer})
    @action(detail=True, methods=["post"], url_path="mark-rectified")
    def mark_rectified(self, request, pk=None):
        return self._move(hazards.mark_rectified)

    @extend_schema(
        request=s.HazardNoteSerializer,
        responses={200: s.HazardSerializer, 403: OpenApiResponse(description="the fixer may not verify")},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        return self._move(hazards.verify_hazard)

    @extend_schema(request=s.HazardNoteSerializer, responses={201: s.ToWorkOrderResultSerializer})
    @action(detail=True, methods=["post"], url_path="to-work-order")
    def to_work_order(self, request, pk=None):
        hazard = self.get_object()
        body = s.HazardNoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        hazard = hazards.hazard_to_work_order(
            actor=request.user, hazard_id=hazard.pk, note=body.validated_data["note"]
        )
        order = hazard.work_order
        return Response(
            {"work_order": {"id": order.pk, "number": order.number}}, status=status.HTTP_201_CREATED
        )
