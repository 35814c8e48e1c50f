"""The whole transition table as a grid: every (state, move) pair is either performed by the right actor with
exactly one event of that kind, or refused — TransitionNotAllowed from the service and 409 from the API.
Where the state already is what the request asks for, the identical request is a no-op (200, no event)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from workorders.actions import TransitionNotAllowed
from workorders.actions.dispatching import transfer_order
from workorders.actions.field_work import (
    complete_order,
    hold_order,
    request_extension,
    request_hold,
    resume_order,
)
from workorders.choices import Move, Status
from workorders.lifecycle import TRANSITIONS, target_of
from workorders.models import WorkOrder
from workorders.moves import MOVES

pytestmark = pytest.mark.django_db

STATES = list(Status.values)
# Every move of the table, each performed through the registry's service and the registry's API route.
GRID_MOVES = list(TRANSITIONS)

# (state, move) where the state already is the result of the move: the identical request is a no-op.
REPEATS = {
    (Status.DISPATCHED, Move.DISPATCH),
    (Status.ASSIGNED, Move.ASSIGN),
    (Status.ACCEPTED, Move.ACCEPT),
    (Status.ON_SITE, Move.ARRIVE),
    (Status.ON_HOLD, Move.HOLD),
    (Status.COMPLETED, Move.COMPLETE),
    (Status.CLOSED, Move.CLOSE),
    (Status.CANCELLED, Move.CANCEL),
}
# Moves only planned jobs have.
PLANNED_ONLY = {Move.REQUEST_EXTENSION, Move.EXTEND}


class Cast:
    """The actors and targets of one grid cell."""

    def __init__(self, dispatcher, leader, worker, other_worker, manager, crew, other_crew):
        self.dispatcher, self.leader, self.worker, self.manager = dispatcher, leader, worker, manager
        self.other_worker, self.crew, self.other_crew = other_worker, crew, other_crew


@pytest.fixture
def cast(dispatcher, leader, worker, other_worker, manager, crew, other_crew):
    return Cast(dispatcher, leader, worker, other_worker, manager, crew, other_crew)


def _until(order: WorkOrder):
    return order.complete_by + timedelta(days=2)


def spec(move: str, c: Cast, order: WorkOrder):
    """(actor, service kwargs, API body) for a fresh (non-repeat) request of `move`."""
    complete = {
        "resolution": "更换密封圈",
        "checklist": dict.fromkeys(("greeting", "shoe_covers", "cloth", "inspection", "note_left"), True),
        "inspection_findings": "顺查无异常",
        "materials": [{"name": "密封圈", "quantity": "1", "unit_price": "2.00"}],
    }
    table = {
        # A different crew / worker than make_order's, so a "dispatched"/"assigned" order is no repeat.
        Move.DISPATCH: (c.dispatcher, {"crew": c.other_crew}, {"crew": c.other_crew.id}),
        Move.ASSIGN: (c.leader.user, {"worker": c.other_worker}, {"worker": c.other_worker.id}),
        Move.ACCEPT: (c.worker.user, {}, {}),
        Move.ARRIVE: (c.worker.user, {}, {}),
        Move.REQUEST_HOLD: (c.worker.user, {"reason": "resident_away"}, {"reason": "resident_away"}),
        Move.REFUSE_HOLD: (c.leader.user, {"note": "先修好"}, {"note": "先修好"}),
        Move.HOLD: (c.leader.user, {"reason": "waiting_parts"}, {"reason": "waiting_parts"}),
        Move.RESUME: (c.leader.user, {}, {}),
        Move.COMPLETE: (c.worker.user, complete, complete),
        Move.CLOSE: (c.manager, {}, {}),
        Move.CANCEL: (c.dispatcher, {"reason": "withdrawn"}, {"reason": "withdrawn"}),
        Move.HAND_BACK: (
            c.leader.user,
            {"reason": "not_our_trade", "note": "属电工"},
            {"reason": "not_our_trade", "note": "属电工"},
        ),
        Move.TRANSFER: (
            c.dispatcher,
            {"crew": c.other_crew, "reason": "改派电工"},
            {"crew": c.other_crew.id, "reason": "改派电工"},
        ),
        Move.REMIND: (c.dispatcher, {"note": "住户再次来电"}, {"note": "住户再次来电"}),
        Move.SUPERVISE: (c.manager, {"note": "今日办结"}, {"note": "今日办结"}),
        Move.REWORK: (c.manager, {"reason": "回访不满意"}, {"reason": "回访不满意"}),
        Move.REQUEST_EXTENSION: (
            c.leader.user,
            {"until": _until(order), "reason": "等材料"},
            {"until": _until(order).isoformat(), "reason": "等材料"},
        ),
        Move.EXTEND: (c.manager, {"note": "同意"}, {"note": "同意"}),
    }
    return table[move]


def service(move: str):
    return MOVES[move].service


def expected_target(move: str, state: str) -> str:
    if move == Move.RESUME:
        return target_of(move, Status.ACCEPTED)  # make_order holds from accepted
    if move == Move.TRANSFER:
        return target_of(move, "crew")  # the grid transfers to a crew
    return target_of(move) or state


def prepare(move: str, order: WorkOrder, c: Cast) -> None:
    """What a move needs beyond the state: a hold request to refuse, an extension request to approve."""
    if move == Move.REFUSE_HOLD and order.status in (Status.ACCEPTED, Status.ON_SITE):
        request_hold(actor=c.worker.user, order_id=order.id, reason="waiting_parts")
    if move == Move.EXTEND and order.status in TRANSITIONS[Move.EXTEND][0]:
        request_extension(actor=c.leader.user, order_id=order.id, until=_until(order), reason="等材料")


def url(order: WorkOrder, move: str) -> str:
    path = MOVES[move].api_path if move in MOVES else move  # the registry's route; other actions by name
    return f"/api/v1/work-orders/{order.id}/{path}/"


def test_grid_covers_every_state_and_move():
    assert len(STATES) * len(GRID_MOVES) == 9 * 18
    for state, move in REPEATS:
        assert state not in TRANSITIONS[move][0], "a repeat is never also a fresh move"


@pytest.mark.parametrize("move", GRID_MOVES)
@pytest.mark.parametrize("state", STATES)
def test_every_state_and_move(
    state, move, make_order, cast, dispatcher_client, leader_client, worker_client, manager_client
):
    urgency = {"urgency": "planned"} if move in PLANNED_ONLY else {}
    order = make_order(state, **urgency)
    prepare(move, order, cast)
    order.refresh_from_db()
    actor, kwargs, body = spec(move, cast, order)
    client = {
        cast.dispatcher.pk: dispatcher_client,
        cast.leader.user.pk: leader_client,
        cast.worker.user.pk: worker_client,
        cast.manager.pk: manager_client,
    }[actor.pk]
    events_before = order.events.count()
    sources = TRANSITIONS[move][0]

    if state in sources:
        response = client.post(url(order, move), body, content_type="application/json")
        assert response.status_code == 200, response.json()
        order.refresh_from_db()
        new = list(order.events.order_by("id")[events_before:])
        assert [e.kind for e in new] == [move]
        assert (new[0].from_status, new[0].to_status) == (state, expected_target(move, state))
        assert new[0].actor_id == actor.pk
        assert order.status == expected_target(move, state)
        assert response.json()["status"] == order.status
        return

    if (state, move) in REPEATS:
        # The identical request (make_order's own crew / worker) is a no-op, through the API too.
        repeat_kwargs, repeat_body = dict(kwargs), dict(body)
        if move == Move.DISPATCH:
            repeat_kwargs, repeat_body = {"crew": cast.crew}, {"crew": cast.crew.id}
        if move == Move.ASSIGN:
            repeat_kwargs, repeat_body = {"worker": cast.worker}, {"worker": cast.worker.id}
        if move == Move.HOLD:
            repeat_kwargs = repeat_body = {"reason": "waiting_parts"}
        service(move)(actor=actor, order_id=order.id, **repeat_kwargs)
        response = client.post(url(order, move), repeat_body, content_type="application/json")
        assert response.status_code == 200, response.json()
        assert order.events.count() == events_before
        assert WorkOrder.objects.get(pk=order.pk).status == state
        if move not in (Move.DISPATCH, Move.ASSIGN):
            return  # nothing else could be asked of this state

    with pytest.raises(TransitionNotAllowed) as refused:
        service(move)(actor=actor, order_id=order.id, **kwargs)
    assert order.number in refused.value.message
    # The manager sees every order, so the API answer is the table's, not visibility's.
    response = manager_client.post(url(order, move), body, content_type="application/json")
    assert response.status_code == 409, (response.status_code, response.json())
    assert response.json()["detail"] == refused.value.message
    assert order.events.count() == events_before
    assert WorkOrder.objects.get(pk=order.pk).status == state


def test_refusals_happen_before_anything_is_written(make_order, cast):
    order = make_order("received")
    before = (order.updated_at, order.events.count())
    with pytest.raises(TransitionNotAllowed):
        complete_order(actor=cast.worker.user, order_id=order.id, **spec(Move.COMPLETE, cast, order)[1])
    order.refresh_from_db()
    assert (order.updated_at, order.events.count()) == before
    assert order.resolution == "" and not order.materials.exists()


def test_transfer_to_a_worker_leads_to_assigned(make_order, cast):
    order = make_order("accepted")
    transfer_order(actor=cast.leader.user, order_id=order.id, worker=cast.other_worker, reason="换人")
    order.refresh_from_db()
    event = order.events.last()
    assert (order.status, order.worker_id, order.accepted_at) == ("assigned", cast.other_worker.id, None)
    assert (event.kind, event.from_status, event.to_status) == ("transfer", "accepted", "assigned")


def test_resume_returns_to_the_state_held_from(make_order, cast):
    order = make_order("on_site")
    hold_order(actor=cast.leader.user, order_id=order.id, reason="resident_away")
    resume_order(actor=cast.worker.user, order_id=order.id, now=timezone.now() + timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == "on_site"
    assert order.events.last().to_status == "on_site"


def test_a_leader_holds_an_assigned_order_waiting_for_a_part_and_resume_returns_it_to_assigned(
    make_order, cast
):
    order = make_order("assigned")
    with pytest.raises(PermissionDenied):  # the worker asks for a hold, they do not decide it
        hold_order(actor=cast.worker.user, order_id=order.id, reason="waiting_parts")
    hold_order(actor=cast.leader.user, order_id=order.id, reason="waiting_parts")
    order.refresh_from_db()
    assert (order.status, order.held_from_status, order.hold_reason) == (
        "on_hold",
        "assigned",
        "waiting_parts",
    )
    respond_by = order.respond_by
    resume_order(actor=cast.leader.user, order_id=order.id, now=order.on_hold_since + timedelta(hours=2))
    order.refresh_from_db()
    assert order.status == "assigned" and order.respond_by == respond_by + timedelta(hours=2)
    resume_order(actor=cast.leader.user, order_id=order.id)  # the same request again: a no-op
    assert order.events.filter(kind="resume").count() == 1


def test_the_table_names_every_target():
    """Resume and transfer end where the table says: resume in the state held from, transfer by its target."""
    assert target_of(Move.RESUME, Status.ON_SITE) == Status.ON_SITE
    assert target_of(Move.RESUME, Status.ACCEPTED) == Status.ACCEPTED
    assert target_of(Move.TRANSFER, "crew") == Status.DISPATCHED
    assert target_of(Move.TRANSFER, "worker") == Status.ASSIGNED
    assert target_of(Move.REMIND) is None
