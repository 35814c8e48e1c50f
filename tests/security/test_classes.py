"""The classes of defect behind issue 17's findings, each tested over all its members.

The members come from the URLconf: the role matrix (tests/security/test_role_matrix.py) has one row per URL
pattern and method, and `test_every_url_pattern_has_a_row` fails for a new pattern without one, so a new
endpoint joins every class below without being listed here."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import json
import time
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters.fields import IsoDateTimeField

from config.filtersets import DateTimeFilter, FilterSet
from tests.security.test_role_matrix import ROWS, _url

pytestmark = pytest.mark.django_db

WRITERS = ("POST", "PUT", "PATCH")
ROLES = ("dispatcher", "leader", "worker", "manager")


def _writes(queries) -> list[str]:
    """The statements that wrote a row (the session and django-axes' bookkeeping aside)."""
    return [
        q["sql"][:80]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
        and "axes_" not in q["sql"]
    ]


def _cell(world, role: str):
    client = Client()
    client.cookies = copy.copy(world.clients[role].cookies)
    return client


# --- Every POST/PUT/PATCH API route × hostile bodies ---------------------------------------------------------


def _hostile_bodies(field_names: list[str]) -> dict[str, str]:
    names = field_names or ["note"]
    return {
        "deep nesting": "[" * 3000 + "]" * 3000,
        "deep objects": '{"a":' * 1000 + "1" + "}" * 1000,
        "huge strings": json.dumps(dict.fromkeys(names, "长" * 100000)),
        "huge numbers": "{" + ",".join(f'"{name}": {"9" * 5000}' for name in names) + "}",
        "float overflow": json.dumps(dict.fromkeys(names, 1e308)).replace("1e+308", "1e999"),
        "wrong types": json.dumps({name: [[{"x": None}]] for name in names}),
        "not an object": json.dumps(["a", 1, None]),
        "truncated": '{"note": "x',
    }


def _request_fields(row) -> list[str]:
    """The body's field names: those of the row's own data plus the schema's for this route."""
    return sorted({*row.data, *_schema_fields().get((_route_of(row), row.method.lower()), [])})


_SCHEMA: dict = {}


def _schema_fields() -> dict:
    if not _SCHEMA:
        from drf_spectacular.generators import SchemaGenerator

        schema = SchemaGenerator().get_schema(request=None, public=True)
        components = schema["components"]["schemas"]
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                body = operation.get("requestBody", {}).get("content", {})
                ref = next(iter(body.values()), {}).get("schema", {}).get("$ref", "")
                props = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}) if ref else {}
                _SCHEMA[(path, method)] = list(props)
    return _SCHEMA


def _route_of(row) -> str:
    for route, name in _api_routes():
        if name == row.name:
            return route
    return ""


def _api_routes(patterns=None, prefix: str = ""):
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found += _api_routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and entry.name and "format" not in route:
            path = "/" + prefix + route
            for old, new in (("(?P<pk>[^/.]+)", "{id}"), ("<int:pk>", "{id}")):
                path = path.replace(old, new)
            found.append((path, entry.name))
    return found


@pytest.mark.parametrize("role", ["dispatcher", "worker", "manager"])
def test_every_api_writer_answers_hostile_bodies_with_4xx_and_writes_nothing(world, role):
    wrong = []
    rows = [row for row in ROWS if row.method in WRITERS]
    checked = 0
    for row in rows:
        url = _url(row, world)
        if not url.startswith("/api/"):
            continue
        checked += 1
        for label, body in _hostile_bodies(_request_fields(row)).items():
            client = _cell(world, role)
            with transaction.atomic(), CaptureQueriesContext(connection) as ctx:
                response = client.generic(row.method, url, data=body, content_type="application/json")
                transaction.set_rollback(True)
            status = response.status_code
            if status >= 500:
                wrong.append(f"{row.method} {url} [{label}] → {status}")
            elif status >= 400 and _writes(ctx.captured_queries):
                wrong.append(
                    f"{row.method} {url} [{label}] → {status} but wrote {_writes(ctx.captured_queries)}"
                )
            elif status >= 400 and not response["Content-Type"].startswith("application/json"):
                wrong.append(f"{row.method} {url} [{label}] → {status} not JSON")
    assert checked >= 20
    assert not wrong, "\n".join(wrong)


