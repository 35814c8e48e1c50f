"""One phone field, one rule, everywhere (issue 17 finding 8): staff phones follow the residents' rule
(residents.selectors.clean_phone) in the model, the admin and every form."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from crews.models import Worker
from residents.fields import PhoneFormField, validate_phone
from residents.models import Resident

pytestmark = pytest.mark.django_db


def _editable_phone_fields():
    """(model admin, field name) of every phone a person types in the admin, found by name: a new one is
    covered without being listed."""
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_add_permission(request) and not model_admin.has_change_permission(request):
            continue
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            if name.endswith("phone"):
                yield model, name, field


def test_every_phone_typed_in_the_admin_follows_the_one_rule():
    found = {(model.__name__, name): field for model, name, field in _editable_phone_fields()}
    assert {("Worker", "phone"), ("Resident", "phone"), ("Resident", "alt_phone")} <= set(found)
    assert {key for key, field in found.items() if not isinstance(field, PhoneFormField)} == set()


@pytest.mark.parametrize("model", [Worker, Resident])
def test_worker_and_resident_phones_clean_alike(model):
    field = admin.site._registry[model].get_form(_superuser_request()).base_fields["phone"]
    assert field.clean("138-0013-8000") == "13800138000"
    assert field.clean("+86 138 0013 8000") == "13800138000"
    for garbage in ("not-a-phone", "电话", "12", "1" * 40):
        with pytest.raises(ValidationError) as caught:
            field.clean(garbage)
        assert "13800138000" in caught.value.messages[0]  # the rule's own message, with its example


def test_the_worker_model_refuses_a_garbage_phone_and_allows_none(worker):
    worker.phone = "not-a-phone"
    with pytest.raises(ValidationError) as caught:
        worker.full_clean()
    assert "phone" in caught.value.message_dict
    worker.phone = ""
    worker.full_clean()
    worker.phone = "13800138000"
    worker.full_clean()
    with pytest.raises(ValidationError):
        validate_phone("138 0013 8000")  # stored phones are digits only


def test_the_admin_saves_a_worker_phone_as_digits_and_refuses_garbage(worker, client):
    client.force_login(User.objects.create_superuser("t_admin", password="pw"))
    url = f"/admin/crews/worker/{worker.pk}/change/"
    data = {
        "user": worker.user_id,
        "crew": worker.crew_id,
        "name": worker.name,
        "staff_number": worker.staff_number,
        "role": worker.role,
        "skills": worker.skills,
        "active": "on",
        "sms_notices": "on",
    }
    response = client.post(url, {**data, "phone": "电话"})
    assert response.status_code == 200 and response.context["adminform"].form.errors["phone"]
    response = client.post(url, {**data, "phone": "139-0013-9000"})
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.phone == "13900139000"


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return request
