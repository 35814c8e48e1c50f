"""Every write of feedback (DESIGN §6–§7), one module per domain: follow-ups and their attempts, the
resident's rating link, SMS notifications and manager alerts, complaints, praise, quality inspections, the
monthly assessment and exports.

Idempotency is built in, not hoped for: a follow-up is unique per order completion (order, round); a
notification and an alert are unique by `key`; periodic work claims each row with a conditional UPDATE
(`…filter(state=old).update(state=new)` — one winner even when two beats run at once), so a retried task or a
second sweep finds the work done and does nothing. Work orders change only through workorders.actions.
"""

from __future__ import annotations


def _task(name: str):
    from .. import tasks

    return getattr(tasks, name)
