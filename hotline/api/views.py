"""Hotline API: the caller screen (`hotline/lookup/`) and calls (`calls/`). Thin: parse, call the selector or
the service, serialize. Desk only (dispatchers, managers): others get 403."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api import Conflict
from residents.services import log_phone_views
from workorders.actions import TransitionNotAllowed
from workorders.api.pagination import EstimatedCountPagination

from ..filtersets import CallFilterSet
from ..permissions import CanRingAgent, IsDesk
from ..selectors import (
    SEARCH_MAX_LENGTH,
    LookupInputError,
    SearchInputError,
    caller_screen,
    calls_visible_to,
    search,
    with_call_relations,
)
from ..services import DuplicateFound, answer_call, hand_over_call, ring_agent, take_call
from .serializers import (
    AnswerSerializer,
    CallCreateSerializer,
    CallResultSerializer,
    CallSerializer,
    HandOverSerializer,
    LookupSerializer,
    OrderBriefSerializer,
    RingingResultSerializer,
    RingingSerializer,
    SearchSerializer,
)


class SearchViewSet(viewsets.ViewSet):
    """The navigation's search: an order number, a phone (whole or last 4 digits), an address or a name →
    `{orders, callers, rooms}`, each scoped to what the user may see (callers and rooms: the desk only)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                # The rule search() applies: something besides spaces, at most SEARCH_MAX_LENGTH characters.
                {"type": "string", "minLength": 1, "maxLength": SEARCH_MAX_LENGTH, "pattern": r"\S"},
                required=True,
                description="20261129-0007, 13800138000, 8000, 5-37-1-302 or a name (at most 100 characters)",
            )
        ],
        responses={200: SearchSerializer},
    )
    def list(self, request):
        try:
            results = search(user=request.user, query=request.query_params.get("q", ""))
        except SearchInputError as exc:
            return Response(
                {"detail": exc.message, "errors": {"q": [exc.message]}}, status=status.HTTP_400_BAD_REQUEST
            )
        log_phone_views(
            user=request.user, residents=results.callers, where="hotline.search_api", path=request.path
        )
        return Response(SearchSerializer(results, context={"request": request}).data)


