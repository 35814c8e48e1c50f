"""The round pages (a worker's phone) and the hazard register pages."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.actions import hazards as h
from operations.actions import rounds as r
from operations.models import Hazard, Round
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(area, crew, manager, worker, now):
    r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[
            {
                "label": "出水压力",
                "kind": "reading",
                "unit": "MPa",
                "low": Decimal("0.2"),
                "high": Decimal("0.4"),
            },
            {"label": "泵体无渗漏", "kind": "pass_fail"},
        ],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    f.DutyShiftFactory(worker=worker, kind="water", starts_at=now, ends_at=now + timedelta(hours=8))
    r.generate_due_rounds(now=now)
    return Round.objects.get()


def test_worker_records_a_reading_out_of_range_from_the_page(round_, worker_client):
    assert round_.template.name in worker_client.get(reverse("operations:round_list")).content.decode()
    page = worker_client.get(reverse("operations:round_detail", args=[round_.pk]))
    assert page.status_code == 200 and "出水压力" in page.content.decode()
    pressure = round_.items.get(kind="reading")
    response = worker_client.post(
        reverse("operations:round_record", args=[round_.pk]),
        {"item": pressure.pk, "value": "0.55"},
        follow=True,
    )
    assert "隐患" in response.content.decode()
    assert Hazard.objects.get().round_item == pressure
    bad = worker_client.post(
        reverse("operations:round_record", args=[round_.pk]), {"item": "x" * 40}, follow=True
    )
    assert bad.status_code == 200 and Hazard.objects.count() == 1


def test_other_crew_gets_404_on_the_round(round_, other_leader_client, dispatcher_client):
    assert other_leader_client.get(reverse("operations:round_detail", args=[round_.pk])).status_code == 404
    assert other_leader_client.post(reverse("operations:round_start", args=[round_.pk])).status_code == 404
    assert dispatcher_client.get(reverse("operations:round_list")).status_code == 404


def test_hazard_register_query_count_is_flat(area, worker, manager_client, django_assert_num_queries):
    def add(n):
        for i in range(n):
            h.report_hazard(
                actor=worker.user, severity="minor", description=f"隐患{i}", facility=area["pump"]
            )

    add(1)
    url = reverse("operations:hazard_list") + "?system=&severity=&status=found"
    # session, user+roles, count, page (place, crew joined), the crew and district filter options
    with django_assert_num_queries(6):
        manager_client.get(url)
    add(15)
    with django_assert_num_queries(6):
        response = manager_client.get(url)
    assert len(response.context["hazards"]) == 16


def test_hazard_page_moves_and_the_fixer_cannot_verify(area, worker, leader, leader_client):
    hazard = h.report_hazard(
        actor=worker.user, severity="major", description="井盖松动", facility=area["pump"]
    )
    url = reverse("operations:hazard_detail", args=[hazard.pk])
    assert "开始整改" in leader_client.get(url).content.decode()
    leader_client.post(url, {"move": "start_rectifying"})
    leader_client.post(url, {"move": "mark_rectified"})
    page = leader_client.get(url).content.decode()
    assert 'value="verify"' not in page  # the leader fixed it: no verify button
    assert leader_client.post(url, {"move": "verify"}).status_code == 403
    hazard.refresh_from_db()
    assert hazard.status == "rectified"
    assert leader_client.post(url, {"move": "bogus"}).status_code == 404


def test_another_crew_does_not_see_the_hazard(area, worker, other_leader_client):
    hazard = h.report_hazard(
        actor=worker.user, severity="major", description="井盖松动", facility=area["pump"]
    )
    assert other_leader_client.get(reverse("operations:hazard_detail", args=[hazard.pk])).status_code == 404
    assert "井盖松动" not in other_leader_client.get(reverse("operations:hazard_list")).content.decode()
