"""Sending stored files (order photos, exports) after the permission check, never from a public path.

Every file the app gives out goes through a view that first checks who asks (the view is marked with
`@file_view`, so tests find every such route in the URLconf). The view then hands the file over with
`send_file`: Python streams it (FILES_SENT_BY=django, the embedded default), or the web server does
(`nginx`: an `X-Accel-Redirect` to an `internal` location; `apache`/`lighttpd`: `X-Sendfile` with the path
on disk), so a production worker is not tied up sending photos. README "Behind nginx" shows the server block.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse

FILES_SENT_BY_CHOICES = ("django", "nginx", "apache")


def file_view(view: Callable) -> Callable:
    """Mark a view as one that gives out a stored file (after its own permission check)."""
    view.bst_file_view = True  # type: ignore[attr-defined]
    return view


def send_file(
    file: FieldFile, *, content_type: str = "", as_attachment: bool = False, filename: str = ""
) -> HttpResponse:
    """The response that sends `file` (checked already by the caller) in the configured way."""
    mode = settings.FILES_SENT_BY
    if mode == "django":
        response: HttpResponse = FileResponse(
            file.open("rb"), as_attachment=as_attachment, filename=filename or None
        )
        if content_type:
            response["Content-Type"] = content_type
    else:
        response = HttpResponse(content_type=content_type or "application/octet-stream")
        if mode == "nginx":
            response["X-Accel-Redirect"] = settings.FILES_INTERNAL_URL.rstrip("/") + "/" + quote(file.name)
        else:
            response["X-Sendfile"] = file.path
        if as_attachment:
            response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename or file.name)}"
    # A photo or an export is private: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    return response
