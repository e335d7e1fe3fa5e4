from __future__ import annotations

import datetime
import json
from collections.abc import Collection
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from alliance.text import reject_bidi_controls
from initiatives.models import Amendment, Initiative, InitiativeQuerySet, Theme
from members.collation import matches
from members.forms import list_states_by_name
from members.models import MemberState, MemberStateQuerySet


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
    # The version of the text the page showed: the state endorses what its delegate read.
    text_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            key: _("The page did not say which version of the text you read: open the endorsement page again.")
            for key in ("required", "invalid", "min_value")
        },
    )
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


class StateFilterForm(forms.Form):
    """The states list's search, by a name in any of the six languages, and its regional group."""

    q = forms.CharField(
        label=_("Search by name or code"),
        required=False,
        max_length=100,
        help_text=_("In any of the six languages; accents and capitals do not matter."),
    )
    group = forms.ChoiceField(
        label=_("UN regional group"),
        required=False,
        choices=[("", _("All regional groups")), *MemberState.RegionalGroup.choices],
    )

    def filter(self, states: MemberStateQuerySet) -> list[MemberState]:
        """The states that match the valid choices; a wrong choice is reported, and filters nothing."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("group"):
            states = states.filter(regional_group=data["group"])
        text = data.get("q", "")
        return [state for state in states if matches(text, state.names_to_search())]


class MatrixForm(AsOfForm):
    """The matrix's day and, optionally, one UN regional group; a wrong value is reported and ignored."""

    group = forms.ChoiceField(
        label=_("UN regional group"),
        required=False,
        choices=[("", _("All states")), *MemberState.RegionalGroup.choices],
    )

    def chosen(self) -> tuple[datetime.date | None, str | None]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return data.get("as_of"), data.get("group") or None


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


class DraftForm(forms.Form):
    """A draft initiative, as a delegate proposes it on behalf of their state."""

    language = forms.ChoiceField(
        label=_("Language of the texts"),
        choices=settings.LANGUAGES,
        help_text=_("Write the title, summary and commitment in one of the six languages; the others come later."),
    )
    title = forms.CharField(label=_("Title"), max_length=300, validators=[reject_bidi_controls])
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), validators=[reject_bidi_controls]
    )
    commitment = forms.CharField(
        label=_("Commitment"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The text that states will endorse."),
        validators=[reject_bidi_controls],
    )
    theme: forms.ModelChoiceField[Theme] = forms.ModelChoiceField(
        label=_("Theme"), queryset=Theme.objects.order_by("name")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Initiative.Kind.choices)
    signing_opens_on = forms.DateField(
        label=_("Signature would open on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("A proposal: the secretariat sets the signing window when the initiative opens."),
    )
    signing_closes_on = forms.DateField(
        label=_("Signature would close on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for an initiative that stays open."),
    )
    authority = forms.BooleanField(
        label=_(
            "I confirm that I am authorised to propose this draft on behalf of my state. It stays "
            "private to the states taking part and to the secretariat until it opens."
        ),
        required=True,
    )


class InviteForm(forms.Form):
    member_state: forms.ModelChoiceField[MemberState] = forms.ModelChoiceField(
        label=_("State to invite"), queryset=MemberState.objects.none()
    )
    authority = forms.BooleanField(
        label=_(
            "I confirm that I am authorised to invite this state on behalf of my state. Its "
            "delegates will read the draft."
        ),
        required=True,
    )

    def __init__(self, *args: Any, inviting: Collection[int], **kwargs: Any) -> None:
        """`inviting`: the states already taking part, which are not offered."""
        super().__init__(*args, **kwargs)
        field = self.fields["member_state"]
        field.queryset = MemberState.objects.un_members().exclude(pk__in=inviting)  # type: ignore[attr-defined]
        list_states_by_name(field)  # type: ignore[arg-type]


class DraftDecisionForm(forms.Form):
    """A state's decision about a draft (accept, decline, leave): the statement of authority alone."""

    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to take this decision on behalf of my state."), required=True
    )


class HandOverForm(forms.Form):
    member_state: forms.ModelChoiceField[MemberState] = forms.ModelChoiceField(
        label=_("New lead state"), queryset=MemberState.objects.none()
    )
    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to hand the lead of this draft to this state on behalf of my state."),
        required=True,
    )

    def __init__(self, *args: Any, successors: Collection[int], **kwargs: Any) -> None:
        """`successors`: the accepted co-sponsors, the only states offered."""
        super().__init__(*args, **kwargs)
        field = self.fields["member_state"]
        field.queryset = MemberState.objects.filter(pk__in=successors).order_by("name")  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read by the delegates of the states taking part and by the secretariat; never published."),
        validators=[reject_bidi_controls],
    )


class AmendmentForm(forms.Form):
    """An amendment to a precise passage of the draft, in one of the languages it is written in."""

    text = forms.ChoiceField(label=_("Text to amend"), choices=Amendment.Text.choices)
    language = forms.ChoiceField(label=_("Language of the passage"), choices=())
    passage = forms.CharField(
        label=_("Passage to replace"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Copy the exact words from the current version; they must appear once in the text."),
        validators=[reject_bidi_controls],
        strip=False,
    )
    replacement = forms.CharField(
        label=_("Replace it with"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Leave empty to delete the passage."),
        validators=[reject_bidi_controls],
        strip=False,
    )
    explanation = forms.CharField(
        label=_("Reason for the amendment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_bidi_controls],
    )
    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to propose this amendment on behalf of my state."), required=True
    )

    def __init__(self, *args: Any, languages: Collection[str], **kwargs: Any) -> None:
        """`languages`: those the draft is written in, the only ones offered."""
        super().__init__(*args, **kwargs)
        names = dict(settings.LANGUAGES)
        self.fields["language"].choices = [(code, names[code]) for code in languages]  # type: ignore[attr-defined]

    def clean_passage(self) -> str:
        passage: str = self.cleaned_data["passage"].replace("\r\n", "\n")
        if not passage.strip():
            raise forms.ValidationError(_("Quote the passage to replace."), code="required")
        return passage

    def clean_replacement(self) -> str:
        return str(self.cleaned_data["replacement"]).replace("\r\n", "\n")


class AmendmentDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the decision"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Read by the states taking part."),
        validators=[reject_bidi_controls],
    )
    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to take this decision on behalf of my state."), required=True
    )


class ConfirmTextForm(forms.Form):
    """A co-sponsor confirms the submitted text: the statement of authority of endorsing."""

    authority = EndorseForm.base_fields["authority"]
