"""Forms of the register import page: thin, the service checks the file."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import ImportKind


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(
        label=_("File (.xlsx, .xls or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )


class ConfirmForm(forms.Form):
    end_moved_out_residencies = forms.BooleanField(
        label=_("End the residencies of the residents listed as moved out (they stay registered)"),
        required=False,
    )
