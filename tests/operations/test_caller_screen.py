"""The caller screen shows active and upcoming (48 h) outages over the caller's homes; a call about one is
logged against it in one key instead of opening an order; a caller outside the area is not offered it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from hotline import services as hotline
from hotline.models import Call
from operations import services
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def outage(manager, area, now, *, hours_ahead, **scope):
    starts = now + timedelta(hours=hours_ahead)
    return services.plan_outage(
        actor=manager,
        title=f"停水{hours_ahead}",
        system="water",
        kind="planned" if hours_ahead > 0 else "sudden",
        district=area["b37"].district,
        starts_at=starts,
        expected_end_at=starts + timedelta(hours=5),
        **scope,
    )


def lookup(user, phone):
    client = APIClient()
    client.force_login(user)
    return client.get(f"/api/v1/hotline/lookup/?phone={phone}").json()


def test_lookup_lists_active_and_upcoming_outages_over_the_callers_homes(area, manager, dispatcher, now):
    active = outage(manager, area, now, hours_ahead=0, buildings=[area["b37"]])
    soon = outage(manager, area, now, hours_ahead=30, units=[area["u37"]])
    outage(manager, area, now, hours_ahead=60, buildings=[area["b37"]])  # beyond 48 h
    outage(manager, area, now, hours_ahead=2, buildings=[area["b38"]])  # another building
    outage(manager, area, now, hours_ahead=2, facilities=[area["pump"]])  # a facility holds no home
    ended = outage(manager, area, now, hours_ahead=0, buildings=[area["b37"]])
    services.end_outage(actor=manager, incident_id=ended.pk)
    body = lookup(dispatcher, "13800138000")
    assert [(o["id"], o["state"]) for o in body["outages"]] == [(active.pk, "active"), (soon.pk, "upcoming")]
    assert body["outages"][0]["affected_homes"] == 2
    assert [i["id"] for i in body["incidents"]] == [active.pk]  # only active ones attach repair calls


def test_caller_outside_the_area_is_not_offered_the_outage(area, manager, dispatcher, now):
    outage(manager, area, now, hours_ahead=0, buildings=[area["b37"]])
    assert lookup(dispatcher, "13600000004")["outages"] == []  # 赵六 lives in building 38


def test_whole_district_outage_covers_every_home(area, manager, dispatcher, now):
    whole = outage(manager, area, now, hours_ahead=3)
    assert [o["id"] for o in lookup(dispatcher, "13600000004")["outages"]] == [whole.pk]


def test_a_call_about_the_outage_is_logged_against_it_in_one_key(area, manager, dispatcher_client, now):
    incident = outage(manager, area, now, hours_ahead=3, buildings=[area["b37"]])
    panel = dispatcher_client.get("/desk/lookup/?phone=13800138000", HTTP_HX_REQUEST="true").content.decode()
    assert incident.title in panel and f'name="attach_incident" value="{incident.pk}"' in panel
    # the one key: the caller panel's button submits the intake form as filled so far (no category, no summary)
    response = dispatcher_client.post(
        "/desk/intake/",
        {
            "phone": "13800138000",
            "call_type": "repair",
            "address": "5-37-1-302",
            "attach_incident": incident.pk,
        },
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert call.incident == incident and call.system == "water" and call.summary == incident.title
    assert not WorkOrder.objects.exists()


def test_a_call_from_outside_the_area_cannot_be_attached(area, manager, dispatcher, now):
    incident = outage(manager, area, now, hours_ahead=0, buildings=[area["b37"]])
    with pytest.raises(ValidationError) as exc:
        hotline.take_call(
            actor=dispatcher,
            call_type="repair",
            channel="phone",
            phone="13600000004",
            summary="没水",
            room=area["r38"],
            incident=incident,
        )
    assert "incident" in exc.value.message_dict
    assert not Call.objects.exists()
