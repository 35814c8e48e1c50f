"""Forms of the work-order pages: parse what a person typed into the arguments of one service call.

Choices come from workorders.choices (the reasons lists) and from the order at hand (the crew's workers);
the services re-check everything, so a form is only the first, friendly line of validation."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from crews.models import Crew, Worker

from .actions.attachments import MAX_ATTACHMENT_BYTES, sniff_image_type
from .choices import CHECKLIST_ITEMS, CancelReason, Charge, HandBackReason, HoldReason
from .models import MAX_MATERIAL_ROWS, Category, WorkOrder

# --- Moves ------------------------------------------------------------------------------------------------


class NoteForm(forms.Form):
    """Moves that carry at most a free-text note (accept, arrive, close, refuse a hold…)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(self, *args, order: WorkOrder | None = None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order, self.user = order, user


class RequiredNoteForm(NoteForm):
    note = forms.CharField(label=_("Note"), max_length=500)


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Worker) -> str:
        load = getattr(obj, "load", None)
        if load is None:
            return obj.name
        duty = _("on duty") + " · " if getattr(obj, "on_duty", False) else ""
        return f"{obj.name} ({duty}{_('%(n)s on hand') % {'n': load}})"

    def offer(self, workers: QuerySet[Worker] | list[Worker]) -> None:
        """The workers to choose from: a queryset, or the list a page already loaded (with their load), shown
        as it is instead of running the query again at render; a POST is validated against the same rows."""
        if isinstance(workers, QuerySet):
            self.queryset = workers
            return
        self.queryset = Worker.objects.filter(pk__in=[w.pk for w in workers])
        empty = [] if self.empty_label is None else [("", self.empty_label)]
        self.choices = empty + [(w.pk, self.label_from_instance(w)) for w in workers]