class LookupViewSet(viewsets.ViewSet):
    """The caller screen: who calls, their homes, open and recent orders there, outages covering the
    buildings, recent calls. The phone system pops it from caller-ID."""

    permission_classes = [IsAuthenticated, IsDesk]

    @extend_schema(
        parameters=[
            OpenApiParameter("phone", OpenApiTypes.STR, description="caller number, e.g. 13800138000"),
            OpenApiParameter(
                "address", OpenApiTypes.STR, description="or an address, e.g. 5区37栋1单元302室"
            ),
        ],
        responses={200: LookupSerializer},
    )
    def list(self, request):
        phone = request.query_params.get("phone", "").strip()
        address = request.query_params.get("address", "").strip()
        try:
            screen = caller_screen(user=request.user, phone=phone or None, address=address or None)
        except LookupInputError as exc:
            return Response(
                {"detail": exc.message, "errors": {exc.field: [exc.message]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        log_phone_views(
            user=request.user, residents=screen.residents, where="hotline.lookup_api", path=request.path
        )
        context = {"request": request}
        data = {
            "phone": screen.phone,
            "address": screen.address,
            "known": screen.known,
            # An unknown number: offer to register the caller (POST residents/ with this phone).
            "register": None
            if screen.known
            else {
                "offer": True,
                "url": request.build_absolute_uri("/api/v1/residents/"),
                "phone": screen.phone,
            },
            "residents": screen.residents,
            "rooms": screen.rooms,
            "open_orders": screen.open_orders,
            "recent_orders": screen.recent_orders,
            "incidents": screen.incidents,
            "outages": screen.outages,
            "open_complaints": screen.open_complaints,
            "recent_calls": screen.recent_calls,
        }
        return Response(LookupSerializer(data, context=context).data)


class CallViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Calls taken at the desk. POST logs a call and does what it asks (a repair creates and dispatches the
    order; a reminder counts on the order; an inquiry records the answer) in one transaction."""

    permission_classes = [IsAuthenticated, IsDesk]
    pagination_class = EstimatedCountPagination  # 1.3 calls per order: the same million-row count
    serializer_class = CallSerializer
    filterset_class = CallFilterSet
    ordering_fields = ["started_at"]

    def get_queryset(self):
        return with_call_relations(calls_visible_to(self.request.user)).order_by("-started_at", "-id")

    @extend_schema(request=CallCreateSerializer, responses={201: CallResultSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CallCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        work_order = d.get("work_order")
        try:
            result = take_call(
                actor=request.user,
                call_type=d["call_type"],
                channel=d["channel"],
                phone=d["phone"],
                caller_name=d["caller_name"],
                summary=d["summary"],
                place=d.get("place"),
                category=d.get("category"),
                urgency=d.get("urgency") or None,
                crew=d.get("crew"),
                answer=d["answer"],
                subject=d["subject"],
                remind_order_id=work_order.id if work_order and d["call_type"] == "reminder" else None,
                work_order=work_order if d["call_type"] != "reminder" else None,
                incident=d.get("incident"),
                allow_duplicate=d["allow_duplicate"],
                started_at=d.get("started_at"),
            )
        except DuplicateFound as exc:
            duplicates = OrderBriefSerializer(exc.duplicates, many=True).data
            raise Conflict(str(exc), extra={"duplicates": duplicates}) from None
        except TransitionNotAllowed as exc:
            raise Conflict(exc.message) from None
        # The service's Call already holds its relations (taken_by, room, category, order, incident): no re-read.
        call = result.call
        body = {
            "call": CallSerializer(call, context={"request": request}).data,
            "work_order": OrderBriefSerializer(result.order).data if result.order else None,
            "complaint": result.complaint.pk if result.complaint else None,
            "praise": result.praise.pk if result.praise else None,
            "duplicates": OrderBriefSerializer(result.duplicates, many=True).data,
            "dispatched_to": result.dispatched_to.name if result.dispatched_to else None,
            "suggest_incident": result.suggest_incident,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=HandOverSerializer, responses={200: CallSerializer})
    @action(detail=True, methods=["post"], url_path="hand-over")
    def hand_over(self, request, pk=None):
        """首问负责: the call's current owner (or a manager) hands it to a named colleague (`to`: a login)."""
        call = self.get_object()
        serializer = HandOverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to = get_user_model().objects.filter(username=serializer.validated_data["to"]).first()
        if to is None:
            raise ValidationError(
                {"to": [_("No colleague has the login “%(u)s”.") % {"u": serializer.validated_data["to"]}]}
            )
        hand_over_call(
            actor=request.user, call_id=call.id, to_user=to, note=serializer.validated_data["note"]
        )
        call = self.get_queryset().get(pk=call.pk)
        return Response(CallSerializer(call, context={"request": request}).data)

    @extend_schema(request=AnswerSerializer, responses={200: CallSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The owner of a help request or suggestion records the answer the caller is told; the call closes."""
        call = self.get_object()
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer_call(actor=request.user, call_id=call.id, answer=serializer.validated_data["answer"])
        call = self.get_queryset().get(pk=call.pk)
        return Response(CallSerializer(call, context={"request": request}).data)


class RingingViewSet(viewsets.ViewSet):
    """The phone system announces a ringing call (CTI screen pop): `{phone, agent}` with the token of the CTI
    service account (`manage.py cti_account`); the agent's open intake page shows the caller. docs/cti.md."""

    permission_classes = [IsAuthenticated, CanRingAgent]

    @extend_schema(request=RingingSerializer, responses={202: RingingResultSerializer})
    def create(self, request):
        serializer = RingingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        pop = ring_agent(actor=request.user, phone=d["phone"], agent=d["agent"])
        body = {"id": pop.id, "agent": pop.agent.username, "phone": pop.phone}
        return Response(body, status=status.HTTP_202_ACCEPTED)
