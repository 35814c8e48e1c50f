"""Project-wide middleware: a database that is down or restarting answers 503, not 500."""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


class DatabaseUnavailableMiddleware:
    """A view that fails because PostgreSQL is unreachable (restart, failover, too many connections) gets a
    clear 503 with Retry-After: a Chinese page for browsers, `{detail}` JSON under /api/. Django closes the broken
    connection when the request ends (errors_occurred), and CONN_HEALTH_CHECKS makes the next request reconnect.
    The 503 page is rendered without the request's context processors, which would query the database."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
        message = _("The service is busy or restarting. Please try again in a few seconds.")
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class ApiErrorsAsJsonMiddleware:
    """Under /api/v1/ every error is `{detail}` JSON (shared/API.md), also those Django answers before DRF is
    reached: a path no route matches (`/api/v1/work-orders/0.5/`) would otherwise get the HTML 404 page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/v1/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            messages = {404: _("Not found."), 405: _("Method not allowed.")}
            detail = messages.get(response.status_code, response.reason_phrase)
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response
