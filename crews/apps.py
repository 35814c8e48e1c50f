from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_groups(sender, **kwargs) -> None:
    from .services import sync_role_groups

    sync_role_groups()


class CrewsConfig(AppConfig):
    name = "crews"
    verbose_name = _("Crews and staff")

    def ready(self) -> None:
        # After the last app's migrate, so every app's permissions exist; dispatch_uid keeps it to one run.
        post_migrate.connect(_sync_groups, dispatch_uid="crews.sync_role_groups")
        # A password change or a deactivation ends every API token of the user (crews.tokens).
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_save, pre_save

        from .tokens import end_tokens_on_credential_change, remember_credentials

        User = get_user_model()
        pre_save.connect(remember_credentials, sender=User, dispatch_uid="crews.tokens.remember")
        post_save.connect(end_tokens_on_credential_change, sender=User, dispatch_uid="crews.tokens.end")