# --- Every redirect target taken from the request ----------------------------------------------------------

OFF_SITE = [
    "https://evil.example/x",
    "//evil.example/x",
    "/\\evil.example",
    "http:evil.example",
    "javascript:x",
]


def _stays_on_site(location: str) -> bool:
    parts = urlsplit(location)
    return (
        not parts.scheme and not parts.netloc and location.startswith("/") and not location.startswith("//")
    )


@pytest.mark.parametrize("role", ["dispatcher", "leader", "worker", "manager"])
def test_no_view_redirects_off_site(world, role):
    wrong = []
    for row in ROWS:
        url = _url(row, world)
        if url.startswith("/api/") or row.method not in ("GET", "POST"):
            continue
        for target in OFF_SITE:
            client = _cell(world, role)
            with transaction.atomic():
                if row.method == "GET":
                    response = client.get(url, {"next": target})
                else:
                    data = {k: v for k, v in row.data.items() if v != "@png"}
                    response = client.post(url, {**data, "next": target})
                transaction.set_rollback(True)
            location = response.get("Location", "")
            if location and not _stays_on_site(location):
                wrong.append(f"{row.method} {url} next={target} → {location}")
            if response.status_code >= 500:
                wrong.append(f"{row.method} {url} next={target} → {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_login_does_not_redirect_off_site(world, dispatcher):
    client = Client()
    response = client.post(
        "/login/?next=https://evil.example/x", {"username": "t_dispatcher", "password": "pw"}
    )
    assert response.status_code == 302 and _stays_on_site(response["Location"])


# --- Every file URL the app gives out × anonymous and every role --------------------------------------------


def _file_routes():
    found = []

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns)
            elif getattr(entry.callback, "bst_file_view", False):
                found.append(entry.name)

    walk(get_resolver().url_patterns)
    return found


def test_every_file_view_is_in_the_role_matrix():
    """A view that gives out a stored file (`config.files.file_view`) has its role-matrix row, which asserts
    the answer of the anonymous client and of every role."""
    names = set(_file_routes())
    assert {"photo", "export-download", "hazard_photo", "round_photo"} <= names
    covered = {row.name.split(":")[-1] for row in ROWS}
    assert names <= covered


def test_nothing_serves_media_unchecked():
    from django.views.static import serve

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns)
            else:
                yield entry

    assert not [p for p in walk(get_resolver().url_patterns) if p.callback is serve]


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_api_answer_names_a_media_path(world, role):
    client = _cell(world, role)
    pages = [f"/orders/{world.order.pk}/", f"/api/v1/work-orders/{world.order.pk}/", "/api/v1/work-orders/"]
    pages += [
        reverse("operations:hazard_detail", args=[world.hazard.pk]),
        reverse("operations:round_detail", args=[world.walked.pk]),
        f"/api/v1/hazards/{world.hazard.pk}/",
        "/api/v1/hazards/",
        f"/api/v1/rounds/{world.walked.pk}/",
        "/api/v1/rounds/",
    ]
    for page in pages:
        response = client.get(page)
        body = response.content.decode()
        assert "/media/" not in body, page
        for name in (world.hazard.photo.name, world.round_photo.photo.name):
            assert name not in body and name.rsplit("/", 1)[-1] not in body, page


def test_operations_photo_urls_are_the_checked_views(world):
    """Every photo URL of the hazard and round pages and of the operations API is a `file_view` route."""
    client = _cell(world, "manager")
    hazard_url = reverse("operations:hazard_photo", args=[world.hazard.pk])
    round_url = reverse("operations:round_photo", args=[world.walked.pk, world.round_photo.pk])
    assert (
        hazard_url in client.get(reverse("operations:hazard_detail", args=[world.hazard.pk])).content.decode()
    )
    assert (
        round_url in client.get(reverse("operations:round_detail", args=[world.walked.pk])).content.decode()
    )
    hazard = client.get(f"/api/v1/hazards/{world.hazard.pk}/").json()
    assert hazard["photo_url"] == "http://testserver" + hazard_url and "photo" not in hazard
    listed = client.get("/api/v1/hazards/").json()["results"]
    assert {h["photo_url"] for h in listed} == {"http://testserver" + hazard_url}
    checks = client.get(f"/api/v1/rounds/{world.walked.pk}/").json()["items"]
    assert [c["photo_url"] for c in checks] == ["http://testserver" + round_url]
    for url in (hazard_url, round_url):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["Cache-Control"] == "private, no-store"


