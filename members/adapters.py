"""allauth's account adapter: each person's language is remembered, so emails reach them in it,
and allauth's emails leave through the register's queue like its own."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.sites.shortcuts import get_current_site
from django.http import HttpRequest
from django.utils.translation import get_language, get_supported_language_variant

from alliance.background import message_as_data, send_message
from members.models import User


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user.language = _active_language()
        return super().save_user(request, user, form, commit)  # type: ignore[no-any-return]

    def login(self, request: HttpRequest, user: User) -> None:
        super().login(request, user)
        language = _active_language()
        if user.language != language:
            user.language = language
            user.save(update_fields=["language"])

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Written now, in the request's language and with its links; sent by the worker."""
        request = self.request
        context = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, context)
        send_message.enqueue(message_as_data(message))


def _active_language() -> str:
    return get_supported_language_variant(get_language())
