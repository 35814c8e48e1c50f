"""API-wide conventions (shared/API.md): pagination, the error shape, and the schema hook that documents it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_schema_operation_parameters(self, view):
        """The bounds the paginator applies: pages count from 1 (past the last page is a 404), and a page holds
        1..max_page_size rows (a larger page_size is cut to the maximum)."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update(minimum=1)
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class AccountLocked(exceptions.Throttled):
    """429: too many failed sign-ins for this account at this address (django-axes); Retry-After is the
    cool-off."""

    def __init__(self) -> None:
        from django.conf import settings

        seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
        super().__init__(
            wait=seconds,
            detail=_(
                "This account is locked for %(minutes)s minutes after too many failed sign-ins. "
                "Wait, or ask a manager to unlock it."
            )
            % {"minutes": seconds // 60},
        )


class Conflict(exceptions.APIException):
    """409: the order's current state does not allow this change."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This change is not allowed in the current state."
    default_code = "conflict"

    def __init__(self, detail=None, code=None, *, extra: dict | None = None) -> None:
        super().__init__(detail, code)
        self.extra = extra or {}  # more keys of the 409 body (a likely duplicate's `duplicates`)


def _flatten(detail: Any, prefix: str = "") -> Any:
    """Field errors as {field: [messages]}; nested ones (a list of materials) under dotted keys, so every value is
    a list of strings as the schema says: {"materials.0.quantity": ["…"]}."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            # A list's own error (too many rows) is the list field's: `materials`, not `materials.non_field_errors`.
            name = (
                prefix if prefix and key == "non_field_errors" else f"{prefix}.{key}" if prefix else str(key)
            )
            inner = _flatten(value, name)
            if isinstance(inner, dict):
                flat.update(inner)
            else:
                flat[name] = inner
        return flat
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            return _flatten({str(i): item for i, item in enumerate(detail) if item}, prefix)
        return [str(item) for item in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Errors as `{detail, errors}`; Django's own ValidationError and PermissionDenied map like DRF's."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        if not isinstance(errors, dict):
            errors = {"non_field_errors": errors}
        first = next(iter(errors.values()), [""])
        first_msg = first[0] if isinstance(first, list) and first else str(first)
        response.data = {"detail": str(first_msg) or _("Invalid input."), "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"]), **getattr(exc, "extra", {})}
    return response


_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
    },
    "required": ["detail"],
}


def document_error_responses(result: dict, generator: Any, request: Any, public: bool) -> dict:
    """Every operation may answer 400/401/403/404 (and POSTs 409) in the shared error shape, 429 when the
    user's throttle is spent and 503 while the database is unreachable (config.middleware); GETs 414 for a
    URL longer than the server accepts."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = ["400", "401", "403", "404", "429", "503"] + (["409"] if method == "post" else [])
            for code in codes:
                operation["responses"].setdefault(
                    code,
                    {"description": "Error", "content": {"application/json": {"schema": ref}}},
                )
            # gunicorn refuses a request line over its limit before Django sees it (a plain page, no body shape).
            if method == "get":
                operation["responses"].setdefault("414", {"description": "Request line (URL) too long"})
            # The proxy (nginx client_max_body_size) refuses a body over its limit before Django sees it.
            if method in ("post", "put", "patch"):
                operation["responses"].setdefault("413", {"description": "Request body too large"})
    return result
