"""The /api/v1/ router: each app registers its viewsets here (config is the one place that knows all apps)."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from crews.api.tokens import LogoutView, ObtainTokenView
from crews.api.views import CrewViewSet, ImportJobViewSet, WorkerViewSet
from feedback.api.views import (
    AssessmentReportViewSet,
    ComplaintViewSet,
    FollowUpViewSet,
    SatisfactionReportViewSet,
    SlaReportViewSet,
)
from hotline.api.views import CallViewSet, LookupViewSet, RingingViewSet, SearchViewSet
from operations.api.views import HazardViewSet, OutageViewSet, RoundTemplateViewSet, RoundViewSet
from residents.api.views import (
    BuildingViewSet,
    DistrictViewSet,
    FacilityViewSet,
    ResidentViewSet,
    RoomViewSet,
    UnitViewSet,
)
from workorders.api.views import CategoryViewSet, IncidentViewSet, WorkOrderViewSet

router = DefaultRouter(trailing_slash=True)
router.register("districts", DistrictViewSet, basename="district")
router.register("buildings", BuildingViewSet, basename="building")
router.register("units", UnitViewSet, basename="unit")
router.register("rooms", RoomViewSet, basename="room")
router.register("facilities", FacilityViewSet, basename="facility")
router.register("residents", ResidentViewSet, basename="resident")
router.register("crews", CrewViewSet, basename="crew")
router.register("workers", WorkerViewSet, basename="worker")
router.register("imports", ImportJobViewSet, basename="import")
router.register("work-orders", WorkOrderViewSet, basename="work-order")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("outages", OutageViewSet, basename="outage")
router.register("round-templates", RoundTemplateViewSet, basename="round-template")
router.register("rounds", RoundViewSet, basename="round")
router.register("hazards", HazardViewSet, basename="hazard")
router.register("categories", CategoryViewSet, basename="category")
router.register("hotline/lookup", LookupViewSet, basename="hotline-lookup")
router.register("calls", CallViewSet, basename="call")
router.register("search", SearchViewSet, basename="search")
router.register("cti/ringing", RingingViewSet, basename="cti-ringing")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("complaints", ComplaintViewSet, basename="complaint")
router.register("reports/satisfaction", SatisfactionReportViewSet, basename="report-satisfaction")
router.register("reports/sla", SlaReportViewSet, basename="report-sla")
router.register("reports/assessments", AssessmentReportViewSet, basename="report-assessment")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("", include(router.urls)),
]
