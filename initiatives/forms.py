from __future__ import annotations

import datetime
import json

from django import forms
from django.utils.translation import gettext_lazy as _

from alliance.text import reject_bidi_controls
from initiatives.models import Initiative, InitiativeQuerySet, Theme


class InitiativeFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by title"), required=False, max_length=100)
    theme: forms.ModelChoiceField[Theme] = forms.ModelChoiceField(
        label=_("Theme"),
        queryset=Theme.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All themes"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *[c for c in Initiative.Phase.choices if c[0] != Initiative.Phase.DRAFT]],
    )

    def filter(self, initiatives: InitiativeQuerySet) -> InitiativeQuerySet:
        data = self.cleaned_data
        if data["theme"]:
            initiatives = initiatives.filter(theme=data["theme"])
        if data["status"]:
            initiatives = initiatives.filter(phase=data["status"])  # type: ignore[misc]  # for_listing()'s annotation
        return initiatives.search(data["q"].strip())


class EndorseForm(forms.Form):
    authority = forms.BooleanField(
        label=_(
            "I confirm that I am authorised to endorse this text on behalf of my state, "
            "and that this endorsement will be published."
        ),
        required=True,
    )
    statement = forms.CharField(
        label=_("Public statement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published with the endorsement. At most 2,000 characters."),
        validators=[reject_bidi_controls],
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with the withdrawal in the register's history."),
        validators=[reject_bidi_controls],
    )
    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to withdraw this endorsement on behalf of my state."),
        required=True,
    )


class AsOfForm(forms.Form):
    """ "Status as at": the register as it stood at the end of a day."""

    as_of = forms.DateField(
        label=_("Status as at"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The register as it stood at the end of this day."),
    )

    def day(self) -> datetime.date | None:
        return self.cleaned_data["as_of"] if self.is_valid() else None


class VerifyReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Signed receipt (JSON)"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false", "dir": "ltr"}),
        max_length=20_000,
        help_text=_("Paste the whole receipt, as downloaded from the register."),
    )

    def clean_receipt(self) -> dict[str, object]:
        too_deep = forms.ValidationError(
            _("A receipt nests its values at most %(depth)d levels deep; this text nests them deeper."),
            code="depth",
            params={"depth": RECEIPT_MAX_DEPTH},
        )
        try:
            document = json.loads(self.cleaned_data["receipt"])
        except RecursionError:
            raise too_deep from None
        except ValueError:
            raise forms.ValidationError(_("This is not valid JSON."), code="json") from None
        if not isinstance(document, dict):
            raise forms.ValidationError(_("A receipt is a JSON object."), code="json")
        if _depth(document) > RECEIPT_MAX_DEPTH:
            raise too_deep
        return document


RECEIPT_MAX_DEPTH = 8  # a receipt's own values are three levels deep


def _depth(value: object) -> int:
    """How deeply lists and objects nest in a parsed JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest
