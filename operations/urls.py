from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("outages/", views.outage_list, name="outage_list"),
    path("outages/new/", views.outage_new, name="outage_new"),
    path("outages/affected/", views.outage_affected, name="outage_affected"),
    path("outages/<int:pk>/", views.outage_detail, name="outage_detail"),
    path("outages/<int:pk>/extend/", views.outage_extend, name="outage_extend"),
    path("outages/<int:pk>/end/", views.outage_end, name="outage_end"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/start/", views.round_start, name="round_start"),
    path("rounds/<int:pk>/record/", views.round_record, name="round_record"),
    path("rounds/<int:pk>/finish/", views.round_finish, name="round_finish"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/<int:pk>/", views.hazard_detail, name="hazard_detail"),
]
