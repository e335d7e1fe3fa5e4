from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
        choices=[("", _("Any status")), *[c for c in Initiative.Status.choices if c[0] != Initiative.Status.DRAFT]],
    )

    def filter(self, initiatives: InitiativeQuerySet) -> InitiativeQuerySet:
        data = self.cleaned_data
        if data["theme"]:
            initiatives = initiatives.filter(theme=data["theme"])
        if data["status"]:
            initiatives = initiatives.filter(status=data["status"])
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
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the withdrawal"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Published with the withdrawal in the register's history."),
    )
    authority = forms.BooleanField(
        label=_("I confirm that I am authorised to withdraw this endorsement on behalf of my state."),
        required=True,
    )
