from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from hotline import views as hotline_views
from operations.views import outages as operations_outages

admin.site.site_header = _("Baishitong administration")
admin.site.site_title = _("Baishitong")
admin.site.index_title = _("Master data and settings")

urlpatterns = [
    path("", hotline_views.home, name="home"),
    path("search/", hotline_views.search, name="search"),
    # Pages link the icon from static; this answers the browsers and tools that ask for /favicon.ico anyway.
    path(
        "favicon.ico",
        lambda request: HttpResponsePermanentRedirect(static_url("favicon.ico")),
        name="favicon",
    ),
    path("overview/", hotline_views.overview, name="overview"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("orders/", include("workorders.urls")),
    path("desk/", include("hotline.urls")),
    path("feedback/", include("feedback.urls")),
    path("ops/", include("operations.urls")),
    path("outages/", operations_outages.public_outages, name="outages_public"),
    path("imports/", include("crews.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_router")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