class AssignForm(NoteForm):
    """Name a worker of the order's crew; the list comes annotated with load and duty."""

    worker = WorkerChoiceField(label=_("Worker"), queryset=Worker.objects.none())
    field_order = ["worker", "note"]

    def __init__(self, *args, workers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if workers is not None:
            self.fields["worker"].offer(workers)


class TransferForm(NoteForm):
    """Transfer within the crew (leader) or to another crew or worker (desk). Exactly one target."""

    worker = WorkerChoiceField(label=_("To worker"), queryset=Worker.objects.none(), required=False)
    crew = forms.ModelChoiceField(label=_("To crew"), queryset=Crew.objects.none(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args, workers=None, crews=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        if workers is not None:
            self.fields["worker"].offer(workers)
        if crews is None:
            del self.fields["crew"]
        else:
            self.fields["crew"].queryset = crews

    def clean(self):
        data = super().clean()
        if bool(data.get("worker")) == bool(data.get("crew")):
            raise ValidationError(_("Choose either a worker or a crew to transfer to."))
        return data


class DispatchForm(NoteForm):
    crew = forms.ModelChoiceField(label=_("Crew"), queryset=Crew.objects.filter(active=True))
    field_order = ["crew", "note"]


class HandBackForm(NoteForm):
    field_order = ["reason", "note"]
    reason = forms.ChoiceField(label=_("Reason"), choices=HandBackReason.choices)
    note = forms.CharField(label=_("Explanation"), max_length=500)


class HoldRequestForm(NoteForm):
    field_order = ["reason", "note"]
    reason = forms.ChoiceField(label=_("Reason"), choices=HoldReason.choices)


class HoldForm(NoteForm):
    """Approve the worker's request (its reason preselected) or put on hold on the leader's own decision."""

    field_order = ["reason", "note"]
    reason = forms.ChoiceField(label=_("Reason"), choices=HoldReason.choices)


class CancelForm(NoteForm):
    field_order = ["reason", "note"]
    reason = forms.ChoiceField(label=_("Reason"), choices=CancelReason.choices)


class ReworkForm(NoteForm):
    note = forms.CharField(label=_("Why must the work be redone?"), max_length=500)


class ExtensionForm(NoteForm):
    field_order = ["until", "note"]
    until = forms.DateTimeField(
        label=_("New completion deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Why is more time needed?"), max_length=500)


# --- Completion ------------------------------------------------------------------------------------------

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class MaterialForm(forms.Form):
    name = forms.CharField(label=_("Material"), max_length=80)
    quantity = forms.DecimalField(label=_("Quantity"), min_value=Decimal("0.01"), decimal_places=2)
    unit_price = forms.DecimalField(
        label=_("Unit price (yuan)"), min_value=Decimal("0"), decimal_places=2, required=False
    )


MaterialFormSet = forms.formset_factory(
    MaterialForm, extra=1, max_num=MAX_MATERIAL_ROWS, validate_max=True, absolute_max=MAX_MATERIAL_ROWS
)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class PhotoField(forms.FileField):
    """Zero or more photos from the phone camera, checked by content (the service checks again)."""

    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            if upload.size > MAX_ATTACHMENT_BYTES:
                raise ValidationError(_("The photo is larger than 10 MB; take a smaller one."))
            head = upload.read(16)
            upload.seek(0)
            if sniff_image_type(head) is None:
                raise ValidationError(_("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached."))
            cleaned.append(upload)
        return cleaned


class CompletionForm(forms.Form):
    """The worker's completion record. A "no" on any 六个一 item needs its one-line reason; the reasons are
    joined into the order's checklist notes ("一副鞋套：…")."""

    resolution = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    inspection_findings = forms.CharField(
        label=_("Full-inspection findings"),
        help_text=_("What else in the home was checked, and what was found."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    fee = forms.DecimalField(
        label=_("Fee (yuan)"), min_value=Decimal("0"), max_digits=9, decimal_places=2, required=False
    )
    fee_confirmed = forms.BooleanField(label=_("The resident confirmed the fee"), required=False)
    before_photos = PhotoField(label=_("Photos before"), required=False)
    after_photos = PhotoField(label=_("Photos after"), required=False)

    def __init__(self, *args, order: WorkOrder, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.order = order
        for key, name, hint in CHECKLIST_ITEMS:
            self.fields[f"check_{key}"] = forms.ChoiceField(
                label=name,
                help_text=hint,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={"required": _("Answer yes or no.")},
            )
            self.fields[f"reason_{key}"] = forms.CharField(label=_("Why not?"), required=False, max_length=50)
        if order.charge != Charge.PAID:
            del self.fields["fee"], self.fields["fee_confirmed"]

    def checklist_rows(self):
        """(yes/no field, reason field) per item, for the template."""
        return [(self[f"check_{key}"], self[f"reason_{key}"]) for key, _name, _hint in CHECKLIST_ITEMS]

    def clean(self):
        data = super().clean()
        for key, _name, _hint in CHECKLIST_ITEMS:
            if data.get(f"check_{key}") == "no" and not (data.get(f"reason_{key}") or "").strip():
                self.add_error(f"reason_{key}", _("Give a one-line reason for “no”."))
        if self.order.charge == Charge.PAID and (data.get("fee") or 0) > 0 and not data.get("fee_confirmed"):
            self.add_error("fee_confirmed", _("The resident must confirm the fee for paid work."))
        return data

    def service_kwargs(self, materials: list[dict]) -> dict:
        data = self.cleaned_data
        checklist = {key: data[f"check_{key}"] == "yes" for key, _name, _hint in CHECKLIST_ITEMS}
        notes = "；".join(
            f"{name}：{data[f'reason_{key}'].strip()}"
            for key, name, _hint in CHECKLIST_ITEMS
            if not checklist[key]
        )
        return {
            "resolution": data["resolution"],
            "inspection_findings": data.get("inspection_findings", ""),
            "checklist": checklist,
            "checklist_notes": notes,
            "materials": materials,
            "fee": data.get("fee") or "0",
            "fee_confirmed": bool(data.get("fee_confirmed")),
        }


class PhotoForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("before", _("Before")), ("after", _("After")), ("other", _("Other"))]
    )
    photos = PhotoField(label=_("Photos"))


class OnTheSpotForm(forms.Form):
    """An order a crew member opens on the spot (主动服务): where (an address or a public facility), what
    (a category and a line of description), where it starts, a photo. A leader also names the worker."""

    address = forms.CharField(
        label=_("Room"),
        required=False,
        max_length=60,
        help_text=_("For example 5区37栋1单元302室 or 5-37-1-302."),
    )
    facility = forms.ModelChoiceField(label=_("Or a public facility"), queryset=None, required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=None)
    description = forms.CharField(
        label=_("What is wrong"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    start = forms.ChoiceField(
        label=_("Start at"),
        choices=[("on_site", _("I am there now")), ("accepted", _("Accepted, I will come back"))],
        initial="on_site",
        widget=forms.RadioSelect,
    )
    photos = PhotoField(label=_("Photo"), required=False)

    def __init__(self, *args, worker, workers=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from residents.models import Facility

        own_trade = Case(When(crew_kind=worker.crew.kind, then=Value(0)), default=Value(1))
        self.fields["category"].queryset = (
            Category.objects.filter(parent__isnull=False, active=True)
            .select_related("parent")
            .order_by(own_trade, "parent__sort", "sort", "code")
        )
        self.fields["facility"].queryset = Facility.objects.filter(district__in=worker.crew.districts.all())
        if workers is not None:
            self.fields["worker"] = forms.ModelChoiceField(
                label=_("Worker"), queryset=workers, empty_label=_("Choose the worker")
            )

    def clean(self):
        from residents.selectors import AddressError, resolve_address

        data = super().clean()
        address, facility = (data.get("address") or "").strip(), data.get("facility")
        data["room"] = None
        if address:
            try:
                data["room"] = resolve_address(address)
            except AddressError as exc:
                self.add_error("address", str(exc))
        elif facility is None:
            self.add_error("address", _("Give the room or the public facility where the fault is."))
        photos = data.get("photos") or []
        if len(photos) > 1:
            self.add_error("photos", _("One photo is enough here; add more on the order's page."))
        data["photo"] = photos[0] if photos else None
        return data
