"""The order page's forms: the worker list a page already loaded shows and validates as the queryset does."""

import pytest

from tests import factories as f
from workorders import forms as wf
from workorders.selectors import crew_workers_with_load


@pytest.fixture
def order(make_order, crew):
    for name in ["<b>老王</b>", 'A & "B"', "李师傅"]:  # names that need escaping
        f.WorkerFactory(crew=crew, name=name)
    return make_order("accepted")


@pytest.mark.django_db
def test_the_worker_list_a_page_loaded_shows_as_the_queryset_does(order, leader):
    queryset = crew_workers_with_load(order.crew_id)
    from_list = wf.AssignForm(workers=list(queryset), order=order, user=leader.user)
    from_queryset = wf.AssignForm(workers=queryset, order=order, user=leader.user)
    assert str(from_list["worker"]) == str(from_queryset["worker"])
    assert "&lt;b&gt;老王&lt;/b&gt;" in str(from_list["worker"])
    assert [str(v) for v, _ in from_list.fields["worker"].choices] == [
        str(v) for v, _ in from_queryset.fields["worker"].choices
    ]
    # A POST is validated against the same rows.
    worker = queryset[0]
    form = wf.AssignForm({"worker": worker.pk}, workers=list(queryset), order=order, user=leader.user)
    assert form.is_valid() and form.cleaned_data["worker"] == worker
