"""templates/components: pagination keeps the list's filters, one deadline badge with one "near", the phone
shown in full or masked, the empty state."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from workorders.models import NEAR_DEADLINE, deadline_state

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_pagination_keeps_the_filters_and_replaces_the_page():
    request = RequestFactory().get("/feedback/complaints/?status=received&crew=3&page=2")
    page = Paginator(list(range(120)), 50).get_page(2)
    html = render_to_string("components/pagination.html", {"page": page, "request": request})
    assert 'href="?status=received&amp;crew=3&amp;page=1"' in html
    assert 'href="?status=received&amp;crew=3&amp;page=3"' in html
    assert "2 / 3" in html


def test_one_page_has_no_pagination():
    request = RequestFactory().get("/")
    page = Paginator([1, 2], 50).get_page(1)
    assert render_to_string("components/pagination.html", {"page": page, "request": request}).strip() == ""


@pytest.mark.parametrize(
    ("left", "state"),
    [
        (timedelta(minutes=-5), "overdue"),
        (timedelta(minutes=20), "near"),
        (NEAR_DEADLINE - timedelta(minutes=1), "near"),
        (NEAR_DEADLINE, "ok"),
        (timedelta(hours=5), "ok"),
    ],
)
def test_near_a_deadline_is_one_rule_for_every_badge(left, state):
    assert deadline_state(NOW + left, NOW) == state
    badge = Template("{% load workorders %}{% deadline_badge due now %}").render(
        Context({"due": NOW + left, "now": NOW})
    )
    assert f'class="badge {state}"' in badge


def test_badge_without_deadline_is_paused_only_when_asked_and_done_says_met_or_late():
    template = Template(
        "{% load workorders %}[{% deadline_badge None now %}][{% deadline_badge None now paused=True %}]"
    )
    html = template.render(Context({"now": NOW})).replace("\n", "")
    assert html.startswith("[]") and 'class="badge"' in html
    met = Template("{% load workorders %}{% deadline_badge due now done %}")
    assert "badge ok" in met.render(Context({"due": NOW, "now": NOW, "done": NOW - timedelta(minutes=1)}))
    assert "badge overdue" in met.render(
        Context({"due": NOW, "now": NOW, "done": NOW + timedelta(minutes=1)})
    )


def test_phone_in_full_or_masked():
    full = render_to_string("components/phone.html", {"phone": "13800138000", "full": True})
    assert 'href="tel:13800138000"' in full
    plain = render_to_string("components/phone.html", {"phone": "13800138000", "full": True, "plain": True})
    assert plain.strip() == "13800138000"
    masked = render_to_string("components/phone.html", {"phone": "13800138000", "full": False})
    assert "138****8000" in masked and "13800138000" not in masked


def test_empty_state_as_a_row_or_a_paragraph():
    row = render_to_string("components/empty_state.html", {"colspan": 8, "message": "No calls match."})
    assert row.strip().endswith('<tr><td colspan="8" class="muted">No calls match.</td></tr>')
    para = render_to_string("components/empty_state.html", {"message": "None."})
    assert '<p class="muted">None.</p>' in para


@pytest.mark.parametrize(
    "value, shown", [(0.64, "+0.6 pp"), (-1.25, "-1.2 pp"), (-0.04, "±0.0 pp"), (0.0, "±0.0 pp"), (None, "—")]
)
def test_a_change_in_points_has_its_sign_and_never_minus_zero(value, shown):
    from feedback.templatetags.report_charts import pp

    assert pp(value) == shown


@pytest.mark.django_db
def test_every_unset_filter_choice_reads_all():
    from django.utils import translation

    from workorders.filtersets import WorkOrderFilterSet

    with translation.override("zh-hans"):
        html = str(WorkOrderFilterSet().form)
    assert "---------" not in html and html.count(">全部</option>") >= 5
    assert "未知" not in html and 'name="overdue"' in html
