"""Who may do what (DESIGN §3): per role, the allowed and the denied case of every move from one shared setup;
and visibility: a leader of another crew and a worker not assigned get 404 everywhere and see no list row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from tests.workorders.test_transitions import Cast, prepare, spec, url
from workorders.actions.closing import close_order
from workorders.actions.dispatching import assign_order, dispatch_order, transfer_order
from workorders.actions.field_work import hold_order, request_hold
from workorders.choices import Move, Status
from workorders.lifecycle import TRANSITIONS
from workorders.moves import MOVES

pytestmark = pytest.mark.django_db

ROLES = ("dispatcher", "leader", "worker", "manager")
ALLOWED = {
    "dispatcher": {Move.DISPATCH, Move.CANCEL, Move.TRANSFER, Move.REMIND},
    "leader": {
        Move.ASSIGN,
        Move.REFUSE_HOLD,
        Move.HOLD,
        Move.RESUME,
        Move.HAND_BACK,
        Move.TRANSFER,
        Move.REQUEST_EXTENSION,
    },
    "worker": {Move.ASSIGN, Move.ACCEPT, Move.ARRIVE, Move.REQUEST_HOLD, Move.RESUME, Move.COMPLETE},
    "manager": {
        Move.DISPATCH,
        Move.ASSIGN,
        Move.REFUSE_HOLD,
        Move.HOLD,
        Move.RESUME,
        Move.CLOSE,
        Move.CANCEL,
        Move.TRANSFER,
        Move.REMIND,
        Move.SUPERVISE,
        Move.REWORK,
        Move.EXTEND,
    },
}
# The state each move is tried from (one the table allows).
FROM = {
    Move.DISPATCH: Status.RECEIVED,
    Move.ASSIGN: Status.DISPATCHED,
    Move.ACCEPT: Status.ASSIGNED,
    Move.ARRIVE: Status.ACCEPTED,
    Move.REQUEST_HOLD: Status.ACCEPTED,
    Move.REFUSE_HOLD: Status.ACCEPTED,
    Move.HOLD: Status.ACCEPTED,
    Move.RESUME: Status.ON_HOLD,
    Move.COMPLETE: Status.ON_SITE,
    Move.CLOSE: Status.COMPLETED,
    Move.CANCEL: Status.ASSIGNED,
    Move.HAND_BACK: Status.ASSIGNED,
    Move.TRANSFER: Status.ASSIGNED,
    Move.REMIND: Status.ASSIGNED,
    Move.SUPERVISE: Status.ASSIGNED,
    Move.REWORK: Status.COMPLETED,
    Move.REQUEST_EXTENSION: Status.ASSIGNED,
    Move.EXTEND: Status.ASSIGNED,
}
# Orders the leader / the worker cannot see (no crew yet / not theirs yet): there the API answers 404.
INVISIBLE = {"leader": {Status.RECEIVED}, "worker": {Status.RECEIVED}}


def test_role_table_matches_the_rules():
    assert set(FROM) == set(TRANSITIONS)
    for move, state in FROM.items():
        assert state in TRANSITIONS[move][0]
    assert {m for moves in ALLOWED.values() for m in moves} == set(TRANSITIONS)


def _actor_and_args(role: str, move: str, c: Cast, order):
    _default_actor, kwargs, body = spec(move, c, order)
    actor = {
        "dispatcher": c.dispatcher,
        "leader": c.leader.user,
        "worker": c.worker.user,
        "manager": c.manager,
    }[role]
    if move == Move.ASSIGN and role == "worker":  # a worker takes a pooled order for themself
        kwargs, body = {"worker": c.worker}, {"worker": c.worker.id}
    if move == Move.TRANSFER and role == "leader":  # a leader transfers within the crew
        kwargs = {"worker": c.other_worker, "reason": "换人"}
        body = {"worker": c.other_worker.id, "reason": "换人"}
    return actor, kwargs, body


@pytest.fixture
def cast(dispatcher, leader, worker, other_worker, manager, crew, other_crew):
    return Cast(dispatcher, leader, worker, other_worker, manager, crew, other_crew)


@pytest.fixture
def clients(dispatcher_client, leader_client, worker_client, manager_client):
    return {
        "dispatcher": dispatcher_client,
        "leader": leader_client,
        "worker": worker_client,
        "manager": manager_client,
    }


@pytest.mark.parametrize("move", list(TRANSITIONS))
@pytest.mark.parametrize("role", ROLES)
def test_role_may_or_may_not_make_the_move(role, move, make_order, cast, clients):
    planned = {"urgency": "planned"} if move in (Move.REQUEST_EXTENSION, Move.EXTEND) else {}
    order = make_order(FROM[move], **planned)
    prepare(move, order, cast)
    order.refresh_from_db()
    actor, kwargs, body = _actor_and_args(role, move, cast, order)
    events = order.events.count()
    if move in ALLOWED[role]:
        response = clients[role].post(url(order, move), body, content_type="application/json")
        assert response.status_code == 200, response.json()
        assert order.events.count() == events + 1
        assert order.events.last().kind == move
        return
    with pytest.raises(PermissionDenied):
        MOVES[move].service(actor=actor, order_id=order.id, **kwargs)
    response = clients[role].post(url(order, move), body, content_type="application/json")
    expected = 404 if FROM[move] in INVISIBLE.get(role, ()) else 403
    assert response.status_code == expected, response.json()
    assert order.events.count() == events
    assert order.status == type(order).objects.get(pk=order.pk).status


def test_worker_may_not_assign_a_colleague_from_the_pool(make_order, cast):
    order = make_order("dispatched")
    with pytest.raises(PermissionDenied):
        assign_order(actor=cast.worker.user, order_id=order.id, worker=cast.other_worker)
    order.refresh_from_db()
    assert (order.status, order.worker_id) == ("dispatched", None)


def test_leader_may_not_transfer_to_another_crew(make_order, cast):
    order = make_order("assigned")
    with pytest.raises(PermissionDenied):
        transfer_order(actor=cast.leader.user, order_id=order.id, crew=cast.other_crew, reason="不归我们")
    assert type(order).objects.get(pk=order.pk).crew_id == cast.crew.id


def test_a_repeat_is_no_loophole_for_someone_not_entitled(make_order, cast, worker_client):
    order = make_order("dispatched")
    # The worker cannot dispatch; that the order already went to this crew does not turn 403 into 200.
    with pytest.raises(PermissionDenied):
        dispatch_order(actor=cast.worker.user, order_id=order.id, crew=cast.crew)
    closed = make_order("closed")
    with pytest.raises(PermissionDenied):
        close_order(actor=cast.dispatcher, order_id=closed.id)


def test_anyone_without_a_role_may_not_create(leader_client, worker_client, room):
    body = {"room": room.id, "category": "water.leak_fitting", "description": "漏水"}
    for client in (leader_client, worker_client):
        response = client.post("/api/v1/work-orders/", body, content_type="application/json")
        assert response.status_code == 403
    assert not type(room).objects.get(pk=room.pk).work_orders.exists()


def test_only_the_desk_records_incidents(worker_client, dispatcher_client, district):
    body = {"title": "5区计划停水", "system": "water", "kind": "planned", "district": district.id}
    assert worker_client.post("/api/v1/incidents/", body, content_type="application/json").status_code == 403
    assert worker_client.get("/api/v1/incidents/").status_code == 200
    response = dispatcher_client.post("/api/v1/incidents/", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert response.json()["title"] == "5区计划停水"


# --- Visibility: 404 everywhere for those who may not see ------------------------------------------------


@pytest.fixture
def strangers(other_leader_client, other_worker_client):
    """A leader of another crew, and a worker of the same crew the order is not assigned to."""
    return {"other_leader": other_leader_client, "other_worker": other_worker_client}


@pytest.mark.parametrize("who", ["other_leader", "other_worker"])
def test_stranger_gets_404_on_detail_and_events(who, strangers, make_order):
    order = make_order("assigned")
    client = strangers[who]
    assert client.get(f"/api/v1/work-orders/{order.id}/").status_code == 404
    assert client.get(f"/api/v1/work-orders/{order.id}/events/").status_code == 404


@pytest.mark.parametrize("who", ["other_leader", "other_worker"])
def test_stranger_does_not_see_the_order_in_the_list(who, strangers, make_order):
    order = make_order("assigned")
    response = strangers[who].get("/api/v1/work-orders/")
    assert response.status_code == 200
    assert order.id not in [row["id"] for row in response.json()["results"]]
    assert response.json()["count"] == 0
    assert strangers[who].get(f"/api/v1/work-orders/?q={order.number}").json()["count"] == 0


@pytest.mark.parametrize("move", [*list(TRANSITIONS), "attachments"])
@pytest.mark.parametrize("who", ["other_leader", "other_worker"])
def test_stranger_gets_404_on_every_action(who, move, strangers, make_order, cast):
    order = make_order("assigned")
    body = {} if move == "attachments" else spec(move, cast, order)[2]
    events = order.events.count()
    response = strangers[who].post(url(order, move), body, content_type="application/json")
    assert response.status_code == 404, (move, response.status_code)
    assert order.events.count() == events


def test_leader_and_worker_see_their_own(
    make_order, leader_client, worker_client, other_leader_client, other_worker_client
):
    mine = make_order("assigned")
    pooled = make_order("dispatched")
    leader_ids = {row["id"] for row in leader_client.get("/api/v1/work-orders/").json()["results"]}
    worker_ids = {row["id"] for row in worker_client.get("/api/v1/work-orders/").json()["results"]}
    assert leader_ids == {mine.id, pooled.id}
    assert worker_ids == {mine.id, pooled.id}  # the crew's pool, to take from
    other_ids = {row["id"] for row in other_worker_client.get("/api/v1/work-orders/").json()["results"]}
    assert other_ids == {pooled.id}  # not the colleague's order
    assert other_leader_client.get("/api/v1/work-orders/").json()["count"] == 0


def test_anonymous_gets_401(anon_client, make_order):
    order = make_order("received")
    assert anon_client.get("/api/v1/work-orders/").status_code == 401
    assert anon_client.get(f"/api/v1/work-orders/{order.id}/").status_code == 401
    assert anon_client.post(url(order, "dispatch"), {}, content_type="application/json").status_code == 401


def test_phone_is_masked_except_for_the_desk_and_the_assigned_worker(
    make_order, dispatcher_client, leader_client, worker_client, manager_client
):
    order = make_order("assigned", reporter_phone="13800138000")
    detail = f"/api/v1/work-orders/{order.id}/"
    assert dispatcher_client.get(detail).json()["reporter_phone"] == "13800138000"
    assert manager_client.get(detail).json()["reporter_phone"] == "13800138000"
    assert worker_client.get(detail).json()["reporter_phone"] == "13800138000"
    assert leader_client.get(detail).json()["reporter_phone"] == "138****8000"
    assert leader_client.get("/api/v1/work-orders/").json()["results"][0]["reporter_phone"] == "138****8000"


def test_assigned_worker_sees_the_phone_masked_once_the_order_is_done(make_order, worker_client):
    order = make_order("completed", reporter_phone="13800138000")
    assert worker_client.get(f"/api/v1/work-orders/{order.id}/").json()["reporter_phone"] == "138****8000"


def test_moves_in_the_detail_are_the_users_buttons(make_order, worker_client, leader_client):
    order = make_order("assigned")
    assert worker_client.get(f"/api/v1/work-orders/{order.id}/").json()["moves"] == ["accept"]
    assert "hand_back" in leader_client.get(f"/api/v1/work-orders/{order.id}/").json()["moves"]


def test_hold_needs_the_leader_not_the_worker(make_order, cast):
    order = make_order("on_site")
    request_hold(actor=cast.worker.user, order_id=order.id, reason="waiting_parts")
    with pytest.raises(PermissionDenied):
        hold_order(actor=cast.worker.user, order_id=order.id)
    hold_order(actor=cast.leader.user, order_id=order.id, now=order.arrived_at + timedelta(minutes=5))
    order.refresh_from_db()
    assert (order.status, order.hold_reason) == ("on_hold", "waiting_parts")
    assert order.events.last().data == {"reason": "waiting_parts"}
