"""Follow-ups and complaints over the API (shared/API.md); every write calls feedback.services."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from config.api import Conflict
from crews.permissions import is_crew_leader

from .. import selectors, services
from ..filtersets import ComplaintFilterSet, FollowUpFilterSet
from ..models import Complaint, FollowUpAttempt
from ..permissions import IsDesk, can_handle_complaint, can_register_complaint, can_see_complainant
from .serializers import (
    AttemptInputSerializer,
    AttemptSerializer,
    CloseSerializer,
    ComplaintCreateSerializer,
    ComplaintCrewSerializer,
    ComplaintSerializer,
    FollowUpSerializer,
    InvestigateSerializer,
    ResolveSerializer,
)


class FollowUpViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    permission_classes = [IsDesk]
    ordering_fields = ["due_at", "id"]

    def get_queryset(self):
        return (
            selectors.with_follow_up_relations(selectors.follow_ups_visible_to(self.request.user))
            .prefetch_related(Prefetch("attempts", queryset=FollowUpAttempt.objects.order_by("at", "id")))
            .order_by("-is_emergency", "due_at", "id")
        )

    @extend_schema(request=AttemptInputSerializer, responses={201: AttemptSerializer})
    @action(detail=True, methods=["post"])
    def attempts(self, request, pk=None):
        follow_up = self.get_object()
        data = AttemptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            attempt = services.record_attempt(
                actor=request.user,
                follow_up_id=follow_up.pk,
                outcome=d["outcome"],
                resolved=d["resolved"],
                ratings=d.get("ratings"),
                seen=d.get("seen"),
                fee_fair=d["fee_fair"],
                verdict=d["verdict"],
                comment=d["comment"],
            )
        except services.FollowUpClosed as exc:
            raise Conflict(exc.message) from None
        return Response(AttemptSerializer(attempt).data, status=status.HTTP_201_CREATED)


class ComplaintViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = ComplaintFilterSet
    ordering_fields = ["received_at", "id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Complaint.objects.none()
        user = self.request.user
        if not (can_see_complainant(user) or is_crew_leader(user)):
            raise PermissionDenied()
        return selectors.with_complaint_relations(selectors.complaints_visible_to(user)).order_by(
            "-received_at", "-id"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return ComplaintCreateSerializer
        if self.action == "investigate":
            return InvestigateSerializer
        if self.action == "resolve":
            return ResolveSerializer
        if self.action == "close":
            return CloseSerializer
        if getattr(self, "swagger_fake_view", False) or can_see_complainant(self.request.user):
            return ComplaintSerializer
        return ComplaintCrewSerializer

    def _out(self, complaint, code=status.HTTP_200_OK) -> Response:
        complaint = selectors.with_complaint_relations(
            selectors.complaints_visible_to(self.request.user)
        ).get(pk=complaint.pk)
        return Response(ComplaintSerializer(complaint).data, status=code)

    @extend_schema(request=ComplaintCreateSerializer, responses={201: ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        # Who may register is checked before the input, so a crew member gets 403, not a list of field errors.
        if not can_register_complaint(request.user):
            raise PermissionDenied()
        data = ComplaintCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = services.register_complaint(actor=request.user, **data.validated_data)
        return self._out(complaint, status.HTTP_201_CREATED)

    def _step(self, fn, **kwargs):
        complaint = self.get_object()
        if not can_handle_complaint(self.request.user):
            raise PermissionDenied()
        data = self.get_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        try:
            complaint = fn(
                actor=self.request.user, complaint_id=complaint.pk, **data.validated_data, **kwargs
            )
        except services.ComplaintTransitionNotAllowed as exc:
            raise Conflict(exc.message) from None
        return self._out(complaint)

    @extend_schema(request=InvestigateSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        return self._step(services.investigate_complaint)

    @extend_schema(request=ResolveSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._step(services.resolve_complaint)

    @extend_schema(request=CloseSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(services.close_complaint)
