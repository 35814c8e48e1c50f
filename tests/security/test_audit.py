"""Audit of master data: every admin add/change/delete (and inline rows) of residents, rooms, crews, workers,
categories, commitments… leaves an AuditEntry with before/after values; registering a caller does too.
Managers browse the entries read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from crews.models import Crew
from residents.models import AuditEntry, Resident
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(f.UserFactory(username="t_admin", is_superuser=True, is_staff=True))
    return client


def _resident_form(resident, **changes) -> dict:
    data = {
        "name": resident.name,
        "phone": resident.phone,
        "alt_phone": resident.alt_phone,
        "notes": resident.notes,
        "residencies-TOTAL_FORMS": "0",
        "residencies-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_changing_a_resident_in_the_admin_records_before_and_after(admin_client, resident):
    response = admin_client.post(
        f"/admin/residents/resident/{resident.pk}/change/", _resident_form(resident, phone="13911112222")
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.model, entry.object_id, entry.action) == ("residents.resident", str(resident.pk), "change")
    assert entry.changes == {"phone": ["13800138000", "13911112222"]}
    assert entry.actor.username == "t_admin" and entry.at is not None


def test_an_unchanged_save_records_nothing(admin_client, resident):
    admin_client.post(f"/admin/residents/resident/{resident.pk}/change/", _resident_form(resident))
    assert not AuditEntry.objects.exists()


def test_inline_residency_added_and_resident_deleted_are_recorded(admin_client, resident, room):
    other = f.RoomFactory(unit=room.unit, number="402", floor=4)
    data = _resident_form(resident)
    data.update(
        {
            "residencies-TOTAL_FORMS": "2",
            "residencies-INITIAL_FORMS": "1",
            "residencies-0-id": str(resident.residencies.get().pk),
            "residencies-0-resident": str(resident.pk),
            "residencies-0-room": str(room.pk),
            "residencies-0-relation": "owner",
            "residencies-1-resident": str(resident.pk),
            "residencies-1-room": str(other.pk),
            "residencies-1-relation": "tenant",
        }
    )
    assert admin_client.post(f"/admin/residents/resident/{resident.pk}/change/", data).status_code == 302
    added = AuditEntry.objects.get(model="residents.residency")
    assert added.action == "add" and added.changes["relation"] == [None, "tenant"]
    assert (
        admin_client.post(f"/admin/residents/resident/{resident.pk}/delete/", {"post": "yes"}).status_code
        == 302
    )
    gone = AuditEntry.objects.get(model="residents.resident", action="delete")
    assert gone.object_id == str(resident.pk) and gone.changes["phone"] == ["13800138000", None]
    assert not Resident.objects.filter(pk=resident.pk).exists()


def test_adding_a_crew_and_changing_a_commitment_are_recorded(admin_client, district):
    response = admin_client.post(
        "/admin/crews/crew/add/",
        {
            "name": "第二供水班",
            "kind": "water",
            "active": "on",
            "districts": [str(district.pk)],
            "workers-TOTAL_FORMS": "0",
            "workers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    crew = Crew.objects.get(name="第二供水班")
    entry = AuditEntry.objects.get(model="crews.crew")
    assert entry.action == "add" and entry.object_id == str(crew.pk)
    assert entry.changes["name"] == [None, "第二供水班"]
    assert entry.changes["districts"] == [None, [f"{district} (#{district.pk})"]]


def test_every_master_data_admin_is_audited():
    from django.contrib import admin

    from residents.admin import AuditedAdminMixin

    master = {
        "residents.district", "residents.building", "residents.unit", "residents.room", "residents.facility",
        "residents.resident", "crews.crew", "crews.worker", "crews.dutyshift", "workorders.category",
        "workorders.servicecommitment", "workorders.workingcalendar", "workorders.holiday",
        "feedback.complainttype", "feedback.assessmentweight", "feedback.rewardpenalty",
    }  # fmt: skip
    registered = {model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()}
    assert master <= set(registered)
    assert [label for label in master if not isinstance(registered[label], AuditedAdminMixin)] == []


def test_registering_a_caller_is_audited_with_who_did_it(dispatcher_client, dispatcher, room):
    created = dispatcher_client.post(
        "/api/v1/residents/",
        {"name": "李师傅", "phone": "13912345678", "room": room.pk},
        content_type="application/json",
    )
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_id) == (dispatcher, "add", str(created.json()["id"]))
    assert entry.changes["phone"] == [None, "13912345678"] and entry.changes["room"] == [
        None,
        f"{room} (#{room.pk})",
    ]
    panel = dispatcher_client.post(
        "/desk/callers/register/", {"name": "周阿姨", "phone": "13733334444", "address": room.label}
    )
    assert panel.status_code == 200
    assert AuditEntry.objects.filter(actor=dispatcher, changes__name=[None, "周阿姨"]).exists()


def test_managers_browse_and_filter_the_audit_read_only(manager, leader, resident):
    from residents.services import record_audit

    record_audit(actor=None, obj=resident, action="change", changes={"notes": ["", "独居"]})
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(manager)
    page = client.get("/admin/residents/auditentry/?model=residents.resident&action=change")
    assert page.status_code == 200 and "王大妈" in page.content.decode()
    assert client.get("/admin/residents/auditentry/?model=crews.crew").content.decode().count("王大妈") == 0
    entry = AuditEntry.objects.get()
    assert client.post(f"/admin/residents/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/residents/auditentry/add/").status_code == 403
    leader.user.is_staff = True
    leader.user.save(update_fields=["is_staff"])
    crew_client = Client()
    crew_client.force_login(leader.user)
    assert crew_client.get("/admin/residents/auditentry/").status_code == 403


def test_changing_the_assessment_weights_is_audited(manager_client, manager):
    from decimal import Decimal

    from feedback.models import AssessmentWeight
    from feedback.reports.assessment import KPI_CODES

    data = dict.fromkeys(KPI_CODES, "10") | {"satisfaction": "30"}
    seeded = dict(AssessmentWeight.objects.values_list("kpi", "weight"))
    changed = {kpi for kpi, value in data.items() if seeded.get(kpi) != Decimal(value)}
    assert changed
    assert manager_client.post("/feedback/assessments/weights/", data).status_code == 302
    first = AuditEntry.objects.filter(model="feedback.assessmentweight")
    assert first.count() == len(changed) and {e.actor for e in first} == {manager}
    AuditEntry.objects.all().delete()
    manager_client.post("/feedback/assessments/weights/", data | {"satisfaction": "25"})
    entry = AuditEntry.objects.get()  # only the weight that changed
    assert entry.action == "change" and entry.changes == {"weight": ["30.00", "25.00"]}
