"""Issue 14 point 11: the call's start (first keystroke or screen pop) and end (logged) are recorded, and the
desk's median intake time per dispatcher and per day is aggregated in the database."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hotline import services
from hotline.models import Call
from hotline.selectors import intake_times
from tests import factories as f
from tests.hotline.conftest import DAY


def inquiry(actor, seconds, at=DAY):
    return services.take_call(
        actor=actor,
        call_type="inquiry",
        phone="13800138000",
        summary="问停水",
        answer="明天恢复",
        started_at=at - timedelta(seconds=seconds),
        now=at,
    ).call


@pytest.mark.django_db
def test_a_call_records_when_intake_started_and_when_it_was_logged(dispatcher):
    call = inquiry(dispatcher, 42)
    assert (call.ended_at - call.started_at).total_seconds() == 42


@pytest.mark.django_db
@pytest.mark.parametrize("offset", [timedelta(seconds=-5), timedelta(hours=3)])
def test_a_start_in_the_future_or_hours_ago_is_refused_and_nothing_is_written(dispatcher, offset):
    with pytest.raises(ValidationError):
        services.take_call(
            actor=dispatcher,
            call_type="inquiry",
            phone="13800138000",
            summary="问",
            answer="答",
            started_at=DAY - offset,
            now=DAY,
        )
    assert not Call.objects.exists()


@pytest.mark.django_db
def test_the_intake_form_turns_the_browser_elapsed_time_into_the_start(client, dispatcher):
    client.force_login(dispatcher)
    body = {
        "phone": "13800138000",
        "call_type": "inquiry",
        "summary": "问",
        "answer": "答",
        "intake_ms": "37500",
    }
    with time_machine.travel(DAY, tick=False):
        assert client.post(reverse("hotline:intake"), body).status_code == 302
    call = Call.objects.get()
    assert call.ended_at == DAY and call.ended_at - call.started_at == timedelta(seconds=37.5)


@pytest.mark.django_db
@pytest.mark.parametrize("garbled", ["", "abc", "9" * 5000, "-5", str(3 * 3600 * 1000)])
def test_a_garbled_elapsed_time_never_blocks_the_call(client, dispatcher, garbled):
    client.force_login(dispatcher)
    body = {
        "phone": "13800138000",
        "call_type": "inquiry",
        "summary": "问",
        "answer": "答",
        "intake_ms": garbled,
    }
    with time_machine.travel(DAY, tick=False):
        assert client.post(reverse("hotline:intake"), body).status_code == 302
    call = Call.objects.get()
    assert call.started_at == call.ended_at == DAY


@pytest.mark.django_db
def test_the_api_takes_the_start_and_refuses_one_in_the_future(dispatcher):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(dispatcher)
    body = {"phone": "13800138000", "call_type": "inquiry", "summary": "问", "answer": "答"}
    with time_machine.travel(DAY, tick=False):
        ok = api.post(
            "/api/v1/calls/", {**body, "started_at": (DAY - timedelta(seconds=30)).isoformat()}, format="json"
        )
        assert ok.status_code == 201
        bad = api.post(
            "/api/v1/calls/", {**body, "started_at": (DAY + timedelta(minutes=5)).isoformat()}, format="json"
        )
        assert bad.status_code == 400 and "started_at" in bad.json()["errors"]
    assert Call.objects.count() == 1


@pytest.mark.django_db
def test_median_intake_time_per_dispatcher_and_per_day(dispatcher, manager):
    other = f.UserFactory(username="t_dispatcher2", role="dispatcher", first_name="李")
    for s in (30, 50, 40, 200):  # median 45
        inquiry(dispatcher, s)
    for s in (20, 90, 60):  # median 60
        inquiry(other, s)
    inquiry(other, 10, at=DAY + timedelta(days=1))
    # A call logged without a measured start is left out.
    services.take_call(
        actor=dispatcher, call_type="inquiry", phone="13800138000", summary="问", answer="答", now=DAY
    )
    start, end = DAY - timedelta(days=1), DAY + timedelta(days=2)
    by_person = {
        r.key: (r.calls, r.median_seconds) for r in intake_times(start=start, end=end, by="taken_by")
    }
    assert by_person == {dispatcher.id: (4, 45.0), other.id: (4, 40.0)}
    by_day = [(r.label, r.calls, r.median_seconds) for r in intake_times(start=start, end=end, by="day")]
    assert by_day == [("2026-11-30", 7, 50.0), ("2026-12-01", 1, 10.0)]


@pytest.mark.django_db
def test_the_intake_time_panel_is_for_managers_with_a_flat_query_count(client, dispatcher, manager, worker):
    client.force_login(worker.user)
    assert client.get(reverse("hotline:intake-times")).status_code == 403
    client.force_login(manager)
    with time_machine.travel(DAY + timedelta(hours=2), tick=False):
        inquiry(dispatcher, 30)
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse("hotline:intake-times")).status_code == 200
        for i in range(6):
            inquiry(f.UserFactory(username=f"d{i}", role="dispatcher"), 30 + i)
        with CaptureQueriesContext(connection) as many:
            response = client.get(reverse("hotline:intake-times"))
    assert len(response.context["by_person"]) == 7
    assert len(many) == len(few)


@pytest.mark.django_db
def test_the_dashboard_loads_the_intake_time_panel(manager_client):
    html = manager_client.get(reverse("feedback:dashboard")).content.decode()
    assert f'hx-get="{reverse("hotline:intake-times")}"' in html
