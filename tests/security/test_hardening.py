"""Hardening: CSRF on every HTML form and htmx request (and session-authenticated API writes), upload checks
that trust the bytes and not the declared type, API throttling per user. (Lock-out: tests/config/test_security.py;
`check --deploy`: .ci/run.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from tests import factories as f
from tests.security.test_role_matrix import ROWS, _url
from workorders.models import Attachment

pytestmark = pytest.mark.django_db

HTML_POSTS = [
    row for row in ROWS if row.method == "POST" and (":" in row.name or row.name in {"login", "logout"})
]


@pytest.fixture
def strict_client(world):
    """The superuser (who may post almost everywhere), with CSRF checks on as in a real browser."""
    client = Client(enforce_csrf_checks=True)
    client.cookies = world.clients["admin"].cookies
    return client


def test_every_html_post_without_a_csrf_token_is_refused(world, strict_client):
    assert len(HTML_POSTS) > 30
    allowed = []
    for row in HTML_POSTS:
        url = _url(row, world)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            if strict_client.post(url, {"note": "x"}, **headers).status_code != 403:
                allowed.append(f"{row.id} {headers}")
    assert allowed == []


def test_the_page_gives_htmx_the_token_and_a_post_with_it_passes(world, strict_client):
    page = strict_client.get("/desk/board/").content.decode()
    token = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)
    response = strict_client.post(
        f"/orders/{world.order.pk}/do/remind/",
        {"note": "催一下"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code != 403
    assert world.order.events.filter(kind="remind").exists()


def test_every_post_form_in_the_templates_carries_the_token():
    missing = []
    for path in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = path.read_text()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", text, flags=re.S | re.I):
            if "csrf_token" not in form:
                missing.append(str(path))
    assert missing == []


def test_session_authenticated_api_writes_need_the_token(world):
    client = Client(enforce_csrf_checks=True)
    client.cookies = world.clients["dispatcher"].cookies
    response = client.post(
        f"/api/v1/work-orders/{world.order.pk}/remind/", {}, content_type="application/json"
    )
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert not world.order.events.filter(kind="remind").exists()


def _png_named(name: str, content: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"MZ\x90\x00\x03\x00\x00\x00",  # a Windows executable
    ],
    ids=["html", "pdf", "exe"],
)
def test_a_spoofed_photo_is_refused_by_the_api_and_the_page(make_order, worker, worker_client, content):
    order = make_order("on_site")
    api = APIClient()
    api.force_authenticate(worker.user)
    response = api.post(
        f"/api/v1/work-orders/{order.pk}/attachments/",
        {"file": _png_named("photo.png", content), "kind": "before"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    page = worker_client.post(
        f"/orders/{order.pk}/photos/",
        {"photos": _png_named("photo.jpg", content, "image/jpeg"), "kind": "before"},
    )
    assert page.status_code == 302
    assert not Attachment.objects.filter(order=order).exists()


def test_an_oversized_photo_is_refused_and_a_real_one_accepted(make_order, worker, monkeypatch):
    order = make_order("on_site")
    api = APIClient()
    api.force_authenticate(worker.user)
    monkeypatch.setattr("workorders.actions.attachments.MAX_ATTACHMENT_BYTES", 50)
    big = api.post(
        f"/api/v1/work-orders/{order.pk}/attachments/",
        {"file": _png_named("big.png", f.tiny_png(size=32)), "kind": "before"},
        format="multipart",
    )
    assert big.status_code == 400 and "10 MB" in big.json()["errors"]["file"][0]
    monkeypatch.undo()
    ok = api.post(
        f"/api/v1/work-orders/{order.pk}/attachments/",
        {"file": _png_named("fake.gif", f.tiny_png(), "image/gif"), "kind": "before"},
        format="multipart",
    )
    assert ok.status_code == 201
    assert Attachment.objects.get(order=order).content_type == "image/png"  # sniffed, not declared


@pytest.fixture
def low_throttle(monkeypatch):
    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "2/min"})
    yield
    cache.clear()


def test_api_throttles_each_user_separately(low_throttle, dispatcher, manager):
    first, second = APIClient(), APIClient()
    first.force_authenticate(dispatcher)
    second.force_authenticate(manager)
    assert [first.get("/api/v1/categories/").status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = first.get("/api/v1/categories/")
    assert refused.status_code == 429 and refused["Retry-After"] and refused.json()["detail"]
    assert second.get("/api/v1/categories/").status_code == 200  # another user's budget is untouched


def test_api_throttles_anonymous_callers(low_throttle):
    client = APIClient()
    assert [client.post("/api/v1/auth/token/", {}).status_code for _ in range(3)] == [400, 400, 429]


@pytest.mark.django_db(transaction=False)
def test_token_endpoint_locks_out_after_the_configured_failures(dispatcher, settings):
    from axes.utils import reset

    settings.AXES_ENABLED = True
    reset()
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    wrong = {"username": dispatcher.username, "password": "wrong"}
    codes = [
        client.post("/api/v1/auth/token/", wrong).status_code for _ in range(settings.AXES_FAILURE_LIMIT + 1)
    ]
    # Wrong credentials until the failure that reaches the limit; from then on the account's own answer (429).
    limit = settings.AXES_FAILURE_LIMIT
    assert codes == [400] * (limit - 1) + [429, 429]
    dispatcher.set_password("right-Passw0rd")
    dispatcher.save(update_fields=["password"])
    locked = client.post(
        "/api/v1/auth/token/", {"username": dispatcher.username, "password": "right-Passw0rd"}
    )
    assert locked.status_code != 200 and "token" not in locked.content.decode()
