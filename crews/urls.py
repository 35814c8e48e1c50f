from django.urls import path

from . import views

app_name = "crews"

urlpatterns = [
    path("", views.import_list, name="imports"),
    path("<int:pk>/", views.import_detail, name="import"),
    path("<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("<int:pk>/resume/", views.import_resume, name="import-resume"),
    path("<int:pk>/errors.xlsx", views.import_errors, name="import-errors"),
    path("templates/<str:kind>.xlsx", views.import_template, name="import-template"),
    path("export/<str:kind>.xlsx", views.register_export, name="register-export"),
]
