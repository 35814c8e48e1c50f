"""Follow-ups and complaints over the API (shared/API.md); every write calls feedback.actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from config.api import Conflict
from crews.permissions import is_crew_leader

from .. import selectors
from ..actions.complaints import (
    ComplaintTransitionNotAllowed,
    close_complaint,
    investigate_complaint,
    register_complaint,
    resolve_complaint,
)
from ..actions.follow_ups import FollowUpClosed, record_attempt
from ..filtersets import ComplaintFilterSet, FollowUpFilterSet
from ..models import Complaint, FollowUpAttempt
from ..permissions import (
    CanReadSatisfaction,
    IsDesk,
    IsManager,
    can_handle_complaint,
    can_register_complaint,
    can_see_complainant,
)
from ..reports.assessment import current_weights, frozen_assessment, month_assessment
from ..reports.periods import FOLLOW_UP_GROUPS, PERIOD_KINDS, SLA_GROUPS, Period, parse_month, parse_period
from ..reports.satisfaction import satisfaction_report
from ..reports.sla import sla_report
from .serializers import (
    AssessmentReportSerializer,
    AttemptInputSerializer,
    AttemptSerializer,
    CloseSerializer,
    ComplaintCreateSerializer,
    ComplaintCrewSerializer,
    ComplaintSerializer,
    FollowUpSerializer,
    InvestigateSerializer,
    ResolveSerializer,
    SatisfactionReportSerializer,
    SlaReportSerializer,
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
            attempt = record_attempt(
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
        except FollowUpClosed as exc:
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
        complaint = register_complaint(actor=request.user, **data.validated_data)
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
        except ComplaintTransitionNotAllowed as exc:
            raise Conflict(exc.message) from None
        return self._out(complaint)

    @extend_schema(request=InvestigateSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        return self._step(investigate_complaint)

    @extend_schema(request=ResolveSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        return self._step(resolve_complaint)

    @extend_schema(request=CloseSerializer, responses={200: ComplaintSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(close_complaint)


# --- Reports (shared/API.md) -------------------------------------------------------------------------------

_PERIOD_PARAMS = [
    OpenApiParameter("period", str, enum=list(PERIOD_KINDS), description="Default month."),
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description="A day in the period (first day of a custom range)."
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day of a custom range (inclusive)."),
]


class _GroupedReportViewSet(viewsets.ViewSet):
    """A period report grouped by one of `groups` (crew unless `group_by` says otherwise), served as one
    object by `list`. A subclass names its report function, its groups and its serializer."""

    groups: ClassVar[dict]
    report: ClassVar[Callable[[Period, str], object]]
    serializer: ClassVar[type[serializers.Serializer]]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        group_by = OpenApiParameter("group_by", str, enum=list(cls.groups), description="Default crew.")
        extend_schema_view(
            list=extend_schema(parameters=[*_PERIOD_PARAMS, group_by], responses={200: cls.serializer})
        )(cls)

    def list(self, request):
        period = parse_period(request.query_params)
        report = type(self).report(period, request.query_params.get("group_by") or "crew")
        return Response(self.serializer(report).data)


class SatisfactionReportViewSet(_GroupedReportViewSet):
    """满意率 per group with raw counts, the 95% Wilson interval and the change against the previous period
    with its two-proportion z-test. Managers and the desk."""

    permission_classes = [CanReadSatisfaction]
    groups = FOLLOW_UP_GROUPS
    report = staticmethod(satisfaction_report)
    serializer = SatisfactionReportSerializer


class SlaReportViewSet(_GroupedReportViewSet):
    """On-time rates for response, arrival and completion (hold time excluded). Managers only."""

    permission_classes = [IsManager]
    groups = SLA_GROUPS
    report = staticmethod(sla_report)
    serializer = SlaReportSerializer


class AssessmentReportViewSet(viewsets.ViewSet):
    """The monthly assessment, ranked: live figures, or the frozen (published) ones. Managers only."""

    permission_classes = [IsManager]

    @extend_schema(
        parameters=[
            OpenApiParameter("month", str, description="YYYY-MM; default this month."),
            OpenApiParameter("level", str, enum=["crew", "worker"], description="Default crew."),
            OpenApiParameter(
                "figures",
                str,
                enum=["live", "frozen"],
                description="Default: frozen when the month is frozen.",
            ),
        ],
        responses={200: AssessmentReportSerializer},
    )
    def list(self, request):
        month = parse_month(request.query_params.get("month"))
        level = request.query_params.get("level") or "crew"
        figures = request.query_params.get("figures") or ""
        if figures not in ("", "live", "frozen"):
            raise ValidationError({"figures": ["live or frozen"]})
        live = month_assessment(month, level)  # validates the level
        frozen = frozen_assessment(month, level)
        use_frozen = frozen is not None and figures != "live"
        if figures == "frozen" and frozen is None:
            raise NotFound(_("This month has not been frozen."))
        data = {
            "month": f"{month:%Y-%m}",
            "level": level,
            "figures": "frozen" if use_frozen else "live",
            "frozen_at": frozen.snapshot.frozen_at if frozen else None,
            "weights": frozen.snapshot.weights if use_frozen else current_weights(),
            "rows": frozen.lines if use_frozen else live,
        }
        return Response(AssessmentReportSerializer(data).data)
