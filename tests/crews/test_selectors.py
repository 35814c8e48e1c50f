from datetime import timedelta

import pytest
from django.utils import timezone

from crews.selectors import on_duty
from tests import factories as f


@pytest.mark.django_db
def test_on_duty_returns_workers_whose_shift_covers_the_moment(crew):
    now = timezone.now()
    night = f.WorkerFactory(crew=crew)
    day = f.WorkerFactory(crew=crew)
    f.DutyShiftFactory(
        worker=night, kind="water", starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=6)
    )
    f.DutyShiftFactory(
        worker=day, kind="water", starts_at=now + timedelta(hours=6), ends_at=now + timedelta(hours=16)
    )
    assert list(on_duty("water", now)) == [night]
    assert list(on_duty("water", now + timedelta(hours=7))) == [day]


@pytest.mark.django_db
def test_on_duty_ignores_other_trades_inactive_workers_and_shift_end(crew, other_crew):
    now = timezone.now()
    electrician = f.WorkerFactory(crew=other_crew)
    retired = f.WorkerFactory(crew=crew, active=False)
    f.DutyShiftFactory(worker=electrician, kind="electrical", starts_at=now - timedelta(hours=1))
    f.DutyShiftFactory(worker=retired, kind="water", starts_at=now - timedelta(hours=1))
    assert list(on_duty("water", now)) == []
    # A shift ending exactly now no longer covers now (half-open interval).
    w = f.WorkerFactory(crew=crew)
    f.DutyShiftFactory(worker=w, kind="water", starts_at=now - timedelta(hours=8), ends_at=now)
    assert list(on_duty("water", now)) == []


@pytest.mark.django_db
def test_on_duty_lists_a_worker_once_with_overlapping_shifts(crew):
    now = timezone.now()
    w = f.WorkerFactory(crew=crew)
    f.DutyShiftFactory(worker=w, kind="water", starts_at=now - timedelta(hours=1))
    f.DutyShiftFactory(worker=w, kind="water", starts_at=now - timedelta(hours=2))
    assert list(on_duty("water", now)) == [w]
