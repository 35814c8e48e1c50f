"""Every order number, complaint number and caller shown on the desk and feedback pages is a link to its page
(issue 14, point 2); a caller's link never carries digits the user may not see."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission

from feedback.actions.complaints import register_complaint
from feedback.models import FollowUp
from hotline.services import take_call


def _order_link(order) -> str:
    return f'href="/orders/{order.pk}/"'


CALLER_LINK = 'href="/desk/lookup/?phone=13800138000"'


@pytest.fixture
def scene(dispatcher, manager, resident, room, crew, make_order):
    order = make_order("dispatched")
    call = take_call(
        actor=dispatcher,
        call_type="reminder",
        phone="13800138000",
        caller_name="王大妈",
        summary="还没人来",
        room=room,
        remind_order_id=order.pk,
    ).call
    complaint = register_complaint(
        actor=manager, source="call", phone="13800138000", name="王大妈", summary="态度差", work_order=order
    )
    return order, call, complaint


@pytest.mark.django_db
def test_board_call_log_and_caller_panel_link_the_order_the_complaint_and_the_caller(
    dispatcher_client, scene
):
    order, _call, complaint = scene
    assert _order_link(order) in dispatcher_client.get("/desk/board/").content.decode()
    calls = dispatcher_client.get("/desk/calls/").content.decode()
    assert _order_link(order) in calls and CALLER_LINK in calls
    panel = dispatcher_client.get("/desk/lookup/?phone=13800138000", HTTP_HX_REQUEST="true").content.decode()
    assert _order_link(order) in panel
    assert f'href="/feedback/complaints/{complaint.pk}/"' in panel and complaint.number in panel


@pytest.mark.django_db
def test_complaint_list_and_page_link_the_order_and_the_caller(manager_client, scene):
    order, _call, complaint = scene
    listing = manager_client.get("/feedback/complaints/").content.decode()
    assert _order_link(order) in listing and CALLER_LINK in listing
    assert f'href="/feedback/complaints/{complaint.pk}/"' in listing
    page = manager_client.get(f"/feedback/complaints/{complaint.pk}/").content.decode()
    assert _order_link(order) in page and CALLER_LINK in page


@pytest.mark.django_db
def test_follow_up_page_and_order_page_link_the_order_and_the_caller(
    dispatcher_client, make_order, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = make_order("completed", reporter_name="王大妈")
    follow_up = FollowUp.objects.get(work_order=order)
    page = dispatcher_client.get(f"/feedback/follow-ups/{follow_up.pk}/").content.decode()
    assert _order_link(order) in page and CALLER_LINK in page
    assert CALLER_LINK in dispatcher_client.get(f"/orders/{order.pk}/").content.decode()


@pytest.mark.django_db
def test_a_user_who_sees_masked_phones_gets_the_caller_as_text_without_the_hidden_digits(
    dispatcher_client, scene
):
    Group.objects.get(name="dispatcher").permissions.remove(
        Permission.objects.get(codename="view_full_phone")
    )
    calls = dispatcher_client.get("/desk/calls/").content.decode()
    assert "138****8000" in calls and "13800138000" not in calls
    assert _order_link(scene[0]) in calls


@pytest.mark.django_db
def test_crew_staff_get_no_caller_link(leader_client, make_order):
    order = make_order("dispatched", reporter_name="王大妈")
    assert "/desk/lookup/" not in leader_client.get(f"/orders/{order.pk}/").content.decode()
