"""/api/v1/outages/: list and plan (leaders of the system's crew and managers), extend, end, notices."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.api import Conflict

from .. import selectors, services
from ..filtersets import OutageFilterSet
from ..permissions import can_plan_outage, can_run_outage, can_see_outages
from . import serializers as s


class CanSeeOutages(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return can_see_outages(request.user)


@extend_schema_view(
    list=extend_schema(summary="Outages (planned and sudden), filtered by system, kind, state and district"),
    retrieve=extend_schema(summary="One outage"),
    create=extend_schema(summary="Plan an outage; answers with its state and the count of affected homes"),
)
class OutageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
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

    def handle_exception(self, exc):
        if isinstance(exc, services.OutageConflict):
            exc = Conflict(exc.message)
        return super().handle_exception(exc)

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
