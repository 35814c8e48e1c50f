"""The import page and the imports API (API.md "Imports (v1.1)"): who may use them, the upload → preview →
confirm flow in the embedded (eager) mode, 409 unless ready, the error report, flat query counts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from crews.models import ImportJob
from residents.models import Resident
from tests import factories as f

from .conftest import PLACES_HEADER, preview, read_xlsx, xlsx

pytestmark = pytest.mark.django_db

ROWS = [
    PLACES_HEADER,
    [5, 37, 1, 302, 3, "王秀英", "13800138000", "", "户主", ""],
    [5, 37, 1, 303, 3, "李四", "138", "", "", ""],
]


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(f.UserFactory(username="t_admin", is_superuser=True, is_staff=True))
    return client


def _upload(client, url, content=None, name="住户.xlsx", kind="places_residents"):
    return client.post(url, {"kind": kind, "file": SimpleUploadedFile(name, content or xlsx(ROWS))})


# --- Who may import ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dispatcher_client", "leader_client", "worker_client"])
def test_staff_other_than_managers_get_403_on_every_import_page_and_endpoint(request, who, manager):
    client = request.getfixturevalue(who)
    job = preview(manager, "places_residents", xlsx(ROWS))
    for url in (
        reverse("crews:imports"),
        reverse("crews:import", args=[job.pk]),
        reverse("crews:import-errors", args=[job.pk]),
        reverse("crews:import-template", args=["staff"]),
        reverse("crews:register-export", args=["places_residents"]),
        "/api/v1/imports/",
        f"/api/v1/imports/{job.pk}/",
        f"/api/v1/imports/{job.pk}/errors/",
        "/api/v1/imports/templates/staff/",
    ):
        assert client.get(url).status_code == 403, url
    assert _upload(client, reverse("crews:imports")).status_code == 403
    assert _upload(client, "/api/v1/imports/").status_code == 403
    assert client.post(reverse("crews:import-confirm", args=[job.pk])).status_code == 403
    assert (
        client.post(f"/api/v1/imports/{job.pk}/confirm/", {}, content_type="application/json").status_code
        == 403
    )
    assert ImportJob.objects.count() == 1
    job.refresh_from_db()
    assert job.status == "ready"


def test_anonymous_is_sent_to_login_and_the_api_says_401_or_403(anon_client):
    assert anon_client.get(reverse("crews:imports")).status_code == 302
    assert anon_client.get("/api/v1/imports/").status_code in (401, 403)


@pytest.mark.parametrize("who", ["manager_client", "admin_client"])
def test_managers_and_admins_upload_preview_and_confirm_in_the_embedded_mode(
    request, who, django_capture_on_commit_callbacks
):
    client = request.getfixturevalue(who)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, reverse("crews:imports"))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("crews:import", args=[job.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "预览：尚未写入任何数据" in text and "第 3 行：电话号码 138 位数不对。" in text
    assert "确认导入 2 行" in text
    assert Resident.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("crews:import-confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created, job.error_count) == ("done", 1, 1)
    assert Resident.objects.get().name == "王秀英"
    fragment = client.get(reverse("crews:import", args=[job.pk]), headers={"HX-Request": "true"})
    assert b'<progress max="2" value="2">' in fragment.content and b"hx-trigger" not in fragment.content
    report = client.get(reverse("crews:import-errors", args=[job.pk]))
    assert report["Content-Type"].startswith("application/vnd.openxmlformats")
    assert read_xlsx(report.content)[1][-1] == "电话：电话号码 138 位数不对。"


def test_a_bad_upload_is_a_400_with_a_chinese_message_and_no_job(manager_client):
    response = _upload(manager_client, reverse("crews:imports"), b"a,b", name="notes.txt")
    assert response.status_code == 400
    assert "请上传 .xlsx、.xls 或 .csv 文件。" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_the_page_polls_while_previewing_and_shows_progress_and_time_left(manager_client, manager):
    job = preview(manager, "places_residents", xlsx(ROWS))
    ImportJob.objects.filter(pk=job.pk).update(status="running", rows_done=1, started_at=job.created_at)
    fragment = manager_client.get(reverse("crews:import", args=[job.pk]), headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and '<progress max="2" value="1">' in body
    assert "已处理 1 / 2 行" in body and "目前 1 行有错误" in body and "预计还需" in body


def test_template_and_export_downloads(manager_client):
    template = manager_client.get(reverse("crews:import-template", args=["staff"]))
    assert read_xlsx(template.content)[0] == ["工号", "姓名", "电话", "班组", "工种", "职务", "技能", "在岗"]
    assert manager_client.get(reverse("crews:import-template", args=["nope"])).status_code == 404
    export = manager_client.get(reverse("crews:register-export", args=["facilities"]))
    assert read_xlsx(export.content) == [["区", "名称", "类型"]]


def test_the_import_list_page_query_count_stays_flat(manager_client, manager, django_assert_max_num_queries):
    for _ in range(2):
        preview(manager, "places_residents", xlsx(ROWS))
    # session, user, roles (nav), jobs with their uploader in one query
    with django_assert_max_num_queries(6) as few:
        manager_client.get(reverse("crews:imports"))
    for _ in range(5):
        preview(manager, "places_residents", xlsx(ROWS))
    with django_assert_max_num_queries(len(few.captured_queries)):
        manager_client.get(reverse("crews:imports"))


# --- The API -------------------------------------------------------------------------------------------


def test_api_upload_detail_confirm_twice_and_errors(manager_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(manager_client, "/api/v1/imports/")
    assert response.status_code == 201
    job_id = response.json()["id"]
    assert response.json() == {"id": job_id, "status": "previewing"}
    detail = manager_client.get(f"/api/v1/imports/{job_id}/").json()
    assert {
        k: detail[k]
        for k in ("status", "rows_total", "rows_done", "created", "updated", "unchanged", "moved_out")
    } == {
        "status": "ready",
        "rows_total": 2,
        "rows_done": 0,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "moved_out": 0,
    }
    assert detail["errors"] == [{"row": 3, "column": "电话", "message": "电话号码 138 位数不对。"}]
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = manager_client.post(
            f"/api/v1/imports/{job_id}/confirm/",
            {"end_moved_out_residencies": False},
            content_type="application/json",
        )
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "running"  # the task runs on commit
    assert manager_client.get(f"/api/v1/imports/{job_id}/").json()["status"] == "done"
    again = manager_client.post(f"/api/v1/imports/{job_id}/confirm/", {}, content_type="application/json")
    assert again.status_code == 409 and "导入" in again.json()["detail"]
    errors = manager_client.get(f"/api/v1/imports/{job_id}/errors/")
    assert errors.status_code == 200 and read_xlsx(errors.content)[1][5] == "李四"
    template = manager_client.get("/api/v1/imports/templates/places_residents/")
    assert read_xlsx(template.content)[0] == PLACES_HEADER


def test_api_bad_kind_is_a_400(manager_client):
    response = _upload(manager_client, "/api/v1/imports/", kind="orders")
    assert response.status_code == 400 and "kind" in response.json()["errors"]


def test_api_list_query_count_stays_flat(manager_client, manager, django_assert_max_num_queries):
    preview(manager, "places_residents", xlsx(ROWS))
    # session, user, roles, count, page of jobs with their uploader
    with django_assert_max_num_queries(6) as few:
        assert manager_client.get("/api/v1/imports/").json()["count"] == 1
    for _ in range(4):
        preview(manager, "places_residents", xlsx(ROWS))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert manager_client.get("/api/v1/imports/").json()["count"] == 5
