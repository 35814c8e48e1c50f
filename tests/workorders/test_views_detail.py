"""The order detail page shared by all roles, the slip, photos, and stale forms."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f
from workorders.actions.attachments import add_attachment
from workorders.actions.closing import cancel_order
from workorders.actions.escalation import remind_order
from workorders.actions.field_work import complete_order, request_hold


def _actions(response):
    return {m["move"] for m in response.context["move_forms"]}


@pytest.mark.django_db
def test_detail_shows_location_reporter_deadlines_and_timeline(leader_client, make_order, resident):
    order = make_order("accepted", reporter=resident, reporter_name="王大妈")
    response = leader_client.get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "5区37栋1单元302室" in html and "王大妈" in html and "厨房水管接头漏水" in html
    assert "138****8000" in html and "tel:13800138000" not in html  # the leader sees the masked number
    assert [e.kind for e in response.context["events"]] == ["create", "dispatch", "assign", "accept"]


@pytest.mark.django_db
def test_assigned_worker_and_desk_see_the_full_number(worker_client, dispatcher_client, make_order):
    order = make_order("accepted")
    assert "tel:13800138000" in worker_client.get(f"/orders/{order.pk}/").content.decode()
    assert "tel:13800138000" in dispatcher_client.get(f"/orders/{order.pk}/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["other_leader_client", "other_worker_client"])
def test_detail_is_404_for_other_crew_leader_and_other_worker(request, make_order, client_name):
    order = make_order("accepted")
    client = request.getfixturevalue(client_name)
    for url in (f"/orders/{order.pk}/", f"/orders/{order.pk}/slip/", f"/orders/{order.pk}/complete/"):
        assert client.get(url).status_code == 404
    response = client.post(f"/orders/{order.pk}/do/arrive/")
    assert response.status_code == 404
    order.refresh_from_db()
    assert order.status == "accepted"


@pytest.mark.django_db
def test_not_found_is_a_page_not_a_crash(worker_client):
    response = worker_client.get("/orders/999999/")
    assert response.status_code == 404
    assert "<html" in response.content.decode()


@pytest.mark.django_db
def test_actions_follow_role_and_state(
    dispatcher_client, manager_client, leader_client, worker_client, make_order
):
    received = make_order("received")
    assert {"dispatch", "cancel", "remind"} <= _actions(dispatcher_client.get(f"/orders/{received.pk}/"))
    dispatched = make_order("dispatched")
    assert {"assign", "hand_back", "transfer"} <= _actions(leader_client.get(f"/orders/{dispatched.pk}/"))
    assert "dispatch" not in _actions(dispatcher_client.get(f"/orders/{dispatched.pk}/"))
    assigned = make_order("assigned")
    worker_page = worker_client.get(f"/orders/{assigned.pk}/")
    assert _actions(worker_page) == {"accept"}
    assert not worker_page.context["can_complete"]
    on_site = make_order("on_site")
    assert _actions(worker_client.get(f"/orders/{on_site.pk}/")) == {"request_hold"}
    assert worker_client.get(f"/orders/{on_site.pk}/").context["can_complete"]
    manager_actions = _actions(manager_client.get(f"/orders/{on_site.pk}/"))
    assert {
        "supervise",
        "cancel",
    } <= manager_actions and "transfer" not in manager_actions  # not from on_site
    completed = make_order("completed")
    assert {"close", "rework"} == _actions(manager_client.get(f"/orders/{completed.pk}/"))
    assert _actions(worker_client.get(f"/orders/{completed.pk}/")) == set()
    assert _actions(leader_client.get(f"/orders/{completed.pk}/")) == set()


@pytest.mark.django_db
def test_dispatcher_dispatches_and_cancels_from_the_detail(dispatcher_client, make_order, crew):
    order = make_order("received")
    dispatcher_client.post(f"/orders/{order.pk}/do/dispatch/", {"crew": crew.pk})
    order.refresh_from_db()
    assert (order.status, order.crew_id) == ("dispatched", crew.pk)
    dispatcher_client.post(f"/orders/{order.pk}/do/cancel/", {"reason": "duplicate", "note": "重复报修"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "duplicate")


@pytest.mark.django_db
def test_dispatcher_transfers_to_another_crew(dispatcher_client, make_order, other_crew):
    order = make_order("assigned")
    dispatcher_client.post(f"/orders/{order.pk}/do/transfer/", {"crew": other_crew.pk, "reason": "属电工"})
    order.refresh_from_db()
    assert (order.status, order.crew_id, order.worker_id) == ("dispatched", other_crew.pk, None)


@pytest.mark.django_db
def test_manager_supervises_closes_and_sends_back_for_rework(manager_client, make_order):
    order = make_order("on_site")
    assert manager_client.post(f"/orders/{order.pk}/do/supervise/", {"note": ""}).status_code == 400
    manager_client.post(f"/orders/{order.pk}/do/supervise/", {"note": "今天18点前完成"})
    order.refresh_from_db()
    assert order.supervised_at is not None
    done = make_order("completed")
    manager_client.post(f"/orders/{done.pk}/do/rework/", {"note": "回访不满意"})
    done.refresh_from_db()
    assert (done.status, done.is_rework) == ("dispatched", True)
    other = make_order("completed")
    manager_client.post(f"/orders/{other.pk}/do/close/", {})
    other.refresh_from_db()
    assert other.status == "closed"


@pytest.mark.django_db
def test_worker_cannot_close(worker_client, make_order):
    order = make_order("completed")
    assert worker_client.post(f"/orders/{order.pk}/do/close/").status_code == 403
    order.refresh_from_db()
    assert order.status == "completed"


@pytest.mark.django_db
def test_stale_hold_approval_after_the_worker_completed(leader_client, worker, make_order):
    order = make_order("on_site")
    request_hold(actor=worker.user, order_id=order.id, reason="waiting_parts")
    page = leader_client.get("/orders/crew/")  # the leader's page offers "approve hold"
    assert f"/orders/{order.pk}/do/hold/" in page.content.decode()
    complete_order(actor=worker.user, order_id=order.id, **f.COMPLETE_KWARGS)  # meanwhile, at the door
    response = leader_client.post(f"/orders/{order.pk}/do/hold/", {"reason": "waiting_parts"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/orders/{order.pk}/"
    text = [str(m) for m in response.context["messages"]]
    assert len(text) == 1 and order.number in text[0]
    order.refresh_from_db()
    assert order.status == "completed"


@pytest.mark.django_db
def test_stale_assign_after_the_dispatcher_cancelled(leader_client, dispatcher, make_order, worker):
    order = make_order("dispatched")
    cancel_order(actor=dispatcher, order_id=order.id, reason="withdrawn")
    response = leader_client.post(f"/orders/{order.pk}/do/assign/", {"worker": worker.pk})
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert (order.status, order.worker_id) == ("cancelled", None)


@pytest.mark.django_db
def test_unknown_move_is_404_and_get_is_not_allowed(worker_client, make_order):
    order = make_order("assigned")
    assert worker_client.post(f"/orders/{order.pk}/do/explode/").status_code == 404
    assert worker_client.get(f"/orders/{order.pk}/do/accept/").status_code == 405


@pytest.mark.django_db
def test_slip_has_number_address_checklist_and_signature_lines(worker_client, make_order):
    order = make_order("accepted")
    response = worker_client.get(f"/orders/{order.pk}/slip/")
    html = response.content.decode()
    assert order.number in html and "5区37栋1单元302室" in html and "厨房水管接头漏水" in html
    for name in ("一声问好", "一副鞋套", "一块抹布", "一次通检", "一张留言条", "一个回访电话"):
        assert name in html
    assert "css/slip.css" in html and 'class="signatures"' in html


@pytest.mark.django_db
def test_photos_are_served_only_to_who_may_see_the_order(
    worker_client, other_worker_client, worker, make_order
):
    order = make_order("on_site")
    response = worker_client.post(
        f"/orders/{order.pk}/photos/",
        {"kind": "before", "photos": SimpleUploadedFile("a.png", f.tiny_png(), content_type="image/png")},
    )
    assert response.status_code == 302
    photo = order.attachments.get()
    assert photo.kind == "before"
    url = f"/orders/{order.pk}/photos/{photo.pk}/"
    ok = worker_client.get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert b"".join(ok.streaming_content).startswith(b"\x89PNG")
    assert other_worker_client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_non_image_upload_is_refused_with_a_message(worker_client, make_order):
    order = make_order("on_site")
    response = worker_client.post(
        f"/orders/{order.pk}/photos/",
        {
            "kind": "after",
            "photos": SimpleUploadedFile("x.png", b"not really a png", content_type="image/png"),
        },
        follow=True,
    )
    assert response.status_code == 200 and list(response.context["messages"])
    assert not order.attachments.exists()


# --- Query counts -----------------------------------------------------------------------------------------
# Every detail page: 1 session, 2 the user with their groups and the full-phone permission (crews.auth),
# then the order (one query, five joins: category and its parent, crew, worker, district), its photos, and the
# timeline with its actors (the first-contact owner, who created the order, comes with it). The reporter is
# not read: the order carries the name the desk typed in.
DETAIL_QUERIES = [
    # 3 the order, 4 the active crews (dispatch form), 5 photos, 6 timeline
    ("dispatcher", "received", 6),
    # 3 the order, 4 the crew's workers with their load (transfer form), 5 the other active crews (transfer
    # form), 6 photos, 7 timeline
    ("dispatcher", "dispatched", 7),
    # 3 the order, 4 materials (completion record), 5 photos, 6 timeline
    ("dispatcher", "closed", 6),
    # 3 the order, 4 the crew's workers with their load (one query for the assign and transfer forms and the
    # suggestion), 5 the other active crews (transfer form), 6 photos, 7 timeline
    ("manager", "dispatched", 7),
    # 3 the order, 4 materials, 5 photos, 6 timeline
    ("manager", "completed", 6),
    # 3 the leader's Worker row, 4 the order, 5 the crew's workers with their load (assign and transfer
    # forms), 6 photos, 7 timeline
    ("leader", "dispatched", 7),
    # 3 the leader's Worker row, 4 the order, 5 photos, 6 timeline
    ("leader", "on_site", 6),
    # 3 the worker's Worker row, 4 the order, 5 photos, 6 timeline
    ("worker", "accepted", 6),
    # 3 the worker's Worker row, 4 the order, 5 the crew's workers with their load (taking it from the
    # pool: assign form), 6 photos, 7 timeline
    ("worker", "dispatched", 7),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role,status,queries", DETAIL_QUERIES)
def test_detail_query_count_per_role(
    request, role, status, queries, make_order, resident, dispatcher, django_assert_num_queries
):
    order = make_order(status, reporter=resident, reporter_name="王大妈")
    client = request.getfixturevalue(f"{role}_client")
    with django_assert_num_queries(queries):
        response = client.get(f"/orders/{order.pk}/")
    assert response.status_code == 200
    # The first-contact owner, taken from the timeline.
    assert f"<dd>{dispatcher.get_full_name()}</dd>" in response.content.decode()


@pytest.mark.django_db
def test_detail_query_count_stays_flat_as_rows_grow(
    dispatcher, dispatcher_client, worker, crew, make_order, django_assert_num_queries
):
    order = make_order("assigned")
    for i in range(12):
        f.WorkerFactory(crew=crew, user__username=f"t_more_{i}")
    for i in range(6):
        remind_order(actor=dispatcher, order_id=order.pk, note=f"第{i}次催单")
        add_attachment(
            actor=worker.user,
            order=order,
            file=SimpleUploadedFile("p.png", f.tiny_png(), content_type="image/png"),
            kind="before",
        )
    # 1 session, 2 user, 3 the order, 4 the crew's workers with load, 5 other crews, 6 photos, 7 timeline
    with django_assert_num_queries(7):
        response = dispatcher_client.get(f"/orders/{order.pk}/")
    html = response.content.decode()
    assert html.count("<figure>") == 6 and html.count("第5次催单") == 1
    assert len(response.context["events"]) == 3 + 12  # create, dispatch, assign; 6 reminders, 6 photos
    transfer = next(m["form"] for m in response.context["move_forms"] if m["move"] == "transfer")
    assert len(transfer.fields["worker"].choices) == 1 + 12  # "---------", then the others of the crew


@pytest.mark.django_db
def test_reporter_without_a_typed_in_name_is_read_for_the_page(
    dispatcher_client, make_order, resident, django_assert_num_queries
):
    order = make_order("received", reporter=resident, reporter_name="")
    # 1 session, 2 user, 3 the order, 4 the reporter (no typed-in name), 5 active crews, 6 photos, 7 timeline
    with django_assert_num_queries(7):
        response = dispatcher_client.get(f"/orders/{order.pk}/")
    assert "王大妈" in response.content.decode()
