"""Issue 14 point 15: the smaller defects seen at the desk and the manager's pages."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from workorders.models import CategorySynonym


@pytest.mark.django_db
def test_every_page_links_a_favicon_served_from_static(dispatcher_client):
    html = dispatcher_client.get(reverse("hotline:calls")).content.decode()
    assert re.search(r'<link rel="icon" href="[^"]*favicon[^"]*\.ico"', html)
    assert finders.find("favicon.ico")
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and "favicon" in response["Location"]


@pytest.mark.django_db
def test_the_admin_is_titled_baishitong(client, settings):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw")
    client.force_login(admin)
    html = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert (
        "百事通管理" in html and "Django 管理" not in html and "Django" not in html.split("<title>")[1][:40]
    )


@pytest.mark.django_db
def test_workers_see_no_api_link_but_the_desk_does(client, worker, dispatcher_client):
    client.force_login(worker.user)
    assert ">API</a>" not in client.get(reverse("overview")).content.decode()
    assert ">API</a>" in dispatcher_client.get(reverse("overview")).content.decode()


@pytest.mark.django_db
def test_an_empty_phone_says_to_enter_the_number(dispatcher_client):
    response = dispatcher_client.post(
        reverse("hotline:intake"), {"call_type": "inquiry", "summary": "问", "answer": "答"}
    )
    html = response.content.decode()
    assert "请填写电话号码" in html and "不是有效的电话号码" not in html and "“”" not in html


@pytest.mark.django_db
def test_the_rewards_page_gives_the_date_input_an_iso_date(manager_client):
    html = manager_client.get(reverse("feedback:rewards")).content.decode()
    field = re.search(r'<input type="date" name="date"[^>]*>', html).group(0)
    assert re.search(r'value="\d{4}-\d{2}-\d{2}"', field), field


@pytest.mark.django_db
def test_the_complaint_timeline_is_chinese(manager_client, dispatcher):
    from feedback.actions.complaints import register_complaint

    complaint = register_complaint(
        actor=dispatcher, source="call", phone="13800138000", name="王大妈", summary="态度差"
    )
    html = manager_client.get(reverse("feedback:complaint", args=[complaint.pk])).content.decode()
    timeline = html.split('class="timeline"')[1].split("</ul>")[0]
    assert "受理投诉" in timeline and "received" not in timeline


@pytest.mark.django_db
def test_category_synonyms_are_seeded_editable_and_reach_the_intake_search(dispatcher_client):
    words = dict(CategorySynonym.objects.values_list("word", "means"))
    assert words["没水"] == "停水" and words["跳闸"] == "停电" and words["堵了"] == "下水堵塞"
    CategorySynonym.objects.create(word="漏电了", means="漏电")
    html = dispatcher_client.get(reverse("hotline:intake")).content.decode()
    attr = re.search(r'data-synonyms="([^"]*)"', html).group(1)
    assert "没水" in attr and "漏电了" in attr


@pytest.mark.django_db
def test_the_synonym_admin_is_registered(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_superuser("root", password="pw"))
    assert client.get("/admin/workorders/categorysynonym/").status_code == 200
    assert client.get("/admin/hotline/agentextension/").status_code == 200


def test_no_template_carries_an_inline_style():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.html")
        if re.search(r"\sstyle=|<style", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
