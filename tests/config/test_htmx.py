"""config.htmx: the safe `next` of every page view that takes one, the fragment test, the ValidationError
helper and calling a service for a posted form. An off-site `next` (https://evil.example/x, //evil.example/x) never leaves the site: the view falls
back to its own default page."""

from datetime import timedelta

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.htmx import apply_validation_error, call_service, is_fragment, safe_next
from feedback.actions.complaints import escalate_overdue_complaints, register_complaint

OFF_SITE = ["https://evil.example/x", "//evil.example/x", "http://testserver.evil.example/"]


@pytest.fixture
def alert(dispatcher, make_order):
    complaint = register_complaint(
        actor=dispatcher,
        source="call",
        phone="13912345678",
        name="赵先生",
        summary="维修工收费不合理",
        work_order=make_order("completed"),
    )
    escalate_overdue_complaints(now=timezone.now() + timedelta(days=2))
    return complaint.alerts.get()


@pytest.mark.parametrize("target", OFF_SITE)
def test_alert_ack_never_redirects_off_site(manager_client, alert, target):
    response = manager_client.post(reverse("feedback:alert-ack", args=[alert.pk]), {"next": target})
    assert response.status_code == 302 and response["Location"] == reverse("feedback:complaints")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None


def test_alert_ack_follows_a_next_on_this_site(manager_client, alert):
    response = manager_client.post(reverse("feedback:alert-ack", args=[alert.pk]), {"next": "/feedback/"})
    assert response["Location"] == "/feedback/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_order_move_never_redirects_off_site(worker_client, make_order, target):
    order = make_order("assigned")
    response = worker_client.post(f"/orders/{order.pk}/do/accept/", {"next": target})
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "accepted"


@pytest.mark.parametrize("target", OFF_SITE)
def test_board_action_never_redirects_off_site(dispatcher_client, make_order, crew, target):
    order = make_order("received")
    response = dispatcher_client.post(
        f"/desk/board/{order.id}/dispatch/", {"status": "received", "crew": crew.id, "next": target}
    )
    assert response.status_code == 302 and response["Location"] == reverse("hotline:board")
    order.refresh_from_db()
    assert order.status == "dispatched"


def test_board_action_follows_a_next_on_this_site(dispatcher_client, make_order, crew):
    order = make_order("received")
    back = "/desk/board/?status=received"
    response = dispatcher_client.post(
        f"/desk/board/{order.id}/dispatch/", {"status": "received", "crew": crew.id, "next": back}
    )
    assert response["Location"] == back


def test_safe_next_requires_https_on_a_secure_request():
    request = RequestFactory().post("/", {"next": "http://testserver/x"}, secure=True)
    assert safe_next(request, "/home/") == "/home/"
    request = RequestFactory().post("/", {"next": "/x"}, secure=True)
    assert safe_next(request, "/home/") == "/x"


def test_is_fragment_only_for_non_boosted_htmx():
    class Htmx:
        def __init__(self, on, boosted):
            self.on, self.boosted = on, boosted

        def __bool__(self):
            return self.on

    request = RequestFactory().get("/")
    request.htmx = Htmx(True, False)
    assert is_fragment(request)
    request.htmx = Htmx(True, True)
    assert not is_fragment(request)
    request.htmx = Htmx(False, False)
    assert not is_fragment(request)


class _Form(forms.Form):
    address = forms.CharField(required=False)
    note = forms.CharField(required=False)


def test_validation_error_lands_on_its_field_renamed_or_on_top():
    form = _Form({})
    form.is_valid()
    exc = ValidationError({"room": ["no such room"], "note": ["too long"], "other": ["broken"]})
    apply_validation_error(form, exc, {"room": "address"})
    assert form.errors["address"] == ["no such room"]
    assert form.errors["note"] == ["too long"]
    assert form.non_field_errors() == ["broken"]


def test_plain_validation_error_goes_on_top():
    form = _Form({})
    form.is_valid()
    apply_validation_error(form, ValidationError(["one", "two"]))
    assert form.non_field_errors() == ["one", "two"]


def _posted(data: dict | None):
    request = RequestFactory().post("/", data or {}) if data is not None else RequestFactory().get("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_call_service_calls_for_a_valid_posted_form_and_says_so():
    request, calls = _posted({"note": "ok"}), []
    form = _Form(request.POST)
    assert call_service(request, form, lambda: calls.append(form.cleaned_data["note"]), "Saved.")
    assert calls == ["ok"]
    assert [str(m) for m in get_messages(request)] == ["Saved."]


def test_call_service_puts_the_services_validation_error_on_the_form():
    request = _posted({"note": "ok"})
    form = _Form(request.POST)

    def refuse():
        raise ValidationError({"note": ["too long"]})

    assert not call_service(request, form, refuse, "Saved.")
    assert form.errors["note"] == ["too long"]
    assert list(get_messages(request)) == []


def test_call_service_does_not_call_without_a_post():
    request, calls = _posted(None), []
    assert not call_service(request, _Form(None), lambda: calls.append(1), "Saved.")
    assert calls == []
