"""Signing in and out of the API with a token (API.md v1.1): `auth/token/` issues one, `auth/logout/` ends it."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_out
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from config.api import AccountLocked

from .. import tokens

_LIFETIME = (
    "The token lasts `API_TOKEN_TTL_HOURS` (default 12) hours from now — `expiry` says until when — and ends "
    "earlier on `POST /api/v1/auth/logout/` with it, a password change, deactivation of the account, or an "
    "admin revoking it. Only a digest of the key is stored: the key is shown this once. "
    "An expired or revoked token is answered 401."
)


class TokenCredentialsSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs):
        user = authenticate(request=self.context["request"], **attrs)
        if user is None:  # wrong credentials, inactive, or locked by django-axes
            raise serializers.ValidationError(
                _("Unable to log in with provided credentials."), "authorization"
            )
        attrs["user"] = user
        return attrs


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The key: send it as `Authorization: Token <key>`.")
    expiry = serializers.DateTimeField(help_text="When the token ends (ISO 8601, Asia/Shanghai).")


class ObtainTokenView(APIView):
    """POST username + password → a new token. Anonymous callers are throttled per address (AnonRateThrottle)
    on top of django-axes' lock-out of the account at that address."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenCredentialsSerializer,
        responses={200: TokenSerializer},
        description=_LIFETIME
        + " Too many failed sign-ins lock the account at this address: 429 with the cool-off in Retry-After.",
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = TokenCredentialsSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            # django-axes marks the request when the account (at this address) is locked: say so, instead of
            # "wrong credentials" — the right password would not help either.
            if getattr(request, "axes_locked_out", False) or getattr(
                request._request, "axes_locked_out", False
            ):
                raise AccountLocked()
            raise exceptions.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        instance, key = tokens.issue_token(user)
        # No user_logged_in here: django-axes would reset the failures of every account at this address (its
        # reset on success goes by address too), letting a shared desk's colleague unlock a guessed account.
        return Response(TokenSerializer({"token": key, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """POST with the token in use → 204: that token ends; the user's other tokens and sessions go on."""

    @extend_schema(
        operation_id="auth_logout_create",
        request=None,
        responses={204: OpenApiResponse(description="The token used for this request is revoked.")},
        description=(
            "Ends the token this request is signed with (`Authorization: Token <key>`); the user's other tokens "
            "and browser sessions go on. A request signed in by a session, not a token, gets 400."
        ),
    )
    def post(self, request, *args, **kwargs):
        if not isinstance(request.auth, AuthToken):
            raise exceptions.ValidationError(
                {"non_field_errors": [_("This request carries no API token to log out of.")]}
            )
        tokens.revoke_token(request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
