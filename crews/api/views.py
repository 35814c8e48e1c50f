from rest_framework import viewsets

from ..filtersets import CrewFilterSet, WorkerFilterSet
from ..models import Crew, Worker
from .serializers import CrewSerializer, WorkerSerializer


class CrewViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Crew.objects.prefetch_related("districts").order_by("id")
    serializer_class = CrewSerializer
    filterset_class = CrewFilterSet


class WorkerViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Worker.objects.select_related("crew").order_by("id")
    serializer_class = WorkerSerializer
    filterset_class = WorkerFilterSet
