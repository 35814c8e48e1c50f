"""API tokens (API.md v1.1): django-rest-knox tokens, kept as a SHA-512 digest only, with a lifetime.

A token ends when its lifetime runs out (`API_TOKEN_TTL_HOURS`, or the lifetime it was issued with), when its
owner logs out with it, when an admin deletes it (admin: 百事通 → API 令牌), and — every token of the user at
once — when the user's password changes or the account is deactivated (the receivers below, connected in
crews.apps). The key itself is shown once, when issued, and is never stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from knox.settings import knox_settings

# A key is 64 hex characters (knox); keys issued before knox (rest_framework.authtoken) are 40.
MAX_KEY_LENGTH = 128


def default_lifetime() -> timedelta:
    return knox_settings.TOKEN_TTL


def issue_token(user, *, lifetime: timedelta | None = None) -> tuple[AuthToken, str]:
    """A new token for the user: (the stored row, the key to hand out once). The user's expired tokens go."""
    now = timezone.now()
    AuthToken.objects.filter(user=user, expiry__lte=now).delete()
    return AuthToken.objects.create(user=user, expiry=lifetime or default_lifetime())


def digest_of(key: str) -> str:
    return hash_token(key)


def revoke_token(token: AuthToken) -> None:
    """End this one token (logout): the user's other tokens and sessions go on."""
    AuthToken.objects.filter(digest=token.digest).delete()


def revoke_all_tokens(user) -> int:
    """End every API token of the user; the number ended."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


# --- A password change or a deactivation ends every token of the user ---
# `save()` is what Django's password forms, the admin, set_password()+save() and the imports call. A bulk
# `QuerySet.update(is_active=False)` bypasses signals: the token authentication refuses inactive users anyway.


def remember_credentials(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of the user: note whether this save changes the password or deactivates the account."""
    instance._bst_end_tokens = False
    if raw or instance.pk is None:
        return
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. last_login on every sign-in: no need to look
    before = get_user_model().objects.filter(pk=instance.pk).values_list("password", "is_active").first()
    if before is None:
        return
    password, was_active = before
    instance._bst_end_tokens = password != instance.password or (was_active and not instance.is_active)


def end_tokens_on_credential_change(sender, instance, raw=False, **kwargs) -> None:
    """post_save of the user: in the same transaction as the change, so neither happens without the other."""
    if getattr(instance, "_bst_end_tokens", False):
        instance._bst_end_tokens = False
        revoke_all_tokens(instance)
