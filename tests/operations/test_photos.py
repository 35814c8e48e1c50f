"""Hazard and round photos: stored under random names, checked by content, and given out only by the
permission-checked views (config.files): a crew sees its own hazards' and rounds' photos, the desk and managers
the register's, anyone else a 404, the anonymous the login page."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from operations.actions import hazards as h
from operations.actions import rounds as r
from operations.models import Hazard, Round
from tests import factories as f

pytestmark = pytest.mark.django_db


def _png(name: str = "IMG_20261201_well.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f.tiny_png(), content_type="image/png")


@pytest.fixture
def hazard(area, worker):
    return h.report_hazard(
        actor=worker.user, severity="major", description="井盖松动", facility=area["pump"], photo=_png()
    )


@pytest.fixture
def walked(area, crew, manager, worker, now):
    """A round of the water crew whose photo check was recorded with a photo."""
    r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房周检",
        items=[{"label": "泵房全景", "kind": "photo"}],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    r.generate_due_rounds(now=now)
    round_ = Round.objects.get()
    item, _hazard = r.record_check(
        actor=worker.user, round_id=round_.pk, item_id=round_.items.get().pk, photo=_png("p.png")
    )
    return item


@pytest.fixture
def clients(other_crew, dispatcher, manager, leader, worker, other_worker, other_leader):
    """A signed-in client per role: the hazard's crew, another crew, the desk, a manager, an account without a
    role."""
    stranger = f.WorkerFactory(crew=other_crew, user__username="t_other_crew_worker")
    nobody = f.UserFactory(username="t_no_role")
    users = {
        "dispatcher": dispatcher,
        "manager": manager,
        "leader": leader.user,
        "worker": worker.user,
        "other_worker": other_worker.user,
        "other_leader": other_leader.user,
        "other_crew_worker": stranger.user,
        "no_role": nobody,
    }
    clients = {}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients


HAZARD_PHOTO = {
    "dispatcher": 200,
    "manager": 200,
    "leader": 200,
    "worker": 200,
    "other_worker": 200,  # same crew
    "other_leader": 404,
    "other_crew_worker": 404,
    "no_role": 404,
}
ROUND_PHOTO = HAZARD_PHOTO | {"dispatcher": 404}  # the desk does not see rounds


@pytest.mark.parametrize("role", sorted(HAZARD_PHOTO))
def test_hazard_photo_by_role(hazard, clients, role):
    response = clients[role].get(reverse("operations:hazard_photo", args=[hazard.pk]))
    assert response.status_code == HAZARD_PHOTO[role]
    if response.status_code == 200:
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == f.tiny_png()


@pytest.mark.parametrize("role", sorted(ROUND_PHOTO))
def test_round_photo_by_role(walked, clients, role):
    response = clients[role].get(reverse("operations:round_photo", args=[walked.round_id, walked.pk]))
    assert response.status_code == ROUND_PHOTO[role]


def test_anonymous_is_sent_to_login(hazard, walked, anon_client):
    for url in (
        reverse("operations:hazard_photo", args=[hazard.pk]),
        reverse("operations:round_photo", args=[walked.round_id, walked.pk]),
    ):
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_check_of_another_round_or_without_a_photo_is_404(walked, area, worker, manager_client):
    other = h.report_hazard(actor=worker.user, severity="minor", description="无照片", facility=area["pump"])
    assert manager_client.get(reverse("operations:hazard_photo", args=[other.pk])).status_code == 404
    wrong_round = reverse("operations:round_photo", args=[walked.round_id + 1, walked.pk])
    assert manager_client.get(wrong_round).status_code == 404


def test_photos_are_stored_under_random_names_of_their_sniffed_type(hazard, walked):
    assert re.fullmatch(r"hazards/\d{4}/\d{2}/[0-9a-f]{32}\.png", hazard.photo.name)
    assert re.fullmatch(r"rounds/\d{4}/\d{2}/[0-9a-f]{32}\.png", walked.photo.name)


def test_a_file_that_is_not_a_photo_is_refused(area, worker):
    fake = SimpleUploadedFile("well.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError) as caught:
        h.report_hazard(
            actor=worker.user, severity="major", description="x", facility=area["pump"], photo=fake
        )
    assert "photo" in caught.value.message_dict


def test_the_hazard_of_a_photo_check_shows_the_checks_photo(walked, worker, dispatcher_client):
    hazard = h.report_hazard(
        actor=worker.user, severity="minor", description="泵房照片显示漏水", round_item=walked
    )
    response = dispatcher_client.get(reverse("operations:hazard_photo", args=[hazard.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == f.tiny_png()


@pytest.mark.parametrize(("sent_by", "header"), [("nginx", "X-Accel-Redirect"), ("apache", "X-Sendfile")])
def test_the_web_server_sends_the_photo_after_the_check(hazard, clients, settings, sent_by, header):
    settings.FILES_SENT_BY = sent_by
    url = reverse("operations:hazard_photo", args=[hazard.pk])
    response = clients["leader"].get(url)
    assert response.status_code == 200 and hazard.photo.name in response[header]
    assert response.content == b""
    denied = clients["other_leader"].get(url)
    assert denied.status_code == 404 and header not in denied


def test_the_api_takes_a_hazard_photo_and_answers_the_checked_url(area, worker):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(worker.user)
    body = {
        "severity": "major",
        "description": "阀门井盖破损",
        "facility": area["pump"].pk,
        "photo": _png("well.png"),
    }
    response = client.post("/api/v1/hazards/", body, format="multipart")
    assert response.status_code == 201, response.content
    hazard = Hazard.objects.get()
    assert response.json()["photo_url"] == "http://testserver" + reverse(
        "operations:hazard_photo", args=[hazard.pk]
    )
    assert "photo" not in response.json() and hazard.photo.name not in response.content.decode()
