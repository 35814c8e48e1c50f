"""Demo follow-ups, complaints and the rest of feedback for `seed_demo`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction

from workorders.choices import Status, Urgency
from workorders.models import WorkOrder

from .choices import RATING_KEYS, SEEN_KEYS, FollowUpStatus, Outcome, Verdict
from .models import RATING_FIELDS, FollowUp, FollowUpAttempt

# --- Demo data -------------------------------------------------------------------------------------------


def seed_demo_follow_ups(*, rng, now: datetime) -> dict[str, int]:
    """Follow-ups for the demo orders, in bulk, so the workbench, reports and dashboard have data on a fresh
    `make run`: closed orders get a done follow-up with a reached attempt (mostly satisfied), completed ones a
    due follow-up in the queue. Deterministic for the rng; does nothing when any follow-up exists."""
    if FollowUp.objects.exists():
        return {}
    orders = list(
        WorkOrder.objects.filter(status__in=[Status.COMPLETED, Status.CLOSED], completed_at__isnull=False)
        .order_by("id")
        .values_list(
            "id", "status", "urgency", "completed_at", "closed_at", "rework_count", "crew_id", "worker_id"
        )
    )
    follow_ups, answers = [], []
    for order_id, status, urgency, completed_at, closed_at, round_, crew_id, worker_id in orders:
        due = completed_at + timedelta(days=1)
        if status == Status.COMPLETED:
            follow_ups.append(
                FollowUp(
                    work_order_id=order_id,
                    round=round_,
                    status=FollowUpStatus.DUE if due <= now else FollowUpStatus.SCHEDULED,
                    is_emergency=urgency == Urgency.EMERGENCY,
                    due_at=due,
                    released_at=due if due <= now else None,
                    crew_id=crew_id,
                    worker_id=worker_id,
                    created_at=completed_at,
                )
            )
            continue
        draw = rng.random()
        verdict = (
            Verdict.SATISFIED
            if draw < 0.9
            else Verdict.BASICALLY_SATISFIED
            if draw < 0.98
            else Verdict.DISSATISFIED
        )
        done_at = closed_at or due
        base = 5 if verdict == Verdict.SATISFIED else 4 if verdict == Verdict.BASICALLY_SATISFIED else 2
        answer = {
            "at": done_at,
            "outcome": Outcome.REACHED,
            "resolved": True,
            "verdict": verdict,
            **{f"rating_{key}": max(1, base - (rng.random() < 0.2)) for key in RATING_KEYS},
            **{f"seen_{key}": rng.random() < 0.95 for key in SEEN_KEYS},
        }
        answers.append(answer)
        follow_ups.append(
            FollowUp(
                work_order_id=order_id,
                round=round_,
                status=FollowUpStatus.DONE,
                outcome=Outcome.REACHED,
                verdict=verdict,
                resolved=True,
                is_emergency=urgency == Urgency.EMERGENCY,
                due_at=due,
                released_at=due,
                done_at=done_at,
                crew_id=crew_id,
                worker_id=worker_id,
                created_at=completed_at,
                # The answer's 五心 on the follow-up too, as _finish copies them (the reports read them there).
                **{name: answer[name] for name in RATING_FIELDS},
            )
        )
    with transaction.atomic():
        made = FollowUp.objects.bulk_create(follow_ups, batch_size=2000)
        done = [f for f in made if f.status == FollowUpStatus.DONE]
        FollowUpAttempt.objects.bulk_create(
            [FollowUpAttempt(follow_up=f, **a) for f, a in zip(done, answers, strict=True)], batch_size=2000
        )
    return {"follow_ups": len(made), "answered": len(done)}
