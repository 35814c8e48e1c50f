"""The order page's forms render through `PlainWidgetRenderer` (widgets in Python, not templates): the HTML must
be exactly what Django's own templates make, unbound, with initial values, bound and with errors."""

from datetime import datetime

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe

from tests import factories as f
from workorders import forms as wf
from workorders.selectors import crew_workers_with_load
from workorders.views import MOVES, _form_kwargs


def _html(form) -> list[str]:
    parts = [str(form.non_field_errors())]
    for field in form:
        parts += [str(field), str(field.errors)]
    return parts


def _both(form_class, *args, **kwargs) -> tuple[list[str], list[str]]:
    plain = form_class(*args, **kwargs)
    django = form_class(*args, renderer=get_default_renderer(), **kwargs)
    assert plain.renderer is wf.PLAIN_RENDERER and django.renderer is not wf.PLAIN_RENDERER
    return _html(plain), _html(django)


@pytest.fixture
def order(make_order, crew):
    for name in ["<b>老王</b>", 'A & "B"', "李师傅"]:  # names that need escaping
        f.WorkerFactory(crew=crew, name=name)
    return make_order("accepted")


@pytest.mark.django_db
@pytest.mark.parametrize("move", sorted(MOVES))
@pytest.mark.parametrize("user_name", ["dispatcher", "leader"])
def test_move_forms_render_as_the_django_templates_do(request, move, user_name, order):
    user = request.getfixturevalue(user_name)
    user = getattr(user, "user", user)
    spec = MOVES[move]
    loaded = list(crew_workers_with_load(order.crew_id))
    for kwargs in (_form_kwargs(move, order, user), _form_kwargs(move, order, user, loaded)):
        plain, django = _both(spec.form, **kwargs)
        assert plain == django
        plain, django = _both(
            spec.form, initial={"reason": "waiting_parts", "worker": loaded[0].pk}, **kwargs
        )
        assert plain == django
        bound = {"note": 'x"<y>' * 200, "reason": "nonsense", "worker": "999999", "until": "tomorrow"}
        plain, django = _both(spec.form, bound, **kwargs)
        assert plain == django and any("errorlist" in part for part in plain)
        plain, django = _both(spec.form, {"until": "2026-12-01T09:30", "note": "ok"}, **kwargs)
        assert plain == django


@pytest.mark.django_db
def test_the_worker_list_a_page_loaded_shows_as_the_queryset_does(order, leader):
    queryset = crew_workers_with_load(order.crew_id)
    from_list = wf.AssignForm(workers=list(queryset), order=order, user=leader.user)
    from_queryset = wf.AssignForm(workers=queryset, order=order, user=leader.user)
    assert str(from_list["worker"]) == str(from_queryset["worker"])
    assert [str(v) for v, _ in from_list.fields["worker"].choices] == [
        str(v) for v, _ in from_queryset.fields["worker"].choices
    ]
    # A POST is validated against the same rows.
    worker = queryset[0]
    form = wf.AssignForm({"worker": worker.pk}, workers=list(queryset), order=order, user=leader.user)
    assert form.is_valid() and form.cleaned_data["worker"] == worker


class _Odd(forms.Form):
    """What the move forms do not have yet: groups, a safe value, a disabled option, booleans, no value."""

    default_renderer = wf.PLAIN_RENDERER
    grouped = forms.ChoiceField(choices=[("水", [("a", "阀门"), ("b", "<管道>")]), ("c", "其他")])
    when = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"data-x": mark_safe("&amp;"), "hidden": True})
    )
    name = forms.CharField(
        required=False, widget=forms.TextInput(attrs={"autofocus": True, "readonly": False})
    )
    photo = forms.FileField(required=False)


@pytest.mark.parametrize(
    "data", [None, {"grouped": "b", "when": datetime(2026, 12, 1, 9, 30), "name": "<i>"}, {"grouped": "x"}]
)
def test_the_plain_renderer_matches_the_templates_on_other_widgets(data):
    plain, django = _both(_Odd, data) if data is not None else _both(_Odd)
    assert plain == django
