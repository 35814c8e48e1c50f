"""Loading the signed-in user with what every request asks about them, in one query.

Every page and endpoint asks who the user is (session or token), which roles they hold (`roles_of`) and,
for lists and the caller screen, whether they may see full phone numbers (`can_see_full_phone`). Django's
ModelBackend and knox's TokenAuthentication load the user alone (knox also reads all the user's tokens), and the
two questions then cost a query each. Here the user is read with one row per group (its name annotated) and the
permission as an EXISTS — for a token, found by the key's digest, with the token's expiry — and both answers are
cached on the user object for the request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from knox.settings import CONSTANTS
from rest_framework import exceptions

from residents.selectors import full_phone_grants, remember_full_phone

from .permissions import remember_roles


def load_user(*, pk=None, token_digest=None):
    """The user with this pk (or owning the token with this digest), with roles and the full-phone answer cached
    on it, or None. Found by a token, `bst_token_expiry` is that token's expiry."""
    User = get_user_model()
    if token_digest is None:
        try:
            pk = User._meta.pk.to_python(pk)
        except (ValidationError, TypeError, ValueError):  # a session naming a pk of another type
            return None
        if pk is None:
            return None
        users = User.objects.filter(pk=pk)
    else:
        # filter() then annotate() on the same relation: one join, so the expiry is this token's.
        users = User.objects.filter(auth_token_set__digest=token_digest).annotate(
            bst_token_expiry=F("auth_token_set__expiry")
        )
    rows = list(
        users.annotate(bst_role=F("groups__name"), bst_full_phone=Exists(full_phone_grants(OuterRef("pk"))))
    )
    if not rows:
        return None
    user = rows[0]
    remember_roles(user, {row.bst_role for row in rows if row.bst_role})
    remember_full_phone(user, rows[0].bst_full_phone)
    return user


class RoleModelBackend(ModelBackend):
    """ModelBackend (passwords, permissions, inactive users refused) whose `get_user` — called on every
    request with a session — also loads the roles and the full-phone permission in the same query."""

    def get_user(self, user_id):
        user = load_user(pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class RoleTokenAuthentication(TokenAuthentication):
    """knox's token authentication (`Authorization: Token <key>`; only the key's SHA-512 digest is stored),
    loading the user with roles and the token's expiry in one query. An expired token is deleted and answered
    401 with its own message."""

    def authenticate_credentials(self, token: bytes):
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            key = ""
        from .tokens import MAX_KEY_LENGTH, digest_of

        if not key or len(key) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        digest = digest_of(key)
        user = load_user(token_digest=digest)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        expiry = user.bst_token_expiry
        if expiry is not None and expiry <= timezone.now():
            AuthToken.objects.filter(digest=digest).delete()
            raise exceptions.AuthenticationFailed(_("Token expired: sign in again for a new one."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (
            user,
            AuthToken(digest=digest, token_key=key[: CONSTANTS.TOKEN_KEY_LENGTH], user=user, expiry=expiry),
        )


class RoleTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for the token, saying how long it lasts and how it ends."""

    target_class = "crews.auth.RoleTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        from .tokens import default_lifetime

        hours = int(default_lifetime().total_seconds() // 3600)
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Token <key>`, the key from `POST /api/v1/auth/token/`. A token lasts "
                f"{hours} hours on this server (API_TOKEN_TTL_HOURS; the answer's `expiry` says when it ends), "
                "and ends earlier on `POST /api/v1/auth/logout/`, a password change or deactivation. "
                "An expired or revoked token is answered 401."
            ),
        }
