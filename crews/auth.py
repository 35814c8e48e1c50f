"""Loading the signed-in user with what every request asks about them, in one query.

Every page and endpoint asks who the user is (session or token), which roles they hold (`roles_of`) and,
for lists and the caller screen, whether they may see full phone numbers (`can_see_full_phone`). Django's
ModelBackend and DRF's TokenAuthentication load the user alone, and the two questions then cost a query each.
Here the user is read with one row per group (its name annotated) and the permission as an EXISTS, and both
answers are cached on the user object for the request."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from residents.selectors import full_phone_grants, remember_full_phone

from .permissions import remember_roles


def load_user(*, pk=None, token_key=None):
    """The user with this pk (or token key), with roles and the full-phone answer cached on it, or None."""
    User = get_user_model()
    if token_key is None:
        try:
            pk = User._meta.pk.to_python(pk)
        except (ValidationError, TypeError, ValueError):  # a session naming a pk of another type
            return None
        if pk is None:
            return None
        users = User.objects.filter(pk=pk)
    else:
        users = User.objects.filter(auth_token__key=token_key)
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
    """DRF's token authentication (`Authorization: Token <key>`), loading the user with roles in one query."""

    def authenticate_credentials(self, key):
        user = load_user(token_key=key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (user, Token(key=key, user=user))
