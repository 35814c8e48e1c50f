"""Every domain signal an app defines has a receiver: a signal nobody listens to is dead wiring (issue 18)."""

from django.dispatch import Signal

from workorders import signals

# The overdue watch's signal: its receiver (notify the leader, then the manager) is the crew issue's.
AWAITING_RECEIVER = {"order_escalated"}


def test_every_work_order_signal_has_a_receiver():
    defined = {name: s for name, s in vars(signals).items() if isinstance(s, Signal)}
    assert {"order_created", "order_status_changed", "order_completed"} <= set(defined)
    without = sorted(
        name for name, s in defined.items() if not s.has_listeners() and name not in AWAITING_RECEIVER
    )
    assert without == []
