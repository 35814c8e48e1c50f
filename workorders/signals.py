"""Domain events of work orders for higher apps; sent on commit by workorders.actions.perform with `order_id`.

Receivers must be idempotent: a periodic sweep produces the same effect if a signal is lost to a crash."""

from django.dispatch import Signal

order_created = Signal()  # order_id, order (the instance as created: receivers need not read it again)
order_moved = (
    Signal()
)  # order_id, move, event_id — every move, also those that keep the state (remind, supervise)
order_status_changed = Signal()  # order_id, move, from_status, to_status
order_completed = Signal()  # order_id
order_escalated = Signal()  # order_id, level, deadline — the overdue watch took a step (notify someone)
