from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from ..filtersets import BuildingFilterSet, FacilityFilterSet, ResidentFilterSet, RoomFilterSet, UnitFilterSet
from ..models import Building, District, Facility, Residency, Resident, Room, Unit
from ..selectors import AddressError, resolve_address
from ..services import log_phone_views
from .serializers import (
    BuildingSerializer,
    DistrictSerializer,
    FacilitySerializer,
    ResidentSerializer,
    ResolvedRoomSerializer,
    RoomSerializer,
    UnitSerializer,
)


class ViewModelPermissions(permissions.DjangoModelPermissions):
    """DjangoModelPermissions that also guards reading with the model's view permission."""

    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}
    perms_map["HEAD"] = perms_map["GET"]
    perms_map["OPTIONS"] = perms_map["GET"]


class DistrictViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = District.objects.order_by("number")
    serializer_class = DistrictSerializer


class BuildingViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Building.objects.order_by("district_id", "number")
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Unit.objects.order_by("building_id", "number")
    serializer_class = UnitSerializer
    filterset_class = UnitFilterSet


class RoomViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Room.objects.order_by("id")
    serializer_class = RoomSerializer
    filterset_class = RoomFilterSet

    @extend_schema(
        parameters=[
            OpenApiParameter("address", OpenApiTypes.STR, required=True, description="5区37栋1单元302室")
        ],
        responses={200: ResolvedRoomSerializer},
    )
    @action(detail=False, methods=["get"])
    def resolve(self, request):
        """The room an address names; 400 says which part did not match."""
        try:
            room = resolve_address(request.query_params.get("address", ""))
        except AddressError as exc:
            return Response(
                {"detail": exc.message, "errors": {exc.part: [exc.message]}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(ResolvedRoomSerializer(room).data)


class FacilityViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Facility.objects.order_by("district_id", "name")
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilterSet


class ResidentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Resident.objects.order_by("id").prefetch_related(
        Prefetch("residencies", queryset=Residency.objects.select_related("room"))
    )
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilterSet
    # Reading needs residents.view_resident (the desk, managers: crews see residents only on their orders);
    # registering a caller needs residents.add_resident (dispatchers).
    permission_classes = [permissions.IsAuthenticated, ViewModelPermissions]

    def _log(self, residents) -> None:
        log_phone_views(
            user=self.request.user, residents=residents, where="residents.api", path=self.request.path
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        self._log(page)
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        resident = self.get_object()
        data = self.get_serializer(resident).data
        self._log([resident])
        return Response(data)

    def perform_create(self, serializer) -> None:
        serializer.save()
        self._log([serializer.instance])
