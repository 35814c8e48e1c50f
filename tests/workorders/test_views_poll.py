"""Lists people keep open: the leader's queue is paged cards light enough for a phone, and both the queue
and the worker's list poll cheaply (an unchanged version is a 204 without a body after two queries)."""

import pytest

from tests import factories as f
from workorders.actions.dispatching import assign_order

QUEUE = "/orders/crew/"
MINE = "/orders/mine/"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _version(client, url):
    return client.get(url).context["poll_url"].split("since=")[1]


@pytest.mark.django_db
@pytest.mark.parametrize("url, client_name", [(QUEUE, "leader_client"), (MINE, "worker_client")])
@pytest.mark.parametrize("count", [2, 12])
def test_a_poll_that_finds_nothing_new_is_an_empty_204_after_two_queries(
    request, url, client_name, count, make_order, django_assert_num_queries
):
    for i in range(count):
        make_order(["assigned", "accepted", "dispatched"][i % 3])
    client = request.getfixturevalue(client_name)
    since = _version(client, url)
    # 1 the session, 2 the list's version (count and latest update, the user's crew or worker row in a
    # subquery): the user is not loaded for a poll that finds nothing
    with django_assert_num_queries(2):
        response = client.get(url, {"since": since}, **HTMX)
    assert response.status_code == 204
    assert response.content == b""


@pytest.mark.django_db
def test_the_workers_poll_returns_the_list_when_an_order_was_assigned_to_them(
    worker_client, leader, worker, make_order
):
    since = _version(worker_client, MINE)
    order = make_order("dispatched")
    assert worker_client.get(MINE, {"since": since}, **HTMX).status_code == 204  # not theirs yet
    assign_order(actor=leader.user, order_id=order.id, worker=worker)
    response = worker_client.get(MINE, {"since": since}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="mine"') and order.number in html
    assert "<html" not in html  # the fragment, with its own poller carrying the new version
    assert since not in html


@pytest.mark.django_db
def test_the_queue_poll_returns_the_cards_when_an_order_arrives(leader_client, make_order):
    since = _version(leader_client, QUEUE)
    order = make_order("dispatched")
    response = leader_client.get(QUEUE, {"since": since}, **HTMX)
    assert response.status_code == 200
    assert (
        response.content.decode().startswith('<div id="queue"') and order.number in response.content.decode()
    )


@pytest.mark.django_db
def test_a_stale_or_forged_version_gets_the_full_checked_view(other_leader_client, worker_client, make_order):
    make_order("dispatched")
    # another crew's leader polling with a made-up version gets their own (empty) queue, not a 204
    response = other_leader_client.get(QUEUE, {"since": "1.0"}, **HTMX)
    assert response.status_code == 200 and 'id="order-' not in response.content.decode()
    # a worker polling the leader's queue gets the leader page's 404, whatever the version says
    since = _version(worker_client, MINE)
    assert worker_client.get(QUEUE, {"since": since}, **HTMX).status_code == 404


@pytest.mark.django_db
def test_anonymous_poll_is_sent_to_login(anon_client):
    assert anon_client.get(QUEUE, {"since": "0.0"}, **HTMX).status_code == 302


@pytest.mark.django_db
def test_a_crew_of_40_with_200_open_orders_gets_a_first_screen_under_100_kb(
    leader, leader_client, make_order
):
    for _ in range(39):
        f.WorkerFactory(crew=leader.crew)
    orders = [make_order("dispatched") for _ in range(200)]
    response = leader_client.get(QUEUE)
    size = len(response.content)
    assert size < 100_000, size
    assert response.context["total"] == 200 and response.context["pages"] == 10
    html = response.content.decode()
    shown = [o for o in orders if f'id="order-{o.pk}"' in html]
    assert len(shown) == 20
    # every unassigned card carries its assign select with the crew's 40 workers
    assert html.count('<select id="assign-') == 20
    # the last page holds the last 20
    last = leader_client.get(QUEUE, {"page": 10})
    assert len(last.context["groups"][0]["orders"]) == 20
    assert leader_client.get(QUEUE, {"page": "x"}).context["page"] == 1
    assert leader_client.get(QUEUE, {"page": 99}).context["page"] == 10
    print(f"queue first screen: {size} bytes")
