"""上报隐患: the report form any staff member uses (place type-ahead, severity, due date by severity, photo), and
the offer of it from a completed order's 一次通检 findings."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from operations.models import Hazard
from tests import factories as f

pytestmark = pytest.mark.django_db

URL = reverse("operations:hazard_new")


def _form(place: str = "", place_text: str = "5区泵房", **extra) -> dict:
    return {
        "place": place,
        "place_text": place_text,
        "system": "water",
        "severity": "major",
        "due_on": "",
        "description": "泵房出水阀门锈蚀渗水",
        **extra,
    }


def test_a_worker_reports_a_hazard_with_a_photo(area, worker, worker_client, now):
    pump = area["pump"]
    photo = SimpleUploadedFile("IMG_4711.png", f.tiny_png(), content_type="image/png")
    response = worker_client.post(URL, {**_form(f"facility:{pump.pk}"), "photo": photo})
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "operations:hazard_detail", args=[hazard.pk]
    )
    assert hazard.facility == pump and hazard.crew == worker.crew and hazard.found_by == worker.user
    assert hazard.due_at == now + timedelta(days=7)  # major: the default by severity
    assert re.fullmatch(r"hazards/\d{4}/\d{2}/[0-9a-f]{32}\.png", hazard.photo.name)
    page = worker_client.get(response["Location"]).content.decode()
    assert reverse("operations:hazard_photo", args=[hazard.pk]) in page


def test_a_typed_room_address_is_the_place(area, crew, dispatcher_client):
    response = dispatcher_client.post(URL, _form(place_text="5-37-1-302", severity="minor"))
    hazard = Hazard.objects.get()
    assert response.status_code == 302 and hazard.room == area["r302"]
    assert hazard.crew.kind == "water"  # the desk's report goes to the crew of the system's trade


def test_an_unknown_place_is_refused_in_chinese_and_nothing_is_written(area, worker_client):
    response = worker_client.post(URL, _form(place="facility:999999", place_text="月球泵房"))
    assert response.status_code == 200 and not Hazard.objects.exists()
    assert "请从提示中选择地点" in response.content.decode()


def test_a_chosen_due_date_is_the_end_of_that_day_and_the_past_is_refused(area, worker_client, now):
    pump = area["pump"]
    past = worker_client.post(URL, _form(f"facility:{pump.pk}", due_on="2026-11-30"))
    assert past.status_code == 200 and "整改期限不能早于今天" in past.content.decode()
    assert not Hazard.objects.exists()
    worker_client.post(URL, _form(f"facility:{pump.pk}", due_on="2026-12-03"))
    due = Hazard.objects.get().due_at.astimezone(now.tzinfo)
    assert (due.date(), due.hour, due.minute) == (date(2026, 12, 3), 23, 59)


def test_the_form_starts_with_the_due_date_of_a_major_hazard(worker_client):
    page = worker_client.get(URL).content.decode()
    assert 'value="2026-12-08"' in page  # Tuesday 1 December + 7 days
    assert 'capture="environment"' in page and 'accept="image/*"' in page


def test_place_options_offer_facilities_buildings_and_rooms(area, worker_client):
    options = worker_client.get(reverse("operations:place_options"), {"place_text": "泵房"}).content.decode()
    assert f'data-place="facility:{area["pump"].pk}"' in options
    rooms = worker_client.get(reverse("operations:place_options"), {"place_text": "5-37-1"}).content.decode()
    assert f'data-place="room:{area["r302"].pk}"' in rooms
    too_long = worker_client.get(reverse("operations:place_options"), {"place_text": "5" * 500})
    assert too_long.status_code == 200 and "option" not in too_long.content.decode()


def test_anonymous_and_accounts_without_a_role_cannot_report(area, anon_client):
    assert anon_client.get(URL)["Location"].startswith("/login/")
    nobody = f.UserFactory(username="t_nobody")
    anon_client.force_login(nobody)
    assert anon_client.get(URL).status_code == 404
    assert anon_client.post(URL, _form(f"facility:{area['pump'].pk}")).status_code == 404
    assert anon_client.get(reverse("operations:place_options"), {"place_text": "泵房"}).status_code == 404
    assert not Hazard.objects.exists()


def test_a_completed_orders_inspection_findings_are_offered_as_a_hazard(make_order, worker_client):
    order = make_order("completed")
    detail = worker_client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    link = f"{URL}?order={order.pk}"
    assert link in detail and "上报为隐患" in detail
    form = worker_client.get(link).content.decode()
    assert f'value="room:{order.room_id}"' in form and order.number in form
    assert order.inspection_findings in form


def test_an_order_the_user_may_not_see_fills_nothing(make_order, other_leader_client):
    order = make_order("completed")
    form = other_leader_client.get(f"{URL}?order={order.pk}").content.decode()
    assert order.number not in form and f"room:{order.room_id}" not in form
