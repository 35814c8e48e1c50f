from django.urls import path

from . import report_views, views

app_name = "feedback"

urlpatterns = [
    path("", views.follow_up_queue, name="queue"),
    path("follow-ups/<int:pk>/", views.follow_up_detail, name="follow-up"),
    path("follow-ups/<int:pk>/complaint/", views.follow_up_to_complaint, name="follow-up-complaint"),
    path("follow-ups/<int:pk>/praise/", views.follow_up_to_praise, name="follow-up-praise"),
    path("r/<str:token>/", views.rate, name="rate"),
    path("complaints/", views.complaint_list, name="complaints"),
    path("complaints/new/", views.complaint_create, name="complaint-create"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("complaints/<int:pk>/<str:action>/", views.complaint_action, name="complaint-action"),
    path("alerts/<int:pk>/ack/", views.alert_acknowledge, name="alert-ack"),
    path("praise/", views.praise_list, name="praise"),
    path("inspections/", views.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", views.inspection_form, name="inspection"),
]

urlpatterns += [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/orders/", views.report_orders, name="report-orders"),
    path("reports/satisfaction/", views.report_satisfaction, name="report-satisfaction"),
    path("reports/sla/", views.report_sla, name="report-sla"),
    path("reports/volume/", views.report_volume, name="report-volume"),
    path("reports/rounds/", report_views.report_rounds, name="report-rounds"),
    path("reports/hazards/", report_views.report_hazards, name="report-hazards"),
    path("reports/outages/", report_views.report_outages, name="report-outages"),
    path("reports/infrastructure/", report_views.report_infrastructure, name="report-infrastructure"),
    path("assessments/", views.assessment, name="assessment"),
    path("assessments/weights/", views.assessment_weights, name="assessment-weights"),
    path("rewards/", views.reward_penalty_list, name="rewards"),
    path("exports/orders/", views.export_orders, name="export-orders"),
    path("exports/rooms/", views.export_room_options, name="export-room-options"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
]
