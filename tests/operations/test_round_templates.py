"""巡检模板 pages: a manager defines and changes a round with its checklist through the form (the rounds actions'
rules, shown in Chinese on the field or row they concern), deactivates it (no more rounds); a leader reads the
crew's templates; everyone else is refused."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse

from operations.actions import rounds as r
from operations.models import Round, RoundTemplate
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW = reverse("operations:template_new")


def _post(area, crew, items: list[dict], **fields) -> dict:
    data = {
        "name": "泵房日检",
        "crew": crew.pk,
        "district": area["pump"].district_id,
        "facilities": [area["pump"].pk],
        "frequency": "daily",
        "month_day": "1",
        "due_time": "11:00",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "50",
    }
    for i, item in enumerate(items):
        for key, value in item.items():
            data[f"items-{i}-{key}"] = value
    data.update(fields)
    return data


PRESSURE = {"label": "出水压力", "kind": "reading", "unit": "MPa", "low": "0.2", "high": "0.4"}
LEAK = {"label": "泵体无渗漏", "kind": "pass_fail"}


def test_a_manager_defines_a_round_with_a_reading(area, crew, manager_client):
    response = manager_client.post(NEW, _post(area, crew, [PRESSURE, LEAK]))
    assert response.status_code == 302 and response["Location"] == reverse("operations:template_list")
    template = RoundTemplate.objects.get()
    assert (template.crew, template.frequency, template.due_time) == (crew, "daily", time(11, 0))
    assert list(template.facilities.all()) == [area["pump"]]
    items = list(template.items.values_list("label", "kind", "unit", "low", "high"))
    assert items == [
        ("出水压力", "reading", "MPa", Decimal("0.2"), Decimal("0.4")),
        ("泵体无渗漏", "pass_fail", "", None, None),
    ]


@pytest.mark.parametrize(
    ("items", "fields", "message"),
    [
        ([PRESSURE | {"unit": ""}], {}, "读数须填写单位"),
        ([PRESSURE | {"low": "0.4", "high": "0.2"}], {}, "范围下限须低于上限"),
        ([PRESSURE | {"low": "0.3", "high": "0.3"}], {}, "范围下限须低于上限"),
        ([LEAK], {"facilities": []}, "请指定巡检地点"),
        ([LEAK | {"DELETE": "on"}], {}, "请至少填写一个检查项"),
        ([LEAK], {"frequency": "weekdays"}, "请选择星期"),
    ],
    ids=["unit", "low-above-high", "low-equals-high", "no-place", "no-item", "no-weekdays"],
)
def test_the_rules_are_shown_in_chinese_and_nothing_is_saved(
    area, crew, manager_client, items, fields, message
):
    response = manager_client.post(NEW, _post(area, crew, items, **fields))
    assert response.status_code == 200 and not RoundTemplate.objects.exists()
    assert message in response.content.decode()


def test_the_typed_checklist_is_kept_when_refused(area, crew, manager_client):
    page = manager_client.post(NEW, _post(area, crew, [PRESSURE | {"unit": ""}, LEAK])).content.decode()
    assert 'value="出水压力"' in page and 'value="泵体无渗漏"' in page


def test_editing_changes_the_next_rounds_not_the_generated_ones(area, crew, manager, manager_client, now):
    template = r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[LEAK],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    r.generate_due_rounds(now=now)
    url = reverse("operations:template_edit", args=[template.pk])
    assert "泵体无渗漏" in manager_client.get(url).content.decode()
    response = manager_client.post(url, _post(area, crew, [PRESSURE], name="泵房日检（新）"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "泵房日检（新）"
    assert list(template.items.values_list("label", flat=True)) == ["出水压力"]
    assert list(Round.objects.get().items.values_list("label", flat=True)) == ["泵体无渗漏"]


def test_a_deactivated_template_generates_no_more_rounds(area, crew, manager, manager_client, now):
    template = r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[LEAK],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    url = reverse("operations:template_active", args=[template.pk])
    assert manager_client.post(url, {"active": "0"}).status_code == 302
    assert r.generate_due_rounds(now=now) == 0 and not Round.objects.exists()
    assert "已停用" in manager_client.get(reverse("operations:template_list")).content.decode()
    manager_client.post(url, {"active": "1"})
    assert r.generate_due_rounds(now=now) == 1


def test_only_managers_define_leaders_read_their_crews(
    area, crew, other_crew, manager, leader_client, other_leader_client, worker_client, dispatcher_client
):
    template = r.create_round_template(
        actor=manager,
        crew=crew,
        name="泵房日检",
        items=[LEAK],
        frequency="daily",
        due_time=time(11, 0),
        facilities=[area["pump"]],
    )
    listing = reverse("operations:template_list")
    page = leader_client.get(listing).content.decode()
    assert "泵房日检" in page and reverse("operations:template_edit", args=[template.pk]) not in page
    assert "泵房日检" not in other_leader_client.get(listing).content.decode()
    for client in (leader_client, worker_client, dispatcher_client):
        assert client.get(NEW).status_code == 404
        assert client.post(NEW, _post(area, crew, [LEAK])).status_code == 404
        assert (
            client.post(
                reverse("operations:template_active", args=[template.pk]), {"active": "0"}
            ).status_code
            == 404
        )
    assert worker_client.get(listing).status_code == 404
    assert RoundTemplate.objects.get().active


def test_the_rounds_page_links_to_the_templates(leader_client, worker_client, manager_client):
    link = reverse("operations:template_list")
    assert link in manager_client.get(reverse("operations:round_list")).content.decode()
    assert link in leader_client.get(reverse("operations:round_list")).content.decode()
    assert link not in worker_client.get(reverse("operations:round_list")).content.decode()


def test_template_list_query_count_is_flat(area, crew, manager, manager_client, django_assert_num_queries):
    def add(n):
        for i in range(n):
            r.create_round_template(
                actor=manager,
                crew=crew,
                name=f"巡检{i}",
                items=[LEAK, PRESSURE | {"low": Decimal("0.2"), "high": Decimal("0.4")}],
                frequency="daily",
                due_time=time(11, 0),
                facilities=[area["pump"]],
                buildings=[area["b37"]],
            )

    add(1)
    # session, user (+roles), the templates with their crew, the items, the facilities, the buildings
    with django_assert_num_queries(6):
        manager_client.get(reverse("operations:template_list"))
    add(10)
    with django_assert_num_queries(6):
        response = manager_client.get(reverse("operations:template_list"))
    assert len(response.context["templates"]) == 11


def test_a_new_district_offers_its_buildings(area, crew, manager_client):
    other = f.DistrictFactory(number=9, name="9区")
    f.BuildingFactory(district=other, number=1, label="9区1栋")
    page = manager_client.get(NEW, {"district": other.pk}).content.decode()
    assert "9区1栋" in page and "5区37栋" not in page
