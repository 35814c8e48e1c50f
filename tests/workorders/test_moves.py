"""The moves registry (workorders.moves) is the one place a move is wired: every move of the transition table
has an entry, every entry has its API route (the paths of shared/API.md), the order pages offer its form and
the board calls its service."""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from workorders.api.views import WorkOrderViewSet
from workorders.choices import Move
from workorders.lifecycle import TRANSITIONS
from workorders.moves import MOVES

# The action paths the API contract (shared/API.md) and its clients rely on.
DOCUMENTED_PATHS = {
    "dispatch",
    "assign",
    "accept",
    "arrive",
    "request-hold",
    "refuse-hold",
    "hold",
    "resume",
    "complete",
    "close",
    "cancel",
    "hand-back",
    "transfer",
    "remind",
    "supervise",
    "rework",
    "request-extension",
    "extend",
}


def test_every_move_of_the_table_is_in_the_registry_and_nothing_else():
    assert set(MOVES) == set(TRANSITIONS)


def test_the_registry_routes_are_the_documented_ones():
    assert {spec.api_path for spec in MOVES.values()} == DOCUMENTED_PATHS


@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_has_its_api_route(move):
    spec = MOVES[move]
    path = f"/api/v1/work-orders/7/{spec.api_path}/"
    match = resolve(path)
    assert match.func.cls is WorkOrderViewSet
    assert match.func.actions == {"post": spec.api_name}
    assert match.kwargs == {"pk": "7"}
    assert reverse(f"work-order-{spec.api_path}", args=[7]) == path


def test_the_viewset_has_one_action_per_move_plus_the_others():
    actions = {a.url_path for a in WorkOrderViewSet.get_extra_actions()}
    assert actions == DOCUMENTED_PATHS | {"events", "attachments"}


def test_the_html_forms_and_labels_come_from_the_registry():
    for move, spec in MOVES.items():
        assert spec.label == Move(move).label
        if move == Move.COMPLETE:
            assert spec.form is None  # the completion page has its own form
        else:
            assert set(spec.form_fields) <= set(spec.form.base_fields), move
    assert {m for m, spec in MOVES.items() if spec.danger} == {Move.CANCEL, Move.HAND_BACK, Move.REFUSE_HOLD}


@pytest.mark.django_db
def test_an_unknown_or_formless_move_is_a_404_on_the_page(worker_client, make_order):
    order = make_order("on_site")
    assert worker_client.post(f"/orders/{order.pk}/do/fly/").status_code == 404
    assert worker_client.post(f"/orders/{order.pk}/do/complete/").status_code == 404
    order.refresh_from_db()
    assert order.status == "on_site"
