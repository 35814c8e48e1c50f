"""Masked phone numbers (139****1234) cannot be learnt by the hidden digits (issue 17, finding 1 and its class).

The class test walks every list route of the API and every page of the site that takes no argument (from the
URLconf, so a new endpoint is covered without being listed), and asks each with every query parameter its
FilterSet knows (plus q, search, phone, ordering): a viewer who sees the numbers masked must get the same
answer for the real number as for another number that looks the same masked."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from tests import factories as f

pytestmark = pytest.mark.django_db

HIDDEN_A = "13955551234"  # shown as 139****1234
LOOKALIKE = "13900001234"  # shown the same: differs only in the hidden digits
HIDDEN_B = "13900005678"  # 139****5678: sorts before A by the hidden digits, after it by the visible ones
PHONE_FIELDS = [
    "reporter_phone",
    "phone",
    "alt_phone",
    "complainant_phone",
    "worker__phone",
    "reporter__phone",
]


@pytest.fixture
def two_orders(make_order, crew):
    from workorders.actions.dispatching import dispatch_order

    orders = []
    for phone, room_number in ((HIDDEN_A, "302"), (HIDDEN_B, "303")):
        room = f.RoomFactory(number=room_number)
        order = make_order("received", reporter_phone=phone, room=room)
        orders.append(order)
    dispatcher = orders[0].first_contact_owner
    for order in orders:
        dispatch_order(actor=dispatcher, order_id=order.pk, crew=crew)
    return orders


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_leader_cannot_search_by_the_hidden_digits(two_orders, leader, dispatcher):
    order = two_orders[0]
    for value in (HIDDEN_A, LOOKALIKE, HIDDEN_A[:7], "1395555"):
        found = _api(leader.user).get(f"/api/v1/work-orders/?q={value}").json()["results"]
        assert found == [], value
    by_last_four = _api(leader.user).get("/api/v1/work-orders/?q=1234").json()["results"]
    assert [row["id"] for row in by_last_four] == [order.pk]
    assert by_last_four[0]["reporter_phone"] == "139****1234"
    # The desk sees numbers in full and searches by any part.
    found = _api(dispatcher).get(f"/api/v1/work-orders/?q={HIDDEN_A[:7]}").json()["results"]
    assert [row["id"] for row in found] == [order.pk]


def test_the_crew_queue_page_cannot_be_searched_by_the_hidden_digits(two_orders, leader_client):
    assert two_orders[0].number not in _page_without_echo(leader_client, "/orders/crew/", HIDDEN_A)
    assert two_orders[0].number in leader_client.get("/orders/crew/?q=1234").content.decode()


# --- The class: every list and page × every parameter --------------------------------------------------------


def _routes(patterns=None, prefix: str = "") -> list[tuple[str, object]]:
    """(path, pattern) of every URL pattern that takes no argument."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and "<" not in route and "(?P" not in route:
            path = "/" + prefix + route
            found.append((path, entry))
    return found


def _api_lists() -> list[tuple[str, type]]:
    lists = []
    for path, entry in _routes():
        cls = getattr(entry.callback, "cls", None)
        actions = getattr(entry.callback, "actions", None) or {}
        if path.startswith("/api/v1/") and cls is not None and actions.get("get") == "list":
            lists.append((path, cls))
    return sorted(set(lists), key=lambda item: item[0])


def _pages() -> list[str]:
    pages = []
    for path, entry in _routes():
        module = getattr(entry.callback, "__module__", "")
        if (
            path.startswith(("/api/", "/admin/", "/i18n/", "/login/", "/logout/"))
            or "rest_framework" in module
        ):
            continue
        if module.split(".")[0] in {"hotline", "feedback", "workorders", "operations", "crews", "residents"}:
            pages.append(path)
    return sorted(set(pages))


def _parameters(cls) -> list[str]:
    names = {"q", "search", "phone", "reporter_phone"}
    filterset = getattr(cls, "filterset_class", None)
    if filterset is not None:
        names |= set(filterset.base_filters)
    return sorted(names)


def _ids(data) -> list:
    if isinstance(data, dict):
        return [data.get("id"), *[i for v in data.values() for i in _ids(v)]]
    if isinstance(data, list):
        return [i for v in data for i in _ids(v)]
    return []


def _answer(client, path: str, params: dict) -> tuple[int, list]:
    response = client.get(path, params)
    body = response.json() if response["Content-Type"].startswith("application/json") else None
    return response.status_code, _ids(body)


def test_every_api_list_enumerated():
    paths = [path for path, _cls in _api_lists()]
    assert "/api/v1/work-orders/" in paths and "/api/v1/workers/" in paths and len(paths) >= 12


@pytest.mark.parametrize("role", ["leader", "worker", "other_leader"])
def test_no_api_list_answers_by_hidden_digits(two_orders, role, leader, worker, other_leader):
    user = {"leader": leader.user, "worker": worker.user, "other_leader": other_leader.user}[role]
    client = _api(user)
    leaks = []
    for path, cls in _api_lists():
        for name in _parameters(cls):
            if _answer(client, path, {name: HIDDEN_A}) != _answer(client, path, {name: LOOKALIKE}):
                leaks.append(f"{path}?{name}=")
        plain = _answer(client, path, {})
        for name in PHONE_FIELDS:
            for ordering in (name, f"-{name}"):
                if _answer(client, path, {"ordering": ordering}) != plain:
                    leaks.append(f"{path}?ordering={ordering}")
    assert leaks == []


_VOLATILE = re.compile(
    r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"|\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?'
)


def _page_without_echo(client, path: str, value: str, name: str = "q") -> str:
    response = client.get(path, {name: value})
    text = (
        response.content.decode(errors="replace")
        if response.status_code == 200
        else str(response.status_code)
    )
    return _VOLATILE.sub("", text.replace(value, "VALUE"))


@pytest.mark.parametrize("role", ["leader", "worker"])
def test_no_page_answers_by_hidden_digits(two_orders, role, leader_client, worker_client):
    client = {"leader": leader_client, "worker": worker_client}[role]
    leaks = []
    for path in _pages():
        for name in ("q", "phone", "search", "address"):
            if _page_without_echo(client, path, HIDDEN_A, name) != _page_without_echo(
                client, path, LOOKALIKE, name
            ):
                leaks.append(f"{path}?{name}=")
    assert leaks == []
