from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from subscriptions.models import Subscription


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        help_text=_("It is never shown on the register. We send a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    frequency = forms.ChoiceField(
        label=_("How often"), choices=Subscription.Frequency.choices, initial=Subscription.Frequency.IMMEDIATE
    )

    def clean_email(self) -> str:
        address = str(self.cleaned_data["email"]).strip().lower()
        if '"' in address:
            # A quoted local part ("name"@host) names the same mailbox as name@host: the limits
            # per address would count them apart.
            raise forms.ValidationError(_("Write the address without quotation marks."))
        return address
