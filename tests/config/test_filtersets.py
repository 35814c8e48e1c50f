"""Every list's filters, submitted through the page's own form as a browser sends it (every control, empty or
not: STACK-NOTES #20). Empty means "any"; an invalid filter shows its error and an empty list on every HTML
page, and is a 400 with the field errors in the API."""

from __future__ import annotations

import pytest

from config.filtersets import without_empty
from feedback.actions.complaints import register_complaint
from tests.html_forms import form_query

BAD = {"crew": "abc"}


def test_without_empty_drops_blank_values_and_keys_left_without_one():
    from django.http import QueryDict

    data = QueryDict("urgency=&urgency=emergency&crew=&district=%20&q=5-37&page=2")
    assert dict(without_empty(data).lists()) == {"urgency": ["emergency"], "q": ["5-37"], "page": ["2"]}


@pytest.mark.django_db
def test_board_form_sent_as_is_lists_everything_and_a_picked_crew_filters(
    dispatcher_client, make_order, crew, other_crew
):
    mine = make_order("dispatched")
    html = dispatcher_client.get("/desk/board/").content.decode()
    query = form_query(html, "board-filters")
    assert query["urgency"] == [""] and query["crew"] == [""]  # what the browser sends: empty controls
    response = dispatcher_client.get("/desk/board/", query)
    assert not response.context["filterset"].errors
    assert mine.number in response.content.decode()

    response = dispatcher_client.get("/desk/board/", form_query(html, "board-filters", crew=other_crew.pk))
    assert mine.number not in response.content.decode()
    response = dispatcher_client.get("/desk/board/", form_query(html, "board-filters", crew=crew.pk))
    assert mine.number in response.content.decode()
    # The next form (rendered from the filtered page) keeps the choice and still sends the empty controls.
    again = form_query(response.content.decode(), "board-filters", overdue="true")
    assert again["crew"] == [str(crew.pk)] and again["urgency"] == [""]
    assert mine.number not in dispatcher_client.get("/desk/board/", again).content.decode()


@pytest.mark.django_db
def test_call_log_form_sent_as_is_lists_every_call(dispatcher_client, resident):
    _inquiry(_user(dispatcher_client))
    html = dispatcher_client.get("/desk/calls/").content.decode()
    response = dispatcher_client.get("/desk/calls/", form_query(html))
    assert not response.context["filterset"].errors
    assert response.context["page"].paginator.count == 1


@pytest.mark.django_db
def test_complaint_form_sent_as_is_lists_every_complaint(manager_client, manager):
    complaint = register_complaint(
        actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差"
    )
    html = manager_client.get("/feedback/complaints/").content.decode()
    query = form_query(html)
    assert query == {"status": [""], "deadline": [""]}
    response = manager_client.get("/feedback/complaints/", query)
    assert complaint.number in response.content.decode()


@pytest.mark.django_db
def test_export_form_sent_as_is_exports_every_visible_order(manager_client, make_order):
    make_order("dispatched")
    html = manager_client.get("/feedback/exports/orders/").content.decode()
    query = form_query(html, export="1")
    assert query["q"] == [""] and query["crew"] == [""]
    response = manager_client.get("/feedback/exports/orders/", query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


HTML_LISTS = [
    ("dispatcher_client", "/desk/board/", BAD, "#board"),
    ("dispatcher_client", "/desk/calls/", {"taken_by": "abc"}, "#call-rows"),
    ("leader_client", "/orders/crew/", BAD | {"urgency": "nonsense"}, "#queue"),
    ("manager_client", "/feedback/complaints/", {"status": "nonsense"}, "#complaints"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "url", "bad", "_where"), HTML_LISTS)
def test_an_invalid_filter_shows_its_error_and_an_empty_list_on_every_html_list(
    request, who, url, bad, _where, make_order, manager
):
    make_order("dispatched")
    register_complaint(actor=manager, source="call", phone="13800138000", name="王", summary="态度差")
    client = request.getfixturevalue(who)
    if who == "dispatcher_client":
        _inquiry(_user(client))
    good = client.get(url)
    assert good.status_code == 200 and not good.context["filterset"].errors
    assert good.context["filterset"].qs.exists()
    response = client.get(url, bad)
    assert response.status_code == 200
    filterset = response.context["filterset"]
    assert set(filterset.errors) == set(bad)
    assert not filterset.qs.exists()
    assert 'class="filter-errors error"' in response.content.decode()


@pytest.mark.django_db
def test_an_invalid_filter_on_the_export_says_why_and_exports_nothing(manager_client, make_order):
    make_order("dispatched")
    response = manager_client.get("/feedback/exports/orders/", {"export": "1", "crew": "abc"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert set(response.context["filterset"].errors) == {"crew"}
    assert 'class="filter-errors error"' in response.content.decode()
    assert not response.context["jobs"]


API_LISTS = [
    ("/api/v1/work-orders/", {"urgency": "", "crew": "", "status": "", "q": ""}, {"urgency": "nonsense"}),
    ("/api/v1/complaints/", {"status": "", "source": "", "crew": ""}, {"status": "nonsense"}),
    ("/api/v1/follow-ups/", {"status": "", "work_order": ""}, {"work_order": "abc"}),
    ("/api/v1/calls/", {"call_type": "", "phone": "", "date": ""}, {"date": "yesterday"}),
    ("/api/v1/workers/", {"crew": "", "on_duty": ""}, {"crew": "abc"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "empty", "bad"), API_LISTS)
def test_api_lists_take_empty_parameters_as_any_and_answer_400_with_the_field_errors(
    manager_client, make_order, url, empty, bad
):
    make_order("dispatched")
    plain = manager_client.get(url)
    assert plain.status_code == 200
    response = manager_client.get(url, empty)
    assert response.status_code == 200
    assert response.json()["count"] == plain.json()["count"]
    response = manager_client.get(url, bad)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == set(bad)


def _inquiry(actor):
    from hotline.services import take_call

    take_call(
        actor=actor,
        call_type="inquiry",
        channel="phone",
        phone="13800138000",
        caller_name="",
        summary="问水费",
        room=None,
        category=None,
        answer="营业厅",
    )


def _user(client):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=client.session["_auth_user_id"])
