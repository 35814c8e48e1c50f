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
]
