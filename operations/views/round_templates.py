"""巡检模板 pages: the list (managers: every crew's; a leader: the crew's, read only), define and change one with
its checklist (an item formset; a row is added in the page), deactivate and activate. Thin: the rules are the
rounds actions' (operations.actions.rounds), whose errors are put on the form and the checklist's rows."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.htmx import apply_validation_error
from crews.permissions import is_crew_leader, is_manager

from .. import selectors
from ..actions import rounds
from ..forms import RoundTemplateForm, RoundTemplateItemFormSet
from ..models import RoundTemplate

_ITEM_ERROR = re.compile(r"^items\.(\d+)\.(\w+)$")


def _managers_only(request: HttpRequest) -> None:
    if not is_manager(request.user):
        raise Http404


@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    """The round templates: a manager's of every crew (with the buttons), a leader's of the crew. Queries:
    session, user, worker (a leader), the templates with their crew, the items, facilities and buildings."""
    if not (is_manager(request.user) or is_crew_leader(request.user)):
        raise Http404
    templates = selectors.round_templates_visible_to(request.user).order_by("crew__name", "name", "id")
    context = {"templates": list(templates), "can_define": is_manager(request.user)}
    return render(request, "operations/roundtemplate_list.html", context)


def _put_errors(form: RoundTemplateForm, formset, exc: ValidationError, rows: list[int]) -> None:
    """A service error on the field or the checklist row it names (`items.<i>.<field>`, i counting the kept
    rows), the rest on top of the form or the checklist."""
    if not hasattr(exc, "error_dict"):
        apply_validation_error(form, exc)
        return
    for key, messages_ in exc.message_dict.items():
        match = _ITEM_ERROR.match(key)
        if match and int(match[1]) < len(rows):
            row = formset.forms[rows[int(match[1])]]
            field = match[2] if match[2] in row.fields else None
            for message in messages_:
                row.add_error(field, message)
        elif key == "items":
            formset._non_form_errors = formset.error_class(messages_)
        else:
            apply_validation_error(form, ValidationError({key: messages_}))


def _save(request: HttpRequest, template: RoundTemplate | None, form, formset) -> RoundTemplate | None:
    """Call the action with the form's answers; None (errors on the form) when it refuses them."""
    kept = [
        i for i, row in enumerate(formset.forms) if row.has_changed() and not row.cleaned_data.get("DELETE")
    ]
    items = [
        {k: formset.forms[i].cleaned_data.get(k) for k in ("label", "kind", "unit", "low", "high")}
        for i in kept
    ]
    d = form.cleaned_data
    answers = {
        "actor": request.user,
        "crew": d["crew"],
        "name": d["name"],
        "items": items,
        "frequency": d["frequency"],
        "weekdays": d["weekdays"],
        "month_day": d["month_day"],
        "due_time": d["due_time"],
        "facilities": d["facilities"],
        "buildings": d["buildings"],
    }
    try:
        if template is None:
            return rounds.create_round_template(**answers)
        return rounds.update_round_template(template_id=template.pk, **answers)
    except ValidationError as exc:
        _put_errors(form, formset, exc, kept)
        return None


def _initial(template: RoundTemplate) -> tuple[dict, list[dict]]:
    facilities = [f.pk for f in template.facilities.all()]
    buildings = [b.pk for b in template.buildings.all()]
    return (
        {
            "name": template.name,
            "crew": template.crew_id,
            "facilities": facilities,
            "buildings": buildings,
            "frequency": template.frequency,
            "weekdays": template.weekdays,
            "month_day": template.month_day,
            "due_time": template.due_time,
        },
        [
            {"label": i.label, "kind": i.kind, "unit": i.unit, "low": i.low, "high": i.high}
            for i in template.items.all()
        ],
    )


def _form_page(request: HttpRequest, template: RoundTemplate | None) -> HttpResponse:
    initial, rows = _initial(template) if template else ({"district": request.GET.get("district", "")}, [])
    if template is not None and request.GET.get("district"):
        initial["district"] = request.GET["district"]
    if request.method == "POST":
        form = RoundTemplateForm(request.POST, initial=initial)
        formset = RoundTemplateItemFormSet(request.POST, prefix="items")
        if form.is_valid() and formset.is_valid():
            saved = _save(request, template, form, formset)
            if saved is not None:
                messages.success(request, _("Round template “%(name)s” saved.") % {"name": saved.name})
                return redirect("operations:template_list")
    else:
        form = RoundTemplateForm(initial=initial)
        formset = RoundTemplateItemFormSet(initial=rows, prefix="items")
    context = {"form": form, "formset": formset, "template": template}
    return render(request, "operations/roundtemplate_form.html", context)


@login_required
def template_new(request: HttpRequest) -> HttpResponse:
    """Define a round template (managers and admins)."""
    _managers_only(request)
    return _form_page(request, None)


@login_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a round template (managers and admins); the rounds already generated keep their checklist."""
    _managers_only(request)
    template = get_object_or_404(selectors.round_templates_visible_to(request.user), pk=pk)
    return _form_page(request, template)


@login_required
@require_POST
def template_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (no more rounds are generated) or activate a template again."""
    _managers_only(request)
    template = get_object_or_404(RoundTemplate, pk=pk)
    active = request.POST.get("active") == "1"
    rounds.set_round_template_active(actor=request.user, template_id=template.pk, active=active)
    if active:
        messages.success(
            request, _("“%(name)s” is active: its rounds are generated again.") % {"name": template.name}
        )
    else:
        messages.success(
            request, _("“%(name)s” is deactivated: no more rounds are generated.") % {"name": template.name}
        )
    return redirect("operations:template_list")
