"""The security tests' world: one order of each kind the role matrix and the CSRF test need, made by services."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests import factories as f


@pytest.fixture
def world(
    db,
    make_order,
    crew,
    leader,
    worker,
    other_worker,
    other_leader,
    dispatcher,
    manager,
    room,
    resident,
    django_capture_on_commit_callbacks,
):
    from feedback import sms
    from feedback.actions.complaints import register_complaint
    from feedback.actions.exports import run_export, start_export
    from feedback.actions.follow_ups import record_attempt
    from feedback.models import Alert, FollowUp, QualityInspection
    from hotline.services import take_call
    from workorders.actions.attachments import add_attachment

    sms.outbox.clear()
    admin = f.UserFactory(username="t_admin", is_superuser=True, is_staff=True)
    order = make_order("accepted")
    photo = add_attachment(
        actor=worker.user,
        order=order,
        file=SimpleUploadedFile("p.png", f.tiny_png(), content_type="image/png"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = make_order("completed", description="卫生间水龙头漏水")
    follow_up = FollowUp.objects.get(work_order=done)
    # Three failed calls: the resident gets the rating link by SMS (the token is only in the SMS).
    with django_capture_on_commit_callbacks(execute=True):
        for hours in (0, 3, 6):
            record_attempt(
                actor=dispatcher,
                follow_up_id=follow_up.id,
                outcome="no_answer",
                now=follow_up.due_at + timedelta(hours=hours),
            )
    token = next(m.body for m in sms.outbox if "/feedback/r/" in m.body).split("/feedback/r/")[1].strip("/")
    complaint = register_complaint(
        actor=dispatcher,
        source="call",
        phone="13900139000",
        name="李先生",
        summary="维修工态度差",
        work_order=done,
        crew=crew,
    )
    call = take_call(
        actor=dispatcher, call_type="suggestion", phone="13800138000", summary="建议楼道装灯"
    ).call
    alert = Alert.objects.create(
        key="matrix", kind=Alert._meta.get_field("kind").choices[0][0], message="看一下"
    )
    inspection = QualityInspection.objects.create(
        work_order=done, crew=crew, week=timezone.localdate(), reason="sample"
    )
    export = start_export(actor=manager, kind="orders", params={}, total=2)
    run_export(job_id=export.pk)
    from operations.services import plan_outage

    starts = timezone.now() + timedelta(days=3)
    outage = plan_outage(
        actor=manager,
        title="更换阀门",
        system="water",
        district=room.district,
        buildings=[room.building],
        starts_at=starts,
        expected_end_at=starts + timedelta(hours=6),
    )
    from datetime import time

    from operations.actions.hazards import report_hazard
    from operations.actions.rounds import create_round_template, generate_due_rounds

    create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[{"label": "泵体无渗漏", "kind": "pass_fail"}],
        frequency="daily",
        due_time=time(23, 59),
        buildings=[room.building],
    )
    generate_due_rounds()
    from operations.models import Round

    round_ = Round.objects.get()
    hazard = report_hazard(
        actor=worker.user,
        severity="major",
        description="井盖松动",
        building=room.building,
        photo=SimpleUploadedFile("IMG_0001.png", f.tiny_png(), content_type="image/png"),
    )
    # A second round, walked: its photo check has a photo (the first round stays due for the matrix).
    from operations.actions.rounds import record_check

    create_round_template(
        actor=manager,
        crew=crew,
        name="配电室周检",
        items=[{"label": "配电柜外观", "kind": "photo"}],
        frequency="daily",
        due_time=time(23, 58),
        buildings=[room.building],
    )
    generate_due_rounds()
    walked = Round.objects.exclude(pk=round_.pk).get()
    round_photo, _hazard = record_check(
        actor=worker.user,
        round_id=walked.pk,
        item_id=walked.items.get().pk,
        photo=SimpleUploadedFile("IMG_0002.png", f.tiny_png(), content_type="image/png"),
    )
    from crews import services as cs

    import_job = cs.start_import(
        actor=manager,
        kind="facilities",
        upload=SimpleUploadedFile("facilities.csv", "区,名称,类型\n5,5区加压泵房,泵房\n".encode()),
        queue=False,
    )
    cs.preview_import(job_id=import_job.pk)
    clients = {"anon": Client()}
    for column, user in {
        "dispatcher": dispatcher,
        "leader": leader.user,
        "leader2": other_leader.user,
        "worker": worker.user,
        "worker2": other_worker.user,
        "manager": manager,
        "admin": admin,
    }.items():
        clients[column] = Client()
        clients[column].force_login(user)
    return SimpleNamespace(
        clients=clients,
        order=order,
        photo=photo,
        done=done,
        follow_up=follow_up,
        token=token,
        complaint=complaint,
        call=call,
        alert=alert,
        inspection=inspection,
        resident=resident,
        room=room,
        unit=room.unit,
        building=room.building,
        district=room.district,
        crew=crew,
        worker=worker,
        facility=f.FacilityFactory(district=room.district),
        export=export,
        outage=outage,
        round=round_,
        round_item=round_.items.get(),
        template=round_.template,
        walked=walked,
        round_photo=round_photo,
        hazard=hazard,
        import_job=import_job,
        import_kind="staff",
    )