def test_anonymous_gets_no_file(world):
    client = Client()
    for name in _file_routes():
        row = next(r for r in ROWS if r.name.endswith(name) and r.method == "GET")
        response = client.get(_url(row, world))
        assert response.status_code in (302, 401, 403, 404)
        assert response.get("Location", "/login/").startswith("/login/")


# --- Every text parser × long input ----------------------------------------------------------------------


def _parsers():
    from django.core.exceptions import ValidationError

    from hotline.selectors import LookupInputError, parse_phone
    from residents.selectors import AddressError, PhoneError, clean_phone, parse_address, resolve_address

    refused = (ValidationError, AddressError, PhoneError, LookupInputError, ValueError)
    return {
        "address": (parse_address, refused),
        "resolve address": (resolve_address, refused),
        "phone": (clean_phone, refused),
        "caller phone": (parse_phone, refused),
    }


@pytest.mark.parametrize("size", [10_000, 100_000])
@pytest.mark.parametrize("kind", ["digits", "chinese numerals", "mixed"])
def test_every_text_parser_refuses_long_input_quickly(db, size, kind):
    text = {"digits": "5" * size, "chinese numerals": "五十" * (size // 2), "mixed": "5区37栋" * (size // 5)}[
        kind
    ]
    for name, (parse, refused) in _parsers().items():
        started = time.perf_counter()
        with pytest.raises(refused):
            parse(text)
        elapsed = time.perf_counter() - started
        assert elapsed < 0.05, f"{name}: {elapsed * 1000:.1f} ms"


LONG_PARAMETERS = [
    "q",
    "phone",
    "address",
    "from",
    "to",
    "month",
    "date",
    "created_after",
    "page",
    "page_size",
]


@pytest.mark.parametrize("role", ["dispatcher", "manager", "leader"])
def test_every_list_and_page_takes_long_parameters_without_a_500(world, role):
    wrong = []
    for row in ROWS:
        if row.method != "GET":
            continue
        url = _url(row, world)
        for name in LONG_PARAMETERS:
            client = _cell(world, role)
            response = client.get(url, {name: "9" * 10_000})
            if response.status_code >= 500:
                wrong.append(f"{url}?{name}= → {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _filtersets():
    """Every FilterSet of the project's apps (each app's `filtersets` module imported first)."""
    for app in apps.get_app_configs():
        if app.path.startswith(str(settings.BASE_DIR)) and importlib.util.find_spec(f"{app.name}.filtersets"):
            importlib.import_module(f"{app.name}.filtersets")
    found, todo = [], [FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls is not FilterSet and cls._meta.model is not None:
            found.append(cls)
    return found


@pytest.mark.parametrize(
    "value", ["3426-06-29T06:08:31+16:32", "0001-01-01T00:00:00+23:59", "9999-12-31T23:59-23:59"]
)
def test_every_date_time_filter_reads_any_offset_without_a_500(world, value):
    """PostgreSQL refuses offsets beyond ±15:59 and Python's dates stop at year 9999: every date-time filter
    of every FilterSet reads the instant in the base's time zone or answers a form error, never a DB error."""
    checked = []
    for cls in _filtersets():
        for name, flt in cls.base_filters.items():
            if not issubclass(flt.field_class, forms.DateTimeField):
                continue
            assert isinstance(flt, DateTimeFilter), f"{cls.__name__}.{name} is not a config DateTimeFilter"
            assert issubclass(flt.field_class, IsoDateTimeField)
            filterset = cls({name: value}, queryset=cls._meta.model.objects.all())
            list(filterset.qs[:1])  # a DB error would raise here
            checked.append(f"{cls.__name__}.{name}")
    assert len(checked) >= 6, checked
