"""Issue 14 point 12: the phone system announces a ringing call (POST /api/v1/cti/ringing/) and the agent's
open intake page picks it up by polling /desk/ringing/ (two queries while nothing rings)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from hotline.models import AgentExtension, ScreenPop
from tests.hotline.conftest import DAY


@pytest.fixture
def cti_token(db):
    from io import StringIO

    out = StringIO()
    call_command("cti_account", "pbx", stdout=out)
    return out.getvalue().strip()


@pytest.fixture
def pbx(cti_token):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {cti_token}")
    return api


@pytest.mark.django_db
def test_the_pbx_announces_a_call_by_login_or_extension(pbx, dispatcher):
    AgentExtension.objects.create(user=dispatcher, number="8001")
    response = pbx.post("/api/v1/cti/ringing/", {"phone": "138-0013-8000", "agent": dispatcher.username})
    assert response.status_code == 202 and response.json()["phone"] == "13800138000"
    response = pbx.post("/api/v1/cti/ringing/", {"phone": "13800138000", "agent": "8001"}, format="json")
    assert response.status_code == 202 and response.json()["agent"] == dispatcher.username
    assert ScreenPop.objects.filter(agent=dispatcher).count() == 2


@pytest.mark.django_db
def test_the_pbx_gets_a_clear_400_for_an_unknown_agent_or_a_bad_number(pbx, dispatcher, worker):
    for body in (
        {"phone": "13800138000", "agent": "nobody"},
        {"phone": "13800138000", "agent": worker.user.username},  # crew staff take no calls
        {"phone": "12", "agent": dispatcher.username},
        {"phone": "13800138000", "agent": ""},
    ):
        response = pbx.post("/api/v1/cti/ringing/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["detail"]
    assert not ScreenPop.objects.exists()


@pytest.mark.django_db
def test_only_the_cti_service_account_may_announce_calls(dispatcher, manager):
    api = APIClient()
    body = {"phone": "13800138000", "agent": dispatcher.username}
    assert api.post("/api/v1/cti/ringing/", body, format="json").status_code == 401
    for user in (dispatcher, manager):
        api.force_authenticate(user)
        assert api.post("/api/v1/cti/ringing/", body, format="json").status_code == 403
    assert not ScreenPop.objects.exists()


@pytest.mark.django_db
def test_the_cti_account_cannot_use_the_desk(pbx):
    assert pbx.get("/api/v1/calls/").status_code == 403
    assert pbx.get("/api/v1/hotline/lookup/", {"phone": "13800138000"}).status_code == 403


@pytest.mark.django_db
def test_the_intake_poll_shows_a_pop_once_to_its_agent_only(client, pbx, dispatcher, manager):
    with time_machine.travel(DAY, tick=False):
        pbx.post(
            "/api/v1/cti/ringing/", {"phone": "13800138000", "agent": dispatcher.username}, format="json"
        )
        client.force_login(manager)
        assert client.get(reverse("hotline:ringing")).status_code == 204
        client.force_login(dispatcher)
        response = client.get(reverse("hotline:ringing"))
        assert response.status_code == 200
        assert json.loads(response["HX-Trigger"])["bst:ring"]["phone"] == "13800138000"
        assert client.get(reverse("hotline:ringing")).status_code == 204  # claimed once


@pytest.mark.django_db
def test_a_pop_older_than_a_minute_is_not_shown(client, pbx, dispatcher):
    with time_machine.travel(DAY, tick=False):
        pbx.post(
            "/api/v1/cti/ringing/", {"phone": "13800138000", "agent": dispatcher.username}, format="json"
        )
    client.force_login(dispatcher)
    with time_machine.travel(DAY + timedelta(seconds=61), tick=False):
        assert client.get(reverse("hotline:ringing")).status_code == 204
    assert ScreenPop.objects.get().shown_at is None


@pytest.mark.django_db
def test_the_poll_costs_two_queries_while_nothing_rings_whatever_the_history(client, pbx, dispatcher):
    client.force_login(dispatcher)
    with time_machine.travel(DAY, tick=False):
        with CaptureQueriesContext(connection) as idle:
            assert client.get(reverse("hotline:ringing")).status_code == 204
        # session, pending pop
        assert len(idle) == 2, [q["sql"] for q in idle]
        for _ in range(5):
            pbx.post("/api/v1/cti/ringing/", {"phone": "13800138000", "agent": dispatcher.username})
            client.get(reverse("hotline:ringing"))
        with CaptureQueriesContext(connection) as after:
            assert client.get(reverse("hotline:ringing")).status_code == 204
        assert len(after) == 2


@pytest.mark.django_db
def test_an_anonymous_poll_gets_nothing(client, pbx, dispatcher):
    pbx.post("/api/v1/cti/ringing/", {"phone": "13800138000", "agent": dispatcher.username}, format="json")
    assert client.get(reverse("hotline:ringing")).status_code == 204
    assert ScreenPop.objects.get().shown_at is None


@pytest.mark.django_db
def test_a_second_agent_with_the_same_extension_is_impossible(dispatcher, manager):
    from django.db import IntegrityError, transaction

    AgentExtension.objects.create(user=dispatcher, number="8001")
    with pytest.raises(IntegrityError), transaction.atomic():
        AgentExtension.objects.create(user=manager, number="8001")


@pytest.mark.django_db
def test_screen_pops_older_than_a_week_are_purged_once_by_the_daily_task(dispatcher):
    from hotline.tasks import purge_screen_pops_task

    old = ScreenPop.objects.create(agent=dispatcher, phone="13800138000", created_at=DAY - timedelta(days=8))
    kept = ScreenPop.objects.create(agent=dispatcher, phone="13800138001", created_at=DAY - timedelta(days=6))
    with time_machine.travel(DAY, tick=False):
        assert purge_screen_pops_task() == 1
        assert purge_screen_pops_task() == 0
    assert list(ScreenPop.objects.all()) == [kept] and not ScreenPop.objects.filter(pk=old.pk).exists()
