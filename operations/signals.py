"""Domain events of the operations app for higher apps, sent on commit by the overdue watch with the row's id.

Receivers must be idempotent (their notices are keyed by round or hazard and level): a watch that runs twice
takes each step once, and a periodic run produces the same effect if a signal is lost."""

from django.dispatch import Signal

round_escalated = Signal()  # round_id, level — 1: the crew's leaders (SMS), 2: the managers (an alert)
hazard_escalated = Signal()  # hazard_id, level — the same steps for a hazard past its rectification date
