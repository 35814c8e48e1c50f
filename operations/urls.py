from django.urls import path

from .views import hazards, outages, round_templates, rounds

app_name = "operations"

urlpatterns = [
    path("outages/", outages.outage_list, name="outage_list"),
    path("outages/new/", outages.outage_new, name="outage_new"),
    path("outages/affected/", outages.outage_affected, name="outage_affected"),
    path("outages/<int:pk>/", outages.outage_detail, name="outage_detail"),
    path("outages/<int:pk>/extend/", outages.outage_extend, name="outage_extend"),
    path("outages/<int:pk>/end/", outages.outage_end, name="outage_end"),
    path("rounds/", rounds.round_list, name="round_list"),
    path("rounds/templates/", round_templates.template_list, name="template_list"),
    path("rounds/templates/new/", round_templates.template_new, name="template_new"),
    path("rounds/templates/<int:pk>/", round_templates.template_edit, name="template_edit"),
    path("rounds/templates/<int:pk>/active/", round_templates.template_active, name="template_active"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/start/", rounds.round_start, name="round_start"),
    path("rounds/<int:pk>/record/", rounds.round_record, name="round_record"),
    path("rounds/<int:pk>/finish/", rounds.round_finish, name="round_finish"),
    path("rounds/<int:pk>/checks/<int:item_pk>/photo/", rounds.round_photo, name="round_photo"),
    path("hazards/", hazards.hazard_list, name="hazard_list"),
    path("hazards/new/", hazards.hazard_new, name="hazard_new"),
    path("hazards/places/", hazards.place_options, name="place_options"),
    path("hazards/<int:pk>/", hazards.hazard_detail, name="hazard_detail"),
    path("hazards/<int:pk>/photo/", hazards.hazard_photo, name="hazard_photo"),
]
