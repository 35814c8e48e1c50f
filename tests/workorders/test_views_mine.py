"""The worker's "my orders" page and the worker's moves from it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories as f

MINE = "/orders/mine/"


def _numbers(response, key="open_orders"):
    return [o.number for o in response.context[key]]


@pytest.mark.django_db
def test_worker_sees_own_open_orders_by_urgency_then_deadline(worker_client, make_order):
    normal_late = make_order("assigned", urgency="normal", now=timezone.now() - timedelta(hours=3))
    normal_new = make_order("accepted", urgency="normal")
    emergency = make_order("on_site", urgency="emergency")
    done = make_order("completed")
    make_order("dispatched")  # not the worker's yet
    response = worker_client.get(MINE)
    assert response.status_code == 200
    assert _numbers(response) == [emergency.number, normal_late.number, normal_new.number]
    assert _numbers(response, "done_today") == [done.number]


@pytest.mark.django_db
def test_other_worker_sees_none_of_them(other_worker_client, make_order):
    order = make_order("assigned")
    response = other_worker_client.get(MINE)
    assert _numbers(response) == [] and order.number not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["leader_client", "dispatcher_client", "manager_client"])
def test_my_orders_is_a_404_for_non_workers(request, client_name):
    assert request.getfixturevalue(client_name).get(MINE).status_code == 404


@pytest.mark.django_db
def test_full_phone_only_on_own_active_order(worker_client, make_order, resident):
    active = make_order("accepted", reporter=resident, reporter_name="王大妈")
    make_order("completed", reporter_phone="13900001111")
    html = worker_client.get(MINE).content.decode()
    assert 'href="tel:13800138000"' in html and "王大妈" in html
    assert "13900001111" not in html and "139****1111" in html
    assert active.number in html


@pytest.mark.django_db
def test_accept_and_arrive_from_the_list(worker_client, make_order):
    order = make_order("assigned")
    html = worker_client.get(MINE).content.decode()
    assert f"/orders/{order.pk}/do/accept/" in html and f"/orders/{order.pk}/do/arrive/" not in html
    response = worker_client.post(f"/orders/{order.pk}/do/accept/", {"next": MINE})
    assert response.status_code == 302 and response["Location"] == MINE
    html = worker_client.get(MINE).content.decode()
    assert f"/orders/{order.pk}/do/arrive/" in html and f"/orders/{order.pk}/do/accept/" not in html
    worker_client.post(f"/orders/{order.pk}/do/arrive/", {"next": MINE})
    order.refresh_from_db()
    assert order.status == "on_site" and order.accepted_at and order.arrived_at
    assert f"/orders/{order.pk}/complete/" in worker_client.get(MINE).content.decode()


@pytest.mark.django_db
def test_accept_posted_twice_is_a_no_op(worker_client, make_order):
    order = make_order("assigned")
    worker_client.post(f"/orders/{order.pk}/do/accept/")
    response = worker_client.post(f"/orders/{order.pk}/do/accept/")
    assert response.status_code == 302
    assert order.events.filter(kind="accept").count() == 1


@pytest.mark.django_db
def test_other_worker_posting_accept_gets_404(other_worker_client, make_order):
    order = make_order("assigned")
    assert other_worker_client.post(f"/orders/{order.pk}/do/accept/").status_code == 404
    order.refresh_from_db()
    assert order.status == "assigned"


@pytest.mark.django_db
@pytest.mark.parametrize("move", ["accept", "arrive", "request_hold"])
def test_dispatcher_posting_a_worker_only_action_gets_403(dispatcher_client, make_order, move):
    order = make_order("assigned" if move == "accept" else "accepted")
    before = order.status
    response = dispatcher_client.post(f"/orders/{order.pk}/do/{move}/", {"reason": "waiting_parts"})
    assert response.status_code == 403
    assert f"/orders/{order.pk}/" in response.content.decode()  # the page links back to the order
    order.refresh_from_db()
    assert order.status == before and not order.hold_requested_reason


@pytest.mark.django_db
def test_leader_posting_accept_for_the_worker_gets_403(leader_client, make_order):
    order = make_order("assigned")
    assert leader_client.post(f"/orders/{order.pk}/do/accept/").status_code == 403
    order.refresh_from_db()
    assert order.status == "assigned"


@pytest.mark.django_db
def test_request_hold_needs_a_reason_from_the_list(worker_client, make_order):
    order = make_order("on_site")
    response = worker_client.post(f"/orders/{order.pk}/do/request_hold/", {"reason": "", "note": "缺件"})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.hold_requested_reason == ""
    worker_client.post(f"/orders/{order.pk}/do/request_hold/", {"reason": "waiting_parts", "note": "缺件"})
    order.refresh_from_db()
    assert (order.status, order.hold_requested_reason, order.hold_requested_note) == (
        "on_site",
        "waiting_parts",
        "缺件",
    )
    assert _numbers(worker_client.get(MINE)) == [order.number]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 30])
def test_my_orders_query_count_is_flat(worker_client, worker, make_order, count, django_assert_num_queries):
    from workorders.actions.attachments import add_attachment

    for i in range(count):
        order = make_order(["assigned", "accepted", "on_site"][i % 3], urgency=["emergency", "normal"][i % 2])
        if i % 5 == 0:
            add_attachment(
                actor=worker.user,
                order=order,
                file=SimpleUploadedFile("p.png", f.tiny_png(), content_type="image/png"),
            )
    # 1 session, 2 user with their groups (crews.auth), 3 the worker's row, 4 the list's version (for the
    # poller), 5 the orders (one join with category and reporter), 6 their photos (one prefetch)
    with django_assert_num_queries(6):
        response = worker_client.get(MINE)
    assert len(response.context["open_orders"]) == count
