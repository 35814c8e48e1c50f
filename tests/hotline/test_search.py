"""The navigation's search (issue 14, point 3): order numbers, phones (whole or last 4 digits), addresses and
names; one match opens its page; results follow the user's visibility and phone masking; flat query counts."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from tests import factories as f
from tests.html_forms import form_query


def _search(client, q, **extra):
    """Through the navigation's own form, as the browser sends it."""
    html = client.get("/").content.decode()
    return client.get("/search/", form_query(html, "nav-search", q=q), **extra)


@pytest.mark.django_db
def test_an_order_number_opens_the_order(dispatcher_client, make_order):
    order = make_order("dispatched")
    response = _search(dispatcher_client, order.number)
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"


@pytest.mark.django_db
def test_a_whole_phone_opens_the_caller_screen_and_the_last_4_digits_find_the_caller(
    dispatcher_client, resident
):
    response = _search(dispatcher_client, "138 0013 8000")
    assert response["Location"] == "/desk/lookup/?phone=13800138000"
    response = _search(dispatcher_client, "8000")
    assert response["Location"] == "/desk/lookup/?phone=13800138000"  # one caller ends so
    f.ResidentFactory(name="李师傅", phone="13900008000")
    response = _search(dispatcher_client, "8000")
    assert response.status_code == 200
    assert {c.name for c in response.context["results"].callers} == {"王大妈", "李师傅"}
    assert 'href="/desk/lookup/?phone=13900008000"' in response.content.decode()


@pytest.mark.django_db
def test_an_address_opens_the_room_and_a_partial_one_lists_the_rooms(dispatcher_client, room, unit):
    response = _search(dispatcher_client, "5-37-1-302")
    assert response.status_code == 302
    assert (
        response["Location"] == "/desk/lookup/?address=5%E5%8C%BA37%E6%A0%8B1%E5%8D%95%E5%85%83302%E5%AE%A4"
    )
    f.RoomFactory(unit=unit, number="402", floor=4)
    response = _search(dispatcher_client, "5-37-1")
    assert response.status_code == 200
    assert len(response.context["results"].rooms) == 2


@pytest.mark.django_db
def test_a_name_opens_the_caller_or_lists_the_namesakes(dispatcher_client, resident):
    assert _search(dispatcher_client, "王大妈")["Location"] == "/desk/lookup/?phone=13800138000"
    f.ResidentFactory(name="王大爷", phone="13700001111")
    response = _search(dispatcher_client, "王大")
    assert response.status_code == 200 and len(response.context["results"].callers) == 2


@pytest.mark.django_db
def test_a_masked_user_cannot_search_by_the_hidden_digits(dispatcher_client, resident):
    Group.objects.get(name="dispatcher").permissions.remove(
        Permission.objects.get(codename="view_full_phone")
    )
    other = f.ResidentFactory(name="李师傅", phone="13911118000")  # same last 4, other hidden digits
    f.ResidencyFactory(resident=other, room=f.RoomFactory())
    response = _search(dispatcher_client, "13800138000")
    results = response.context["results"]
    # Only the last 4 were used: both callers ending in 8000 come back, masked, so the hidden digits
    # of the typed number were not checked against anyone.
    assert {c.name for c in results.callers} == {"王大妈", "李师傅"}
    page = response.content.decode()
    assert "13800138000" not in page.replace('value="13800138000"', "").replace("“13800138000”", "")
    assert "138****8000" in page and "139****8000" in page
    assert "只搜索了后4位" in page


@pytest.mark.django_db
def test_crew_staff_find_only_orders_they_may_see_and_no_callers(
    leader_client, other_leader_client, make_order, resident
):
    order = make_order("dispatched")
    assert _search(leader_client, order.number)["Location"] == f"/orders/{order.pk}/"
    response = _search(other_leader_client, order.number)
    assert response.status_code == 200 and response.context["results"].orders == []
    response = _search(leader_client, "王大妈")
    assert response.context["results"].callers == [] and response.context["results"].notice
    # An address finds the crew's orders there, never the room's residents.
    assert _search(leader_client, "5-37-1-302")["Location"] == f"/orders/{order.pk}/"


@pytest.mark.django_db
def test_an_overlong_or_empty_query_is_a_clear_400(dispatcher_client):
    response = dispatcher_client.get("/search/", {"q": "1" * 100_000})
    assert response.status_code == 400 and "最多 100 个字符" in response.content.decode()
    assert dispatcher_client.get("/search/", {"q": " "}).status_code == 400
    api = dispatcher_client.get("/api/v1/search/", {"q": "5" * 100_000})
    assert api.status_code == 400 and "q" in api.json()["errors"]


@pytest.mark.django_db
def test_api_search_answers_orders_callers_and_rooms(dispatcher_client, leader_client, make_order, resident):
    order = make_order("dispatched")
    data = dispatcher_client.get("/api/v1/search/", {"q": "13800138000"}).json()
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert [c["name"] for c in data["callers"]] == ["王大妈"] and data["callers"][0]["phone"] == "13800138000"
    data = dispatcher_client.get("/api/v1/search/", {"q": "5-37-1-302"}).json()
    assert [r["label"] for r in data["rooms"]] == ["5区37栋1单元302室"]
    data = leader_client.get("/api/v1/search/", {"q": "5-37-1-302"}).json()
    assert data["rooms"] == [] and data["callers"] == [] and [o["id"] for o in data["orders"]] == [order.pk]


@pytest.mark.django_db
def test_search_query_count_is_flat_as_data_grows(
    dispatcher_client, make_order, resident, unit, django_assert_num_queries
):
    def measure(q):
        # 1 session, 2 user (crews.auth), 3 callers with their homes, 4 the phone-view audit INSERT for the
        # full numbers shown
        with django_assert_num_queries(4):
            response = dispatcher_client.get("/search/", {"q": q})
        assert response.status_code == 200
        return response

    def measure_address(q):
        # 1 session, 2 user, 3 the rooms it begins (a partial address needs no exact-room query), 4 orders there
        with django_assert_num_queries(4):
            return dispatcher_client.get("/search/", {"q": q})

    make_order("dispatched")
    f.ResidentFactory(name="李", phone="13900008000")
    assert len(measure("8000").context["results"].callers) == 2
    measure_address("5-37-1")
    for i in range(10):
        f.ResidentFactory(name=f"张{i}", phone=f"1370000{i:04d}"[:7] + "8000")
        f.RoomFactory(unit=unit, number=str(500 + i), floor=5)
        make_order("received")
    assert len(measure("8000").context["results"].callers) == 12
    assert len(measure_address("5-37-1").context["results"].rooms) == 11


def test_the_schema_documents_the_search_answer_as_one_object_not_a_list():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    answer = schema["paths"]["/api/v1/search/"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/Search"}
