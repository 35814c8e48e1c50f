"""Outage pages: plan with the count before saving, calendar, detail with end/extend, the public page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from operations import services
from workorders.models import Incident

pytestmark = pytest.mark.django_db


def form_data(area, now, **extra):
    starts = now + timedelta(days=2)
    return {
        "district": area["b37"].district_id,
        "system": "water",
        "title": "更换阀门",
        "buildings": [area["b37"].pk],
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "expected_end_at": (starts + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
        "notice_lead_minutes": 1440,
        "description": "",
        **extra,
    }


def test_preview_counts_homes_and_saves_nothing(area, leader_client, now):
    response = leader_client.post(reverse("operations:outage_new"), {**form_data(area, now), "preview": "1"})
    assert response.status_code == 200
    assert "2" in response.context["affected"].__str__() and response.context["affected"] == 2
    assert not Incident.objects.exists()


def test_htmx_fragment_counts_the_area(area, leader_client, now):
    data = form_data(area, now, buildings=[])
    response = leader_client.get(reverse("operations:outage_affected"), data)
    assert response.status_code == 200 and response.context["affected"] == 3


def test_plan_redirects_to_the_outage_page(area, leader_client, now):
    response = leader_client.post(reverse("operations:outage_new"), form_data(area, now))
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "operations:outage_detail", args=[incident.pk]
    )
    page = leader_client.get(response.url)
    assert page.status_code == 200 and page.context["progress"]["phones"] == 4
    assert incident.affected_homes == 2


def test_end_date_before_start_shows_the_error_and_saves_nothing(area, leader_client, now):
    data = form_data(area, now, expected_end_at=now.strftime("%Y-%m-%dT%H:%M"))
    response = leader_client.post(reverse("operations:outage_new"), data)
    assert response.status_code == 200 and response.context["form"].errors["expected_end_at"]
    assert not Incident.objects.exists()


def test_worker_may_not_open_the_planning_page(worker_client):
    assert worker_client.get(reverse("operations:outage_new")).status_code == 403


def test_the_leader_is_offered_only_the_crews_system(leader_client):
    response = leader_client.get(reverse("operations:outage_new"))
    assert [v for v, _ in response.context["form"].fields["system"].choices] == ["water"]


def test_end_button_ends_a_sudden_incident_once(area, dispatcher_client, manager, now):
    incident = services.plan_outage(
        actor=manager,
        title="爆管",
        system="water",
        kind="sudden",
        district=area["b37"].district,
        starts_at=now,
        expected_end_at=now + timedelta(hours=4),
    )
    url = reverse("operations:outage_end", args=[incident.pk])
    assert dispatcher_client.post(url).status_code == 302
    incident.refresh_from_db()
    assert incident.ended_at == now
    response = dispatcher_client.post(url, follow=True)
    assert "此停水/停电已经结束" in response.content.decode()
    assert incident.notice_runs.filter(event="restored").count() == 1


def test_extend_from_the_page(area, leader_client, leader, now):
    incident = services.plan_outage(
        actor=leader.user,
        title="换管",
        system="water",
        district=area["b37"].district,
        starts_at=now + timedelta(hours=5),
        expected_end_at=now + timedelta(hours=8),
        buildings=[area["b37"]],
    )
    new_end = (now + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M")
    leader_client.post(reverse("operations:outage_extend", args=[incident.pk]), {"expected_end_at": new_end})
    incident.refresh_from_db()
    assert incident.expected_end_at == now + timedelta(hours=10)


def test_calendar_query_count_is_flat(area, dispatcher_client, manager, now, django_assert_num_queries):
    def add(n):
        for i in range(n):
            services.plan_outage(
                actor=manager,
                title=f"停水{i}",
                system="water",
                district=area["b37"].district,
                starts_at=now + timedelta(hours=3 + i),
                expected_end_at=now + timedelta(hours=5 + i),
                buildings=[area["b37"]],
            )

    add(1)
    url = reverse("operations:outage_list")
    # session, user+roles, count, page (+district), buildings, units, facilities, the district filter's options
    with django_assert_num_queries(8):
        dispatcher_client.get(url)
    add(6)
    with django_assert_num_queries(8):
        response = dispatcher_client.get(url + "?system=&state=&kind=&district=")
    assert len(response.context["outages"]) == 7


def test_public_page_shows_the_buildings_outages_without_names_or_phones(area, anon_client, manager, now):
    services.plan_outage(
        actor=manager,
        title="更换阀门",
        system="water",
        district=area["b37"].district,
        starts_at=now + timedelta(hours=30),
        expected_end_at=now + timedelta(hours=36),
        buildings=[area["b37"]],
    )
    url = reverse("outages_public")
    district = area["b37"].district_id
    page = anon_client.get(url, {"district": district, "building": area["b37"].pk}).content.decode()
    assert "更换阀门" in page
    for secret in ("王大妈", "13800138000", "13900000001", manager.username):
        assert secret not in page
    other = anon_client.get(url, {"district": district, "building": area["b38"].pk}).content.decode()
    assert "更换阀门" not in other
    assert anon_client.get(url, {"district": "x"}).status_code == 200
