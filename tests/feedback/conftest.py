"""Feedback fixtures: a completed order with its follow-up (created the real way: the order_completed signal
after commit, then the task), the SMS outbox emptied per test."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from feedback import sms
from feedback.models import FollowUp

# Monday 2026-11-23 10:00 Beijing time: a working day with working days around it.
MONDAY_10 = timezone.make_aware(datetime(2026, 11, 23, 10, 0))


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def complete(make_order, django_capture_on_commit_callbacks):
    """complete(**create_kwargs) → a completed order whose follow-up exists (signal → task on commit)."""

    def do(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            order = make_order("completed", **kwargs)
        return order

    return do


@pytest.fixture
def follow_up(complete):
    order = complete()
    return FollowUp.objects.get(work_order=order)


REACHED_OK = {
    "outcome": "reached",
    "resolved": True,
    "verdict": "satisfied",
    "ratings": {"care": 5, "workmanship": 5, "safety": 5, "quality": 4, "comfort": 5},
    "seen": {"greeting": True, "shoe_covers": True, "cleaned": True, "note_left": True},
    "comment": "师傅很耐心",
}
