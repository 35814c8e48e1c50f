"""The completion form: 六个一 checklist, findings, materials, fee, photos; errors inline, nothing lost."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f
from workorders.actions.closing import cancel_order

ALL_YES = {f"check_{k}": "yes" for k in ("greeting", "shoe_covers", "cloth", "inspection", "note_left")}


def _post(order, **extra):
    data = {
        **ALL_YES,
        "resolution": "更换接头密封圈，试水无渗漏",
        "inspection_findings": "顺查卫生间水管，无异常",
        "materials-TOTAL_FORMS": "2",
        "materials-INITIAL_FORMS": "0",
        "materials-MIN_NUM_FORMS": "0",
        "materials-MAX_NUM_FORMS": "1000",
        "materials-0-name": "密封圈",
        "materials-0-quantity": "2",
        "materials-0-unit_price": "1.50",
        "materials-1-name": "",
        "materials-1-quantity": "",
        "materials-1-unit_price": "",
    }
    data.update(extra)
    return data


def _png(name="p.png"):
    return SimpleUploadedFile(name, f.tiny_png(), content_type="image/png")


@pytest.mark.django_db
def test_form_shows_five_items_and_the_center_call(worker_client, make_order):
    order = make_order("on_site")
    response = worker_client.get(f"/orders/{order.pk}/complete/")
    html = response.content.decode()
    for name in ("一声问好", "一副鞋套", "一块抹布", "一次通检", "一张留言条", "一个回访电话"):
        assert name in html
    assert html.count('type="radio"') == 10
    assert 'accept="image/*"' in html and "capture" in html
    assert "js/workorders.js" in html and "<script>" not in html  # no inline script
    assert 'name="fee"' not in html  # free of charge: no fee


@pytest.mark.django_db
def test_complete_with_checklist_materials_and_photos(
    worker_client, make_order, django_capture_on_commit_callbacks
):
    order = make_order("on_site")
    with django_capture_on_commit_callbacks(execute=True):
        response = worker_client.post(
            f"/orders/{order.pk}/complete/",
            _post(order, before_photos=[_png("b.png")], after_photos=[_png("a1.png"), _png("a2.png")]),
        )
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "completed"
    assert all(order.checklist.values()) and order.checklist_notes == ""
    assert order.inspection_findings == "顺查卫生间水管，无异常"
    assert [(m.name, str(m.quantity), str(m.unit_price)) for m in order.materials.all()] == [
        ("密封圈", "2.00", "1.50")
    ]
    assert sorted(order.attachments.values_list("kind", flat=True)) == ["after", "after", "before"]
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds[-4:] == ["complete", "attach", "attach", "attach"]
    detail = worker_client.get(f"/orders/{order.pk}/").content.decode()
    assert "密封圈" in detail and "更换接头密封圈" in detail


@pytest.mark.django_db
def test_a_no_without_reason_is_an_inline_error_and_keeps_what_was_typed(worker_client, make_order):
    order = make_order("on_site")
    response = worker_client.post(
        f"/orders/{order.pk}/complete/", _post(order, check_shoe_covers="no", resolution="修好了龙头")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "reason_shoe_covers" in form.errors
    html = response.content.decode()
    assert "修好了龙头" in html and 'value="密封圈"' in html  # what was typed is still there
    order.refresh_from_db()
    assert order.status == "on_site" and not order.materials.exists()


@pytest.mark.django_db
def test_a_no_with_reason_is_recorded_in_the_notes(worker_client, make_order):
    order = make_order("on_site")
    worker_client.post(
        f"/orders/{order.pk}/complete/",
        _post(order, check_shoe_covers="no", reason_shoe_covers="鞋套用完了"),
    )
    order.refresh_from_db()
    assert order.status == "completed"
    assert order.checklist_shoe_covers is False
    assert order.checklist_notes == "一副鞋套：鞋套用完了"


@pytest.mark.django_db
def test_every_item_must_be_answered(worker_client, make_order):
    order = make_order("on_site")
    data = _post(order)
    del data["check_cloth"]
    response = worker_client.post(f"/orders/{order.pk}/complete/", data)
    assert response.status_code == 400 and "check_cloth" in response.context["form"].errors
    order.refresh_from_db()
    assert order.status == "on_site"


@pytest.mark.django_db
def test_resolution_is_required_and_bad_material_rows_are_shown(worker_client, make_order):
    order = make_order("on_site")
    response = worker_client.post(
        f"/orders/{order.pk}/complete/", _post(order, resolution="", **{"materials-0-quantity": "-1"})
    )
    assert response.status_code == 400
    assert "resolution" in response.context["form"].errors
    assert response.context["formset"].forms[0].errors.get("quantity")


@pytest.mark.django_db
def test_paid_work_needs_the_residents_confirmation_of_the_fee(worker_client, make_order):
    order = make_order("on_site", charge="paid")
    assert 'name="fee"' in worker_client.get(f"/orders/{order.pk}/complete/").content.decode()
    response = worker_client.post(f"/orders/{order.pk}/complete/", _post(order, fee="35.00"))
    assert response.status_code == 400 and "fee_confirmed" in response.context["form"].errors
    worker_client.post(f"/orders/{order.pk}/complete/", _post(order, fee="35.00", fee_confirmed="on"))
    order.refresh_from_db()
    assert (order.status, str(order.fee), order.fee_confirmed) == ("completed", "35.00", True)


@pytest.mark.django_db
def test_a_non_image_photo_stops_the_completion(worker_client, make_order):
    order = make_order("on_site")
    bad = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = worker_client.post(f"/orders/{order.pk}/complete/", _post(order, after_photos=[bad]))
    assert response.status_code == 400 and "after_photos" in response.context["form"].errors
    order.refresh_from_db()
    assert order.status == "on_site" and not order.attachments.exists()


@pytest.mark.django_db
def test_stale_completion_after_the_order_was_cancelled(worker_client, dispatcher, make_order):
    order = make_order("on_site")
    cancel_order(actor=dispatcher, order_id=order.id, reason="withdrawn")
    response = worker_client.post(f"/orders/{order.pk}/complete/", _post(order), follow=True)
    assert response.redirect_chain[-1][0] == f"/orders/{order.pk}/"
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and order.number in messages[0]
    order.refresh_from_db()
    assert order.status == "cancelled" and not order.materials.exists()


@pytest.mark.django_db
def test_completion_before_arrival_is_refused_with_a_message(worker_client, make_order):
    order = make_order("accepted")
    response = worker_client.get(f"/orders/{order.pk}/complete/")
    assert response.status_code == 302 and response["Location"] == f"/orders/{order.pk}/"


@pytest.mark.django_db
def test_dispatcher_cannot_complete(dispatcher_client, make_order):
    order = make_order("on_site")
    assert dispatcher_client.post(f"/orders/{order.pk}/complete/", _post(order)).status_code == 403
    order.refresh_from_db()
    assert order.status == "on_site"


@pytest.mark.django_db
def test_other_worker_cannot_complete(other_worker_client, make_order):
    order = make_order("on_site")
    assert other_worker_client.post(f"/orders/{order.pk}/complete/", _post(order)).status_code == 404
    order.refresh_from_db()
    assert order.status == "on_site"
