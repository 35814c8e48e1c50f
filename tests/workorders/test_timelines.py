"""The demo's timelines are histories the application could have written: paths through TRANSITIONS."""

from collections.abc import Iterable
from datetime import datetime

import pytest
from django.core.management import call_command

from workorders.choices import Move, Status
from workorders.lifecycle import TRANSITIONS
from workorders.models import WorkOrder


def path_problems(events: Iterable[tuple[str, str, str]]) -> list[str]:
    """What is wrong with a timeline of (kind, from, to) in time order, measured against the table."""
    problems, state, held_from = [], None, None
    for i, (kind, frm, to) in enumerate(events):
        if i == 0:
            if (kind, frm, to) != (Move.CREATE, "", Status.RECEIVED):
                problems.append(f"starts with {kind} {frm}→{to}")
            state = to
            continue
        sources, target = TRANSITIONS[kind]
        if frm != state:
            problems.append(f"{kind} from {frm} while the order is {state}")
        if frm not in sources:
            problems.append(f"{kind} is not possible from {frm}")
        if kind == Move.RESUME:
            expected = {held_from}
        elif isinstance(target, dict):
            expected = set(target.values())
        else:
            expected = {target or frm}
        if to not in expected:
            problems.append(f"{kind} {frm}→{to}, the table says {sorted(str(s) for s in expected)}")
        if kind == Move.HOLD:
            held_from = frm
        state = to
    return problems


def test_the_checker_finds_a_step_off_the_table():
    create = (Move.CREATE, "", Status.RECEIVED)
    assert path_problems([create, (Move.DISPATCH, "received", "dispatched")]) == []
    assert path_problems([create, (Move.ASSIGN, "received", "assigned")]) == [
        "assign is not possible from received"
    ]
    rework = [
        create,
        (Move.DISPATCH, "received", "dispatched"),
        (Move.ASSIGN, "dispatched", "assigned"),
        (Move.ACCEPT, "assigned", "accepted"),
        (Move.ARRIVE, "accepted", "on_site"),
        (Move.COMPLETE, "on_site", "completed"),
    ]
    assert path_problems([*rework, (Move.REWORK, "completed", "dispatched")]) == []
    assert path_problems([*rework, (Move.REWORK, "completed", "assigned")]) == [
        "rework completed→assigned, the table says ['dispatched']"
    ]
    held = [*rework[:5], (Move.HOLD, "on_site", "on_hold")]
    assert path_problems([*held, (Move.RESUME, "on_hold", "on_site")]) == []
    assert path_problems([*held, (Move.RESUME, "on_hold", "accepted")]) == [
        "resume on_hold→accepted, the table says ['on_site']"
    ]


@pytest.mark.django_db
def test_every_demo_timeline_is_a_path_through_the_table():
    call_command("seed_demo", scale="small", seed=5, quiet_logins=True)
    orders = list(WorkOrder.objects.prefetch_related("events"))
    assert len(orders) > 50
    kinds = set()
    for order in orders:
        events = sorted(order.events.all(), key=lambda e: (e.at, e.id))
        kinds |= {e.kind for e in events}
        assert path_problems([(e.kind, e.from_status, e.to_status) for e in events]) == [], order.number
        assert events[-1].to_status == order.status
    assert {Move.CLOSE, Move.CANCEL} <= kinds


def test_the_bench_generator_writes_paths_through_the_table():
    """bench/generate.py builds each order's timeline with `order_timeline` (no database needed)."""
    import random

    from bench.generate import order_timeline

    rng = random.Random(4)
    end = datetime(2026, 11, 30).timestamp()
    seen = set()
    for i in range(3000):
        created = end - rng.uniform(0, 60) * 86400
        deadlines = (created + 1800, created + 7200, created + 86400)
        timeline = order_timeline(rng, created=created, end=end, deadlines=deadlines, rework_rate=0.2)
        events = sorted(timeline.events, key=lambda e: e[1])
        seen |= {kind for kind, *_rest in events}
        path = [(kind, frm, to) for kind, _at, _role, frm, to, _note in events]
        assert path_problems(path) == [], (i, path)
    assert {Move.REWORK, Move.RESUME, Move.HOLD, Move.CANCEL, Move.REMIND, Move.CLOSE} <= seen
