from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from alliance.text import reject_bidi_controls
from members.collation import sort_by_name
from members.models import MemberState

# What an evidence file must start with, by type; the browser's claimed type is not trusted.
EVIDENCE_SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}


def sniff_evidence_type(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((kind for magic, kind in EVIDENCE_SIGNATURES.items() if head.startswith(magic)), None)


def list_states_by_name(field: forms.ModelChoiceField[MemberState]) -> None:
    """Offer the field's states by name as readers of the active language sort them (accents in
    place, Chinese by pinyin), which no database collation does for all six languages."""
    key = field.to_field_name or "pk"
    states = sort_by_name(field.queryset, lambda state: state.name)  # type: ignore[arg-type]
    field.choices = [("", field.empty_label), *((getattr(state, key), state.name) for state in states)]


class MandateForm(forms.Form):
    """The position and evidence of a renewal request (the state is the one renewed)."""

    position = forms.CharField(
        label=_("Your position"),
        max_length=200,
        help_text=_("For example: Deputy Permanent Representative, Permanent Mission to the United Nations."),
        validators=[reject_bidi_controls],
    )
    evidence = forms.FileField(
        label=_("Evidence of your mandate"),
        help_text=_("A note verbale or full powers naming you: a PDF, PNG or JPEG file of at most 5 MB."),
    )

    def clean_evidence(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["evidence"]
        if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."), code="too_large")
        kind = sniff_evidence_type(upload)
        if kind is None:
            raise forms.ValidationError(
                _("The file is not a PDF, PNG or JPEG document (its content was checked)."), code="bad_type"
            )
        self.evidence_type = kind
        return upload


class AccreditationRequestForm(MandateForm):
    member_state: forms.ModelChoiceField[MemberState] = forms.ModelChoiceField(
        label=_("State you act for"),
        queryset=MemberState.objects.all(),
        to_field_name="code",
        empty_label=_("Choose a state"),
    )
    field_order = ["member_state", "position", "evidence"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        list_states_by_name(self.fields["member_state"])  # type: ignore[arg-type]
