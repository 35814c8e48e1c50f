"""The speed changes of the 1M-order bench (bench/README.md) keep behaviour: the API list's rows (read as
dicts, its one fast path) equal DRF's representation of the order, the estimated count keeps the page shape and every page reachable, search finds
by address, phone and words, the one-query full-phone check agrees with has_perm, and the PostgreSQL indexes
exist."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.utils import timezone
from rest_framework import serializers as drf

from tests import factories as f
from workorders.api import pagination
from workorders.api.serializers import WorkOrderListSerializer
from workorders.permissions import can_see_full_phone
from workorders.selectors import order_list_rows

LIST = "/api/v1/work-orders/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", ["received", "dispatched", "assigned", "on_hold", "completed", "cancelled"]
)
def test_the_fast_list_representation_equals_drfs(status, make_order, worker):
    order = make_order(status)
    order = WorkOrderListSerializer.Meta.model.objects.select_related(
        "category", "category__parent", "crew", "worker", "district"
    ).get(pk=order.pk)
    for context in (
        {"full_phone": True, "worker_id": None, "now": timezone.now()},
        {"full_phone": False, "worker_id": worker.id, "now": timezone.now()},
        {"full_phone": False, "worker_id": None, "now": timezone.now()},
    ):
        serializer = WorkOrderListSerializer(order, context=context)
        slow = drf.ModelSerializer.to_representation(serializer, order)
        assert serializer.to_representation(order) == slow  # an order takes DRF's own path
        row = order_list_rows(WorkOrderListSerializer.Meta.model.objects.filter(pk=order.pk)).get()
        fast = serializer.to_representation(row)
        assert fast == dict(slow) and list(fast) == list(slow)  # the same keys in the same order


@pytest.mark.django_db
def test_the_api_list_keeps_its_shape_and_exact_small_counts(dispatcher_client, make_order):
    for _ in range(3):
        make_order("received")
    body = dispatcher_client.get(f"{LIST}?page_size=2").json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"] and body["previous"] is None
    assert dispatcher_client.get(f"{LIST}?page=3&page_size=2").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("q", "expected"),
    [("5区37栋", {"here"}), ("1390013", {"other"}), ("马桶", {"other"}), ("漏水", {"here"})],
)
def test_keyword_search_finds_by_address_phone_and_words(q, expected, dispatcher_client, make_order):
    orders = {
        "here": make_order("received", description="厨房水管接头漏水"),
        "other": make_order(
            "received", room=f.RoomFactory(), description="马桶一直流水", reporter_phone="13900139000"
        ),
    }
    body = dispatcher_client.get(LIST, {"q": q}).json()
    assert {r["id"] for r in body["results"]} == {orders[k].id for k in expected}


@pytest.mark.django_db
def test_full_phone_in_one_query_agrees_with_has_perm(
    dispatcher, manager, worker, leader, django_assert_num_queries
):
    for user in (dispatcher, manager, worker.user, leader.user):
        fresh = type(user).objects.get(pk=user.pk)
        with django_assert_num_queries(1):
            allowed = can_see_full_phone(fresh)
        assert can_see_full_phone(fresh) is allowed  # cached: no second query
        assert allowed == type(user).objects.get(pk=user.pk).has_perm("residents.view_full_phone")
    assert can_see_full_phone(dispatcher) and not can_see_full_phone(worker.user)
    # A permission given to the user directly counts too.
    direct = type(dispatcher).objects.get(pk=worker.user.pk)
    direct.user_permissions.add(Permission.objects.get(codename="view_full_phone"))
    assert can_see_full_phone(type(dispatcher).objects.get(pk=direct.pk))


@pytest.mark.postgres
@pytest.mark.django_db
def test_above_the_exact_limit_the_count_is_estimated_and_every_page_reachable(
    dispatcher_client, make_order, monkeypatch
):
    monkeypatch.setattr(pagination.EstimatedCountPaginator, "exact_limit", 3)
    for _ in range(7):
        make_order("received")
    with connection.cursor() as c:
        c.execute("ANALYZE workorders_workorder")
    first = dispatcher_client.get(f"{LIST}?page_size=2").json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] >= 4  # above the limit: at least the rows counted, else the planner's estimate
    seen, url = [], f"{LIST}?page_size=2"
    while url:
        body = dispatcher_client.get(url).json()
        seen += [r["id"] for r in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == 7  # every order once, whatever the estimate said
    assert dispatcher_client.get(f"{LIST}?page=50&page_size=2").status_code == 404
    assert dispatcher_client.get(f"{LIST}?page=0&page_size=2").status_code == 404
    assert dispatcher_client.get(f"{LIST}?page=x&page_size=2").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_has_the_trigram_and_prefix_indexes_and_the_count_function():
    with connection.cursor() as c:
        c.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'workorders_workorder'")
        names = {r[0] for r in c.fetchall()}
        c.execute("SELECT bst_count_estimate('SELECT 1 FROM workorders_workorder', 1000)")
        assert c.fetchone()[0] == 0
    assert {
        "wo_location_trgm",
        "wo_description_trgm",
        "wo_reporter_phone_prefix",
        "wo_number_prefix",
        "wo_room_created",
        "wo_room_category_active",
    } <= names


@pytest.mark.django_db
def test_a_list_request_naming_no_filter_lists_everything_and_one_naming_a_filter_filters(
    dispatcher_client, make_order
):
    make_order("received")
    make_order("cancelled")
    for query in ("", "?page=1&page_size=10&ordering=-created_at", "?unknown=1"):
        assert dispatcher_client.get(f"{LIST}{query}").json()["count"] == 2
    assert dispatcher_client.get(f"{LIST}?status=received").json()["count"] == 1
    response = dispatcher_client.get(f"{LIST}?crew=abc")
    assert response.status_code == 400 and "crew" in response.json()["errors"]
