"""Forms only parse; the services validate the rules and their errors are put back on the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crews.models import Crew, Worker

from .choices import (
    RATINGS,
    SEEN_CHECKLIST,
    Accountability,
    ComplaintSource,
    Outcome,
    PraiseSource,
    RewardKind,
    Severity,
    Verdict,
)
from .models import Complaint, ComplaintType, Praise, QualityInspection

YES_NO = [("yes", _("Yes")), ("no", _("No"))]
YES_NO_UNSURE = [("", _("Not sure")), ("yes", _("Yes")), ("no", _("No"))]
SCORES = [(str(n), str(n)) for n in range(1, 6)]


def _bool(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class AnswersForm(forms.Form):
    """The resident's answers, as asked on the phone or on the rating page."""

    resolved = forms.ChoiceField(
        label=_("Is the fault resolved?"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    verdict = forms.ChoiceField(
        label=_("Overall"), choices=Verdict.choices, widget=forms.RadioSelect, required=False
    )
    fee_fair = forms.ChoiceField(label=_("Was the fee fair?"), choices=YES_NO_UNSURE, required=False)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args, paid: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.paid = paid
        for key, label in RATINGS:
            self.fields[f"rating_{key}"] = forms.ChoiceField(
                label=label,
                choices=SCORES,
                widget=forms.RadioSelect(attrs={"class": "stars"}),
                required=False,
            )
        for key, label in SEEN_CHECKLIST:
            self.fields[f"seen_{key}"] = forms.ChoiceField(label=label, choices=YES_NO_UNSURE, required=False)
        if not paid:
            del self.fields["fee_fair"]

    def rating_fields(self):
        return [self[f"rating_{key}"] for key, _label in RATINGS]

    def seen_fields(self):
        return [self[f"seen_{key}"] for key, _label in SEEN_CHECKLIST]

    def answers(self) -> dict:
        d = self.cleaned_data
        return {
            "resolved": _bool(d.get("resolved")),
            "verdict": d.get("verdict") or "",
            "ratings": {key: d.get(f"rating_{key}") for key, _label in RATINGS},
            "seen": {key: _bool(d.get(f"seen_{key}")) for key, _label in SEEN_CHECKLIST},
            "fee_fair": _bool(d.get("fee_fair")) if self.paid else None,
            "comment": d.get("comment") or "",
        }


class AttemptForm(AnswersForm):
    outcome = forms.ChoiceField(label=_("Call outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    field_order = ["outcome"]


class ComplaintForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=ComplaintSource.choices)
    name = forms.CharField(label=_("Complainant"), max_length=40, required=False)
    phone = forms.CharField(label=_("Complainant phone"), max_length=20, required=False)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=ComplaintType.objects.filter(active=True), required=False
    )
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL)
    crew = forms.ModelChoiceField(
        label=_("Crew complained about"), queryset=Crew.objects.filter(active=True), required=False
    )
    worker = forms.ModelChoiceField(
        label=_("Worker complained about"),
        queryset=Worker.objects.filter(active=True).select_related("crew"),
        required=False,
    )
    order_number = forms.CharField(label=_("Order number"), max_length=20, required=False)


class ResolveForm(forms.Form):
    valid = forms.ChoiceField(
        label=_("Valid complaint?"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )
    findings = forms.CharField(
        label=_("Findings (检查结果)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible_person = forms.CharField(
        label=_("Responsible person (责任人)"), max_length=40, required=False
    )
    accountability = forms.ChoiceField(label=_("Accountability"), choices=Accountability.choices)
    points = forms.IntegerField(label=_("Points deducted"), required=False, min_value=0, max_value=100)
    fine = forms.DecimalField(label=_("Fine"), required=False, min_value=0, max_digits=9, decimal_places=2)
    rectification = forms.CharField(
        label=_("Rectification"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class CloseForm(forms.Form):
    callback_note = forms.CharField(
        label=_("Callback to the complainant"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    callback_satisfied = forms.ChoiceField(
        label=_("Complainant accepts the result?"), choices=YES_NO, widget=forms.RadioSelect, required=False
    )


class PraiseForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"), choices=PraiseSource.choices)
    praiser_name = forms.CharField(label=_("From"), max_length=40, required=False)
    crew = forms.ModelChoiceField(label=_("Crew"), queryset=Crew.objects.filter(active=True), required=False)
    worker = forms.ModelChoiceField(
        label=_("Worker"), queryset=Worker.objects.filter(active=True).select_related("crew"), required=False
    )
    summary = forms.CharField(label=_("Story"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class InspectionForm(forms.Form):
    workmanship = forms.IntegerField(label=_("Workmanship (0–25)"), min_value=0, max_value=25)
    cleanliness = forms.IntegerField(label=_("Cleanliness (0–25)"), min_value=0, max_value=25)
    checklist = forms.IntegerField(label=_("Checklist evidence (0–25)"), min_value=0, max_value=25)
    safety = forms.IntegerField(label=_("Safety (0–25)"), min_value=0, max_value=25)
    passed = forms.ChoiceField(
        label=_("Result"), choices=[("yes", _("Pass")), ("no", _("Fail"))], widget=forms.RadioSelect
    )
    findings = forms.CharField(
        label=_("Findings (检查结果)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    responsible_person = forms.CharField(
        label=_("Responsible person (责任人)"), max_length=40, required=False
    )


# --- Reports and assessment ---------------------------------------------------------------------------------


class WeightsForm(forms.Form):
    """One number per KPI; the service checks the range and that one is positive."""

    def __init__(self, *args, initial_weights: dict | None = None, **kwargs) -> None:
        from .reports.assessment import KPIS

        super().__init__(*args, **kwargs)
        for kpi in KPIS:
            self.fields[kpi.code] = forms.DecimalField(
                label=kpi.label,
                min_value=0,
                max_value=100,
                decimal_places=2,
                max_digits=5,
                initial=(initial_weights or {}).get(kpi.code, 0),
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
            )


class RewardPenaltyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RewardKind.choices, widget=forms.RadioSelect)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    crew = forms.ModelChoiceField(label=_("Crew"), queryset=Crew.objects.filter(active=True), required=False)
    worker = forms.ModelChoiceField(
        label=_("Worker (if it concerns one person)"),
        queryset=Worker.objects.filter(active=True).select_related("crew"),
        required=False,
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    points = forms.DecimalField(
        label=_("Points"), required=False, min_value=0, max_digits=6, decimal_places=2
    )
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), required=False, min_value=0, max_digits=9, decimal_places=2
    )
    complaint = forms.IntegerField(label=_("Complaint no. (optional)"), required=False, min_value=1)
    inspection = forms.IntegerField(label=_("Inspection no. (optional)"), required=False, min_value=1)
    praise = forms.IntegerField(label=_("Praise no. (optional)"), required=False, min_value=1)

    def clean_complaint(self):
        return self._linked("complaint", Complaint)

    def clean_inspection(self):
        return self._linked("inspection", QualityInspection)

    def clean_praise(self):
        return self._linked("praise", Praise)

    def _linked(self, name: str, model):
        pk = self.cleaned_data.get(name)
        if not pk:
            return None
        obj = model.objects.filter(pk=pk).first()
        if obj is None:
            raise ValidationError(_("No record with this number."))
        return obj
