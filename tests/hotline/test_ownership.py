"""Issue 14 points 9 and 10: praise calls leave a 表扬 record, help and suggestion calls are answered by their
owner, and 首问负责 is handed to a named colleague from the call's page and the API (allowed and denied)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from feedback.models import Praise
from hotline import services
from hotline.models import Call
from tests import factories as f
from tests.hotline.conftest import DAY


def help_call(actor, call_type="help"):
    return services.take_call(
        actor=actor, call_type=call_type, phone="13800138000", summary="老人家里没人照顾，求助", now=DAY
    ).call


@pytest.fixture
def colleague(db):
    return f.UserFactory(username="t_dispatcher2", role="dispatcher", first_name="李调度")


# --- Point 9: praise, help, suggestion ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_praise_call_naming_a_worker_records_praise_for_the_worker_and_crew(dispatcher, worker):
    result = services.take_call(
        actor=dispatcher,
        call_type="praise",
        phone="13800138000",
        caller_name="王大妈",
        summary="师傅修得又快又干净",
        subject=f"{worker.name}师傅",
        now=DAY,
    )
    praise = Praise.objects.get()
    assert result.praise == praise and result.call.praise == praise
    assert praise.worker == worker and praise.crew == worker.crew and praise.praiser_name == "王大妈"


@pytest.mark.django_db
def test_a_praise_call_naming_a_crew_records_praise_for_the_crew(dispatcher, crew):
    services.take_call(
        actor=dispatcher,
        call_type="praise",
        phone="13800138000",
        summary="谢谢",
        subject="供水班的同志",
        now=DAY,
    )
    praise = Praise.objects.get()
    assert praise.crew == crew and praise.worker is None


@pytest.mark.django_db
def test_a_praise_call_naming_nobody_known_is_recorded_for_a_manager_to_attribute(dispatcher, crew):
    result = services.take_call(actor=dispatcher, call_type="praise", phone="13800138000", summary="谢谢你们")
    praise = Praise.objects.get()
    assert result.call.praise == praise and praise.crew is None and praise.worker is None


@pytest.mark.django_db
def test_the_praise_page_still_requires_a_crew_when_recorded_by_hand(manager):
    from feedback.actions.praise import record_praise

    with pytest.raises(ValidationError):
        record_praise(actor=manager, summary="好")
    assert not Praise.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("call_type", ["help", "suggestion"])
def test_the_owner_answers_a_help_or_suggestion_call_and_it_is_handled(dispatcher, call_type):
    call = help_call(dispatcher, call_type)
    assert call.closed_at is None and call.current_owner == dispatcher
    services.answer_call(actor=dispatcher, call_id=call.id, answer="已联系社区，明天上门")
    call.refresh_from_db()
    assert (
        call.answer == "已联系社区，明天上门" and call.closed_at is not None and call.closed_by == dispatcher
    )
    # Repeating changes nothing (the first answer stays).
    services.answer_call(actor=dispatcher, call_id=call.id, answer="另一个答复")
    call.refresh_from_db()
    assert call.answer == "已联系社区，明天上门"


@pytest.mark.django_db
def test_another_dispatcher_may_not_answer_a_call_they_do_not_own(dispatcher, colleague):
    call = help_call(dispatcher)
    with pytest.raises(PermissionDenied):
        services.answer_call(actor=colleague, call_id=call.id, answer="答复")
    call.refresh_from_db()
    assert call.closed_at is None and call.answer == ""


@pytest.mark.django_db
def test_a_manager_may_answer_any_call_but_an_empty_answer_is_refused(dispatcher, manager):
    call = help_call(dispatcher)
    with pytest.raises(ValidationError):
        services.answer_call(actor=manager, call_id=call.id, answer="  ")
    services.answer_call(actor=manager, call_id=call.id, answer="已处理")
    call.refresh_from_db()
    assert call.closed_by == manager


@pytest.mark.django_db
def test_a_complaint_call_is_not_answered_here(dispatcher):
    call = services.take_call(
        actor=dispatcher, call_type="complaint", phone="13800138000", summary="态度差"
    ).call
    with pytest.raises(ValidationError):
        services.answer_call(actor=dispatcher, call_id=call.id, answer="答复")


# --- Point 10: hand-over ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_owner_hands_a_call_to_a_colleague_who_then_owns_it(dispatcher, colleague):
    call = help_call(dispatcher)
    services.hand_over_call(actor=dispatcher, call_id=call.id, to_user=colleague, note="您熟悉这个小区")
    call.refresh_from_db()
    assert call.taken_by == dispatcher and call.current_owner == colleague and call.handed_at is not None
    # Now the colleague, not the first taker, may hand it on or answer it.
    with pytest.raises(PermissionDenied):
        services.answer_call(actor=dispatcher, call_id=call.id, answer="答复")
    services.answer_call(actor=colleague, call_id=call.id, answer="答复")


@pytest.mark.django_db
def test_a_dispatcher_who_does_not_own_the_call_may_not_hand_it_over(dispatcher, colleague, manager):
    call = help_call(dispatcher)
    with pytest.raises(PermissionDenied):
        services.hand_over_call(actor=colleague, call_id=call.id, to_user=manager)
    call.refresh_from_db()
    assert call.handed_to is None


@pytest.mark.django_db
def test_a_call_cannot_go_to_crew_staff_an_inactive_user_or_after_it_is_handled(
    dispatcher, worker, colleague
):
    call = help_call(dispatcher)
    with pytest.raises(ValidationError):
        services.hand_over_call(actor=dispatcher, call_id=call.id, to_user=worker.user)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        services.hand_over_call(actor=dispatcher, call_id=call.id, to_user=colleague)
    colleague.is_active = True
    colleague.save(update_fields=["is_active"])
    services.answer_call(actor=dispatcher, call_id=call.id, answer="已答复")
    with pytest.raises(ValidationError):
        services.hand_over_call(actor=dispatcher, call_id=call.id, to_user=colleague)
    call.refresh_from_db()
    assert call.handed_to is None


@pytest.mark.django_db
def test_the_call_page_hands_over_and_the_colleague_sees_it_as_theirs(client, dispatcher, colleague):
    call = help_call(dispatcher)
    client.force_login(dispatcher)
    page = client.get(reverse("hotline:call", args=[call.id]))
    assert page.status_code == 200 and "李调度" in page.content.decode()
    response = client.post(reverse("hotline:call-hand-over", args=[call.id]), {"to": colleague.id})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.current_owner == colleague
    client.force_login(colleague)
    mine = client.get(reverse("hotline:calls"), {"mine": "true"})
    assert [c.id for c in mine.context["page"].object_list] == [call.id]
    client.force_login(dispatcher)
    assert list(client.get(reverse("hotline:calls"), {"mine": "true"}).context["page"].object_list) == []


@pytest.mark.django_db
def test_the_call_page_refuses_a_hand_over_by_someone_else_and_changes_nothing(client, dispatcher, colleague):
    call = help_call(dispatcher)
    client.force_login(colleague)
    page = client.get(reverse("hotline:call", args=[call.id])).content.decode()
    assert "hand-over" not in page  # no form for a non-owner
    client.post(reverse("hotline:call-hand-over", args=[call.id]), {"to": colleague.id})
    call.refresh_from_db()
    assert call.handed_to is None


@pytest.mark.django_db
def test_crew_staff_get_403_on_the_call_page(client, dispatcher, worker):
    call = help_call(dispatcher)
    client.force_login(worker.user)
    assert client.get(reverse("hotline:call", args=[call.id])).status_code == 403
    assert (
        client.post(reverse("hotline:call-hand-over", args=[call.id]), {"to": worker.user.id}).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_call_page_answers_a_help_call(client, dispatcher):
    call = help_call(dispatcher)
    client.force_login(dispatcher)
    client.post(reverse("hotline:call-answer", args=[call.id]), {"answer": "明早八点电工上门"})
    call.refresh_from_db()
    assert call.answer == "明早八点电工上门" and call.closed_at is not None


@pytest.mark.django_db
def test_api_hand_over_moves_the_call_to_the_named_login(dispatcher, colleague):
    from rest_framework.test import APIClient

    call = help_call(dispatcher)
    api = APIClient()
    api.force_authenticate(dispatcher)
    url = f"/api/v1/calls/{call.id}/hand-over/"
    assert api.post(url, {"to": "nobody"}, format="json").status_code == 400
    response = api.post(url, {"to": colleague.username}, format="json")
    assert response.status_code == 200 and response.json()["handed_to"] == colleague.username
    # The former owner may not take it back.
    assert api.post(url, {"to": dispatcher.username}, format="json").status_code == 403
    api.force_authenticate(colleague)
    assert api.post(url, {"to": dispatcher.username}, format="json").status_code == 200
    assert Call.objects.get().handed_to == dispatcher


@pytest.mark.django_db
def test_api_hand_over_is_refused_to_crew_staff_and_anonymous(dispatcher, worker, colleague):
    from rest_framework.test import APIClient

    call = help_call(dispatcher)
    api = APIClient()
    url = f"/api/v1/calls/{call.id}/hand-over/"
    assert api.post(url, {"to": colleague.username}, format="json").status_code == 401
    api.force_authenticate(worker.user)
    assert api.post(url, {"to": colleague.username}, format="json").status_code == 403
    assert Call.objects.get().handed_to is None


@pytest.mark.django_db
def test_call_list_mine_filter_keeps_a_flat_query_count(
    client, dispatcher, colleague, django_assert_max_num_queries
):
    for _ in range(3):
        services.hand_over_call(actor=dispatcher, call_id=help_call(dispatcher).id, to_user=colleague)
    client.force_login(colleague)
    client.get(reverse("hotline:calls"), {"mine": "true"})  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("hotline:calls"), {"mine": "true"})
    for _ in range(5):
        services.hand_over_call(actor=dispatcher, call_id=help_call(dispatcher).id, to_user=colleague)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("hotline:calls"), {"mine": "true"})
    assert len(response.context["page"].object_list) == 8
    assert len(many) == len(few)
