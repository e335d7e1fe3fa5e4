"""allauth's account adapter: each person's language is remembered, so emails reach them in it."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.utils.translation import get_language, get_supported_language_variant

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


def _active_language() -> str:
    return get_supported_language_variant(get_language())
