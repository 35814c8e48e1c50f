"""The intake over a working day (issue 14, points 5, 6 and 8), through the intake page's own form as the browser
sends it: appointments, paid work and the area flag; the known caller's name on the order; what a complaint
is about; the caller panel kept after a rejected submit; "same caller, another fault"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from feedback.models import Complaint
from hotline.models import Call
from tests import factories as f
from tests.html_forms import form_query
from workorders.models import WorkOrder

TZ = ZoneInfo("Asia/Shanghai")


def _submit(client, **choose):
    html = client.get("/desk/intake/").content.decode()
    return client.post("/desk/intake/", form_query(html, "intake-form", **choose))


def _repair(**extra):
    return {
        "phone": "13800138000",
        "address": "5-37-1-302",
        "category": f.leaf_category("water.leak_fitting").id,
        "summary": "厨房水管漏水",
        **extra,
    }


@pytest.mark.django_db
def test_an_appointment_is_taken_with_the_slot_the_resident_chose(dispatcher_client, resident, crew):
    response = _submit(dispatcher_client, **_repair(urgency="appointment"))
    assert response.status_code == 200 and not WorkOrder.objects.exists()
    assert "预约单须填写住户选定的时间" in response.content.decode()
    response = _submit(dispatcher_client, **_repair(urgency="appointment", appointment_at="2026-12-01T14:30"))
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert order.urgency == "appointment"
    assert order.appointment_at == datetime(2026, 12, 1, 14, 30, tzinfo=TZ)


@pytest.mark.django_db
def test_paid_work_and_the_area_flag_are_set_at_the_desk(dispatcher_client, resident, crew):
    _submit(dispatcher_client, **_repair(charge="paid", area="building_common"))
    order = WorkOrder.objects.get()
    assert (order.charge, order.area) == ("paid", "building_common")


@pytest.mark.django_db
def test_the_form_as_sent_keeps_the_defaults_free_and_the_categorys_area(dispatcher_client, resident, crew):
    _submit(dispatcher_client, **_repair())
    order = WorkOrder.objects.get()
    assert (order.charge, order.area) == ("free", "indoor")


@pytest.mark.django_db
def test_a_known_callers_name_becomes_the_orders_reporter(dispatcher_client, resident, crew):
    _submit(dispatcher_client, **_repair())
    order = WorkOrder.objects.get()
    assert order.reporter == resident and order.reporter_name == "王大妈"
    # A typed name wins (a family member calling from the registered phone).
    _submit(dispatcher_client, **_repair(caller_name="王小明", category=f.leaf_category("water.meter").id))
    assert WorkOrder.objects.latest("id").reporter_name == "王小明"


@pytest.mark.django_db
def test_a_complaint_call_saves_the_order_or_worker_it_names(dispatcher_client, make_order, worker, resident):
    order = make_order("assigned")
    complaint_call = {"call_type": "complaint", "phone": "13800138000", "summary": "态度不好"}
    _submit(dispatcher_client, **complaint_call, subject=order.number)
    complaint = Complaint.objects.get()
    assert complaint.work_order == order and complaint.worker == worker and complaint.crew == order.crew
    _submit(dispatcher_client, **complaint_call, subject=worker.name)
    complaint = Complaint.objects.latest("id")
    assert complaint.work_order is None and complaint.worker == worker and complaint.crew == worker.crew
    _submit(dispatcher_client, **complaint_call, subject="穿蓝衣服的师傅")
    complaint = Complaint.objects.latest("id")
    assert complaint.worker is None and "穿蓝衣服的师傅" in complaint.summary
    assert Call.objects.filter(call_type="complaint").count() == 3


@pytest.mark.django_db
def test_after_a_rejected_submit_the_caller_panel_is_still_shown(dispatcher_client, resident, make_order):
    existing = make_order("dispatched")
    response = _submit(dispatcher_client, **_repair())  # the same room and category: the duplicate check
    page = response.content.decode()
    assert response.status_code == 200 and "催单" in page
    panel = page.split('id="caller-panel"', 1)[1]
    assert "王大妈" in panel and existing.number in panel and "5区37栋1单元302室" in panel
    assert WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_after_a_submit_the_same_caller_is_offered_for_another_fault(dispatcher_client, resident, crew):
    response = _submit(dispatcher_client, **_repair(caller_name="王大妈"))
    page = dispatcher_client.get(response["Location"]).content.decode()
    link = page.split('data-shortcut="alt+g"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert link.startswith("/desk/intake/?") and "phone=13800138000" in link
    again = dispatcher_client.get(link.replace("&amp;", "&"))
    query = form_query(again.content.decode(), "intake-form")
    assert query["phone"] == ["13800138000"] and query["caller_name"] == ["王大妈"]
    assert query["address"] == ["5区37栋1单元302室"]
    assert "王大妈" in again.content.decode().split('id="caller-panel"', 1)[1]
    # Offered once: the next intake is a new caller.
    assert 'data-shortcut="alt+g"' not in dispatcher_client.get("/desk/intake/").content.decode()
