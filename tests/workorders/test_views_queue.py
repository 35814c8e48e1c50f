"""The crew leader's queue: grouping, overdue, filters, load, actions from the queue, and query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories as f
from workorders.actions.dispatching import assign_order
from workorders.models import WorkOrder

QUEUE = "/orders/crew/"


def _queued(response):
    return {o.number: group["status"] for group in response.context["groups"] for o in group["orders"]}


@pytest.mark.django_db
def test_leader_sees_own_crew_orders_grouped_unassigned_first(leader_client, make_order):
    dispatched, assigned, on_site = make_order("dispatched"), make_order("assigned"), make_order("on_site")
    completed = make_order("completed")
    response = leader_client.get(QUEUE)
    assert response.status_code == 200
    queued = _queued(response)
    assert queued == {dispatched.number: "dispatched", assigned.number: "assigned", on_site.number: "on_site"}
    assert completed.number not in queued
    assert response.context["groups"][0]["status"] == "dispatched"
    html = response.content.decode()
    assert html.index(dispatched.number) < html.index(assigned.number) < html.index(on_site.number)


@pytest.mark.django_db
def test_other_crew_leader_sees_none_of_them(other_leader_client, make_order):
    order = make_order("dispatched")
    response = other_leader_client.get(QUEUE)
    assert response.status_code == 200
    assert _queued(response) == {}
    assert order.number not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["worker_client", "dispatcher_client", "manager_client"])
def test_queue_is_a_404_for_everyone_but_leaders(request, client_name):
    assert request.getfixturevalue(client_name).get(QUEUE).status_code == 404


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(anon_client):
    response = anon_client.get(QUEUE)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_overdue_orders_are_highlighted_with_time_exceeded(leader_client, make_order):
    late = make_order("dispatched", now=timezone.now() - timedelta(days=5))
    fresh = make_order("dispatched")
    response = leader_client.get(QUEUE)
    assert response.context["overdue_count"] == 1
    html = response.content.decode()
    assert f'class="card queue-card is-overdue" id="order-{late.pk}"' in html
    assert f'class="card queue-card" id="order-{fresh.pk}"' in html
    assert html.count("badge overdue") == 2  # the summary, and the late row's deadline badge (time exceeded)
    assert ("badge ok" in html) or ("badge near" in html)  # the fresh one: time remaining


@pytest.mark.django_db
def test_filters_by_urgency_and_worker(leader_client, make_order, worker, other_worker, leader):

    emergency = make_order("dispatched", urgency="emergency")
    normal = make_order("dispatched", urgency="normal")
    mine = make_order("dispatched")
    assign_order(actor=leader.user, order_id=mine.id, worker=other_worker)
    assert set(_queued(leader_client.get(QUEUE, {"urgency": "emergency"}))) == {emergency.number}
    assert set(_queued(leader_client.get(QUEUE, {"worker": other_worker.pk}))) == {mine.number}
    assert normal.number in _queued(leader_client.get(QUEUE, {"district": normal.district_id}))


@pytest.mark.django_db
def test_bad_filter_shows_its_error_and_an_empty_queue_not_a_500(leader_client, make_order):
    order = make_order("dispatched")
    response = leader_client.get(QUEUE, {"worker": "999999", "urgency": "nonsense"})
    assert response.status_code == 200
    assert order.number not in _queued(response)
    assert set(response.context["filterset"].errors) == {"worker", "urgency"}
    assert 'class="filter-errors error"' in response.content.decode()


@pytest.mark.django_db
def test_the_queue_form_sent_with_empty_controls_means_any(leader_client, make_order):
    order = make_order("dispatched")
    # What the page's form sends when nothing is chosen: every control, empty.
    response = leader_client.get(QUEUE, {"urgency": "", "district": "", "category": "", "worker": ""})
    assert not response.context["filterset"].errors
    assert order.number in _queued(response)


@pytest.mark.django_db
def test_worker_load_and_the_suggestion_prefers_the_on_duty_worker(
    leader_client, make_order, worker, other_worker
):
    make_order("assigned")
    make_order("accepted")  # both on `worker`
    f.DutyShiftFactory(worker=worker)
    response = leader_client.get(QUEUE)
    loads = {w.pk: (w.load, w.on_duty) for w in response.context["workers"]}
    assert loads[worker.pk] == (2, True)
    assert loads[other_worker.pk] == (0, False)
    assert response.context["suggested"] == worker  # on duty beats less loaded


@pytest.mark.django_db
def test_suggestion_is_least_loaded_when_nobody_is_on_duty(leader_client, make_order, worker, other_worker):
    make_order("assigned")
    assert leader_client.get(QUEUE).context["suggested"] == other_worker


@pytest.mark.django_db
def test_htmx_request_gets_the_fragment(leader_client, make_order):
    order = make_order("dispatched")
    response = leader_client.get(QUEUE, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert order.number in html and "<html" not in html


@pytest.mark.django_db
def test_assign_from_the_queue_returns_to_the_queue(leader_client, make_order, other_worker):
    order = make_order("dispatched")
    response = leader_client.post(
        f"/orders/{order.pk}/do/assign/", {"worker": other_worker.pk, "next": QUEUE + "?urgency=normal"}
    )
    assert response.status_code == 302 and response["Location"] == QUEUE + "?urgency=normal"
    order.refresh_from_db()
    assert (order.status, order.worker_id) == ("assigned", other_worker.pk)
    page = leader_client.get(QUEUE).content.decode()
    assert f"工单 {order.number}：已“指派”给 {other_worker.name}。" in page  # the message says to whom


@pytest.mark.django_db
def test_leader_cannot_assign_a_worker_of_another_crew(leader_client, make_order, other_leader):
    order = make_order("dispatched")
    stranger = f.WorkerFactory(crew=other_leader.crew)
    response = leader_client.post(f"/orders/{order.pk}/do/assign/", {"worker": stranger.pk})
    assert response.status_code == 400  # not among the choices
    order.refresh_from_db()
    assert order.status == "dispatched"


@pytest.mark.django_db
def test_other_crew_leader_posting_assign_gets_404(other_leader_client, make_order, worker):
    order = make_order("dispatched")
    response = other_leader_client.post(f"/orders/{order.pk}/do/assign/", {"worker": worker.pk})
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "dispatched"


@pytest.mark.django_db
def test_leader_approves_a_hold_request(leader_client, worker_client, make_order):
    order = make_order("on_site")
    worker_client.post(f"/orders/{order.pk}/do/request_hold/", {"reason": "waiting_parts", "note": "缺阀门"})
    response = leader_client.get(QUEUE)
    assert response.context["hold_requests"] == 1
    assert f"/orders/{order.pk}/do/hold/" in response.content.decode()
    leader_client.post(f"/orders/{order.pk}/do/hold/", {"reason": "waiting_parts", "next": QUEUE})
    order.refresh_from_db()
    assert (order.status, order.hold_reason, order.hold_requested_reason) == ("on_hold", "waiting_parts", "")


@pytest.mark.django_db
def test_leader_refuses_a_hold_request(leader_client, worker_client, make_order):
    order = make_order("accepted")
    worker_client.post(f"/orders/{order.pk}/do/request_hold/", {"reason": "resident_away"})
    leader_client.post(f"/orders/{order.pk}/do/refuse_hold/", {"note": "今天必须修好"})
    order.refresh_from_db()
    assert (order.status, order.hold_requested_reason) == ("accepted", "")
    assert order.events.filter(kind="refuse_hold", note="今天必须修好").exists()


@pytest.mark.django_db
def test_hand_back_needs_reason_and_text_then_goes_back_to_the_desk(leader_client, make_order):
    order = make_order("dispatched")
    response = leader_client.post(
        f"/orders/{order.pk}/do/hand_back/", {"reason": "not_our_trade", "note": ""}
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "dispatched"
    response = leader_client.post(
        f"/orders/{order.pk}/do/hand_back/", {"reason": "not_our_trade", "note": "是电工的活"}
    )
    order.refresh_from_db()
    assert (order.status, order.crew_id) == ("received", None)
    assert response.status_code == 302 and response["Location"] == QUEUE  # no longer visible to the leader
    event = order.events.get(kind="hand_back")
    assert (event.data["reason"], event.note) == ("not_our_trade", "是电工的活")


@pytest.mark.django_db
def test_hand_back_with_a_reason_outside_the_list_is_refused(leader_client, make_order):
    order = make_order("dispatched")
    response = leader_client.post(f"/orders/{order.pk}/do/hand_back/", {"reason": "lazy", "note": "x"})
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == "dispatched"


@pytest.mark.django_db
def test_transfer_within_the_crew(leader_client, make_order, other_worker):
    order = make_order("accepted")
    leader_client.post(f"/orders/{order.pk}/do/transfer/", {"worker": other_worker.pk, "reason": "他更近"})
    order.refresh_from_db()
    assert (order.status, order.worker_id) == ("assigned", other_worker.pk)


@pytest.mark.django_db
def test_leader_cannot_transfer_to_another_crew(leader_client, make_order, other_crew):
    order = make_order("accepted")
    response = leader_client.post(f"/orders/{order.pk}/do/transfer/", {"crew": other_crew.pk, "reason": "x"})
    assert response.status_code == 400  # the leader's form has no crew field: no target chosen
    order.refresh_from_db()
    assert order.crew_id != other_crew.pk


@pytest.mark.django_db
def test_leader_requests_an_extension_for_a_planned_job(leader_client, make_order):
    # A plan completes within 10 working days by default; the leader may ask for up to the 15-day cap.
    order = make_order("accepted", urgency="planned")
    until = timezone.localtime(order.complete_by + timedelta(days=2)).replace(second=0, microsecond=0)
    response = leader_client.get(f"/orders/{order.pk}/")
    assert f"/orders/{order.pk}/do/request_extension/" in response.content.decode()
    response = leader_client.post(
        f"/orders/{order.pk}/do/request_extension/",
        {"until": until.strftime("%Y-%m-%dT%H:%M"), "note": "等材料到货"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.extension_requested_until == until
    assert order.events.filter(kind="request_extension", note="等材料到货").count() == 1


@pytest.mark.django_db
def test_an_extension_past_the_cap_is_refused_inline_and_changes_nothing(leader_client, make_order):
    order = make_order("accepted", urgency="planned")
    until = timezone.localtime(order.complete_by + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    response = leader_client.post(
        f"/orders/{order.pk}/do/request_extension/", {"until": until, "note": "等材料到货"}
    )
    assert response.status_code == 400
    form = next(m["form"] for m in response.context["move_forms"] if m["move"] == "request_extension")
    # The service's message sits at the field it is about (config.htmx.apply_validation_error).
    assert form.errors["until"] and form["note"].value() == "等材料到货"
    order.refresh_from_db()
    assert order.extension_requested_until is None


@pytest.mark.django_db
def test_request_extension_needs_a_date(leader_client, make_order):
    order = make_order("accepted", urgency="planned")
    response = leader_client.post(f"/orders/{order.pk}/do/request_extension/", {"until": "", "note": "x"})
    assert response.status_code == 400
    assert not order.events.filter(kind="request_extension").exists()


@pytest.mark.django_db
def test_extension_is_not_offered_for_a_normal_job(leader_client, make_order):
    order = make_order("accepted", urgency="normal")
    assert "request_extension" not in leader_client.get(f"/orders/{order.pk}/").content.decode()


def _queue_queries(client, django_assert_num_queries):
    # 1 session, 2 user with their groups (crews.auth), 3 the leader's Worker row, 4 the list's version (for
    # the poller), 5 the figures (total, overdue, hold requests: one aggregate), 6 the page of orders (one
    # join), 7 the crew's workers with load and duty (one aggregate), 8-10 the filter choices: districts,
    # categories of the crew's trade (with parent), the crew's workers
    with django_assert_num_queries(10):
        response = client.get(QUEUE)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("count", [5, 30])
def test_queue_query_count_is_flat(
    leader_client, make_order, worker, leader, count, django_assert_num_queries
):
    from workorders.actions.field_work import request_hold

    for i in range(count):
        order = make_order(
            ["dispatched", "assigned", "on_site"][i % 3], urgency=["emergency", "normal"][i % 2]
        )
        if i % 4 == 0 and order.status == "on_site":
            request_hold(actor=worker.user, order_id=order.id, reason="waiting_parts")
    response = _queue_queries(leader_client, django_assert_num_queries)
    assert response.context["total"] == count
    assert WorkOrder.objects.count() == count


@pytest.mark.django_db
def test_every_assignable_row_offers_the_crews_workers_with_their_load_and_the_suggestion_selected(
    leader_client, make_order, worker, other_worker
):
    import re

    first, second = make_order("dispatched"), make_order("dispatched")
    make_order("assigned")  # on `worker`'s hands: their load is 1
    html = leader_client.get(QUEUE).content.decode()
    selects = {
        pk: re.search(rf'<select id="assign-{pk}"[^>]*>(.*?)</select>', html, re.S).group(1)
        for pk in (first.pk, second.pk)
    }
    assert selects[first.pk] == selects[second.pk]  # rendered once for the page, the same on every row
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]*)</option>', selects[first.pk])
    by_worker = {int(pk): (bool(sel), label) for pk, sel, label in options}
    assert set(by_worker) >= {worker.pk, other_worker.pk}
    assert by_worker[worker.pk][1].startswith(f"{worker.name}（1")
    assert by_worker[other_worker.pk][1].startswith(f"{other_worker.name}（0")
    assert sum(sel for sel, _ in by_worker.values()) == 1
