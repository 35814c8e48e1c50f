"""The third-party apps' labels as the admin shows them."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiTokensConfig(AppConfig):
    """django-rest-knox's tokens (crews.tokens), titled for the admin's index."""

    name = "knox"
    verbose_name = _("API tokens")
