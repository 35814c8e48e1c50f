"""The reports API (shared/API.md): satisfaction, SLA and assessments; managers only, the desk may read
satisfaction; bad input is a 400 with a readable message; fixed query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from feedback.actions.assessment import freeze_assessment
from tests.factories import NOW, OCT_10, SEP_10, add_follow_ups

pytestmark = pytest.mark.django_db

SAT = "/api/v1/reports/satisfaction/"
SLA = "/api/v1/reports/sla/"
ASSESS = "/api/v1/reports/assessments/"


@pytest.fixture
def data(make_order):
    order = make_order("completed", now=OCT_10 - timedelta(days=1))
    add_follow_ups(order, OCT_10, satisfied=700, basically=280, dissatisfied=20)
    add_follow_ups(order, SEP_10, satisfied=900, basically=74, dissatisfied=26)
    return order


def test_satisfaction_rows_per_api_md(manager_client, data):
    body = manager_client.get(SAT + "?period=month&from=2026-10-01&group_by=crew").json()
    [row] = body["rows"]
    for key in (
        "key",
        "reached",
        "satisfied",
        "basically_satisfied",
        "dissatisfied",
        "rate",
        "ci_low",
        "ci_high",
        "delta_pp",
        "significant",
    ):
        assert key in row
    assert (row["label"], row["reached"], row["rate"]) == ("供水班", 1000, pytest.approx(0.98))
    assert (round(row["ci_low"], 3), round(row["ci_high"], 3)) == (0.969, 0.987)
    assert round(row["delta_pp"], 1) == 0.6 and row["significant"] is False
    assert body["period"] == {"kind": "month", "start": "2026-10-01", "end": "2026-10-31", "label": "2026-10"}
    assert body["total"]["reached"] == 1000


def test_from_and_to_make_a_custom_range(manager_client, data):
    body = manager_client.get(SAT + "?from=2026-10-01&to=2026-10-15").json()
    assert body["period"]["kind"] == "custom" and body["previous"]["start"] == "2026-09-16"
    assert body["previous"]["end"] == "2026-09-30"
    assert body["total"]["reached"] == 1000 and body["total"]["prev_reached"] == 0  # Sep 10 is before Sep 16


def test_permissions(manager_client, dispatcher_client, leader_client, worker_client, anon_client):
    assert dispatcher_client.get(SAT).status_code == 200  # the desk may read satisfaction
    for url in (SLA, ASSESS):
        assert manager_client.get(url).status_code == 200
        assert dispatcher_client.get(url).status_code == 403
    for client in (leader_client, worker_client):
        for url in (SAT, SLA, ASSESS):
            assert client.get(url).status_code == 403
    assert anon_client.get(SAT).status_code in (401, 403)


@pytest.mark.parametrize(
    "url",
    [
        SAT + "?period=decade",
        SAT + "?group_by=moon",
        SLA + "?from=yesterday",
        SLA + "?group_by=worker",
        ASSESS + "?month=2026-13",
        ASSESS + "?level=team",
        ASSESS + "?figures=maybe",
    ],
)
def test_bad_input_is_a_400_with_a_message(manager_client, url):
    response = manager_client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and body["errors"]


def test_sla_and_assessment(manager_client, data, manager, django_assert_num_queries):
    body = manager_client.get(SLA + "?from=2026-10-01&group_by=urgency").json()
    assert body["total"]["orders"] == 1 and body["rows"][0]["label"] == "一般"  # created Oct 9, normal
    body = manager_client.get(ASSESS + "?month=2026-10&level=crew").json()
    assert body["figures"] == "live" and body["rows"][0]["label"] == "供水班"
    assert body["rows"][0]["kpis"]["satisfaction"] == pytest.approx(0.98)
    freeze_assessment(actor=manager, month=NOW.date().replace(month=10, day=1), level="crew", now=NOW)
    body = manager_client.get(ASSESS + "?month=2026-10").json()
    assert body["figures"] == "frozen" and body["frozen_at"]
    assert manager_client.get(ASSESS + "?month=2026-09&figures=frozen").status_code == 404
    # session, the user with roles (crews.auth), then the report's own queries
    with django_assert_num_queries(2 + 1):
        manager_client.get(SAT + "?from=2026-10-01")
    with django_assert_num_queries(2 + 1):
        manager_client.get(SLA + "?from=2026-10-01")
