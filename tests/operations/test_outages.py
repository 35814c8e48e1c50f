"""Planned outages: who may plan, the affected homes, notices once per outage, event and phone, extend, end."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from operations import services, sms, tasks
from operations.models import OutageNotice, OutageNoticeRun
from operations.selectors import Scope, count_affected_homes, notice_progress, phones_in_scope
from tests import factories as f

pytestmark = pytest.mark.django_db


def plan(actor, area, now, *, hours_ahead=48, lead=1440, **kwargs):
    kwargs.setdefault("buildings", [area["b37"]])
    starts = now + timedelta(hours=hours_ahead)
    return services.plan_outage(
        actor=actor,
        title="更换阀门",
        system=kwargs.pop("system", "water"),
        district=area["b37"].district,
        starts_at=starts,
        expected_end_at=starts + timedelta(hours=6),
        notice_lead_minutes=lead,
        **kwargs,
    )


def sent_to() -> Counter:
    return Counter(m.phone for m in sms.outbox)


# --- Scope ------------------------------------------------------------------------------------------------


def test_affected_homes_are_distinct_rooms_with_a_residency(area, district):
    assert count_affected_homes(Scope(district_id=district.pk)) == 3  # 302, 303, 38-101; 304 is empty
    assert count_affected_homes(Scope(district_id=district.pk, building_ids=(area["b37"].pk,))) == 2
    assert count_affected_homes(Scope(district_id=district.pk, unit_ids=(area["u37"].pk,))) == 2
    assert count_affected_homes(Scope(district_id=district.pk, facility_ids=(area["pump"].pk,))) == 0


def test_phones_in_scope_count_each_phone_once(area, district):
    phones = sorted(phones_in_scope(Scope(district_id=district.pk, building_ids=(area["b37"].pk,))))
    # the couple's shared phone once; the son's two phones (he lives in both homes) once each
    assert phones == ["13700000002", "13700000003", "13800138000", "13900000001"]


# --- Who may plan -----------------------------------------------------------------------------------------


def test_leader_of_the_systems_crew_plans_and_the_count_is_stamped(area, water_leader, now):
    incident = plan(water_leader.user, area, now)
    assert incident.affected_homes == 2
    assert incident.kind == "planned" and incident.notice_lead_minutes == 1440
    assert list(incident.buildings.all()) == [area["b37"]]


def test_manager_plans_any_system(area, manager, now):
    assert plan(manager, area, now, system="power").system == "power"


@pytest.mark.parametrize("who", ["worker", "dispatcher", "other_leader"])
def test_others_may_not_plan_a_water_outage(area, now, who, request):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        plan(user, area, now)
    assert not OutageNoticeRun.objects.exists()


def test_scope_outside_the_district_is_refused(area, water_leader, now):
    other = f.BuildingFactory(district=f.DistrictFactory(number=6), number=1, label="6区1栋")
    with pytest.raises(ValidationError) as exc:
        plan(water_leader.user, area, now, buildings=[other])
    assert "buildings" in exc.value.message_dict


def test_expected_end_before_start_is_refused(area, water_leader, now):
    with pytest.raises(ValidationError) as exc:
        services.plan_outage(
            actor=water_leader.user,
            title="x",
            system="water",
            district=area["b37"].district,
            starts_at=now + timedelta(hours=5),
            expected_end_at=now + timedelta(hours=4),
        )
    assert "expected_end_at" in exc.value.message_dict


# --- Notices ----------------------------------------------------------------------------------------------


def test_advance_notice_waits_for_the_lead_time_then_goes_once_per_phone(
    area, water_leader, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = plan(water_leader.user, area, now, hours_ahead=48, lead=1440)
    assert sms.outbox == []  # 48 h ahead, told 24 h ahead
    assert services.queue_due_notices(now=now + timedelta(hours=23)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_due_notices(now=now + timedelta(hours=24)) == 1
        assert services.queue_due_notices(now=now + timedelta(hours=24, minutes=1)) == 0  # beat runs twice
    assert sent_to() == Counter({"13700000002": 1, "13700000003": 1, "13800138000": 1, "13900000001": 1})
    assert "5区37栋" in sms.outbox[0].body and "/outages/" in sms.outbox[0].body
    # the reminder an hour before; the advance notice is not repeated
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.queue_due_notices(now=now + timedelta(hours=47, minutes=1)) == 1
        assert services.queue_due_notices(now=now + timedelta(hours=47, minutes=2)) == 0
    assert sent_to() == Counter(
        dict.fromkeys(["13700000002", "13700000003", "13800138000", "13900000001"], 1)
    )
    assert set(incident.notice_runs.values_list("event", flat=True)) == {"advance", "reminder"}


def test_a_late_plan_tells_at_once_without_a_separate_reminder(
    area, water_leader, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = plan(water_leader.user, area, now, hours_ahead=0.5, lead=1440)
    assert len(sms.outbox) == 4
    services.queue_due_notices(now=now + timedelta(minutes=5))
    assert list(incident.notice_runs.values_list("event", flat=True)) == ["advance"]


def test_sending_a_run_twice_sends_nothing_twice(area, water_leader, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = plan(water_leader.user, area, now, hours_ahead=1, lead=120)
    run = incident.notice_runs.get()
    for _ in range(2):
        tasks.send_outage_notices_task(run.pk)
        tasks.retry_outage_notices_task()
    assert all(n == 1 for n in sent_to().values()) and len(sms.outbox) == 4
    assert set(OutageNotice.objects.values_list("status", flat=True)) == {"sent"}


def test_a_stale_claim_of_a_killed_worker_is_sent_once_by_the_sweep(area, water_leader, now):
    incident = plan(water_leader.user, area, now, hours_ahead=1, lead=120)  # on_commit not run: all pending
    run = incident.notice_runs.get()
    # a worker claimed two notices and died before sending them
    ids = list(run.notices.values_list("pk", flat=True)[:2])
    OutageNotice.objects.filter(pk__in=ids).update(status="sending", claim="dead", claimed_at=now)
    assert services.send_notice_batch(run_id=run.pk) == 2  # the others
    assert len(sms.outbox) == 2
    assert services.runs_to_retry(now=now + timedelta(seconds=60)) == []  # not stale yet
    assert services.runs_to_retry(now=now + timedelta(minutes=10)) == [run.pk]
    services.send_notice_batch(run_id=run.pk)
    assert len(sms.outbox) == 4 and all(n == 1 for n in sent_to().values())


def test_a_failing_gateway_is_retried_up_to_three_tries(area, water_leader, now, settings):
    incident = plan(water_leader.user, area, now, hours_ahead=1, lead=120)
    run = incident.notice_runs.get()
    settings.SMS_BACKEND = "tests.feedback.backends.BrokenBackend"
    for _ in range(4):
        services.runs_to_retry(now=now)
        services.send_notice_batch(run_id=run.pk)
    assert set(run.notices.values_list("status", "tries")) == {("failed", 3)}
    assert notice_progress(incident)["by_event"]["advance"] == {"queued": 0, "sent": 0, "failed": 4}


def test_extend_notifies_each_phone_and_is_refused_before_the_start_and_after_the_end(
    area, water_leader, now, django_capture_on_commit_callbacks
):
    incident = plan(
        water_leader.user, area, now, hours_ahead=2, lead=180
    )  # the advance notice is due at once
    assert incident.notice_runs.filter(event="advance").exists()
    with pytest.raises(ValidationError):
        services.extend_outage(
            actor=water_leader.user, incident_id=incident.pk, expected_end_at=incident.starts_at
        )
    new_end = incident.expected_end_at + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        services.extend_outage(actor=water_leader.user, incident_id=incident.pk, expected_end_at=new_end)
        services.extend_outage(actor=water_leader.user, incident_id=incident.pk, expected_end_at=new_end)
    assert incident.notice_runs.filter(event="extended").count() == 1  # the same end again: a no-op
    assert len(sms.outbox) == 4
    services.end_outage(actor=water_leader.user, incident_id=incident.pk)
    with pytest.raises(services.OutageConflict):
        services.extend_outage(
            actor=water_leader.user, incident_id=incident.pk, expected_end_at=new_end + timedelta(hours=1)
        )


def test_an_outage_nobody_was_told_of_yet_is_extended_or_called_off_without_a_message(
    area, water_leader, now, django_capture_on_commit_callbacks
):
    # A walkthrough found 105 "extended" texts for an outage eight days off whose advance notice had not gone.
    incident = plan(water_leader.user, area, now, hours_ahead=8 * 24)
    with django_capture_on_commit_callbacks(execute=True):
        services.extend_outage(
            actor=water_leader.user,
            incident_id=incident.pk,
            expected_end_at=incident.expected_end_at + timedelta(hours=1),
        )
        services.end_outage(actor=water_leader.user, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.ended_at is not None and not incident.notice_runs.exists() and not sms.outbox


def test_end_queues_restored_once_and_a_second_end_is_a_conflict(
    area, water_leader, now, django_capture_on_commit_callbacks
):
    incident = plan(water_leader.user, area, now, hours_ahead=48)
    with time_machine.travel(now + timedelta(hours=50), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            services.end_outage(actor=water_leader.user, incident_id=incident.pk)
        with pytest.raises(services.OutageConflict):
            services.end_outage(actor=water_leader.user, incident_id=incident.pk)
    assert list(incident.notice_runs.values_list("event", flat=True)) == ["restored"]
    assert len(sms.outbox) == 4


def test_the_desk_ends_a_sudden_incident_but_a_worker_may_not(area, dispatcher, worker, manager, now):
    incident = services.plan_outage(
        actor=manager,
        title="爆管",
        system="water",
        kind="sudden",
        district=area["b37"].district,
        starts_at=now,
        expected_end_at=now + timedelta(hours=4),
    )
    with pytest.raises(PermissionDenied):
        services.end_outage(actor=worker.user, incident_id=incident.pk)
    services.end_outage(actor=dispatcher, incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.ended_at == now
