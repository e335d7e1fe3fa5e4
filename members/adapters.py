"""allauth's adapters. The account adapter remembers each person's language, so emails reach them
in it, and allauth's emails leave through the register's queue like its own. The MFA adapter answers
from second factors a view has already read (`second_factors_read_once`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.models import AnonymousUser
from django.contrib.sites.shortcuts import get_current_site
from django.db import connection
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


_KNOWN_TYPES = "_second_factor_types"  # set on the user for the time of one view


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]  # allauth is untyped
    def is_mfa_enabled(self, user: User | AnonymousUser, types: Any = None) -> bool:
        known: frozenset[str] | None = getattr(user, _KNOWN_TYPES, None)
        if known is None:
            return super().is_mfa_enabled(user, types=types)  # type: ignore[no-any-return]
        return bool(known if types is None else known.intersection(types))


@contextmanager
def second_factors_read_once(user: User | AnonymousUser) -> Iterator[None]:
    """Within the block, whether the user has a second factor (of a kind) is answered from one read
    of their authenticators: a delegate's signing request asked four times, each a query (once by
    `acting_accreditation`, then once per kind by allauth's step-up check). A view that adds or
    removes a second factor must not run inside the block."""
    if not user.is_authenticated:
        yield
        return
    # As SQL: the ORM compiling this read cost twice its run (`alliance.rows`).
    with connection.cursor() as cursor:
        cursor.execute("SELECT type FROM mfa_authenticator WHERE user_id = %s", [user.pk])
        types = frozenset(kind for (kind,) in cursor.fetchall())
    setattr(user, _KNOWN_TYPES, types)
    try:
        yield
    finally:
        delattr(user, _KNOWN_TYPES)


def _active_language() -> str:
    return get_supported_language_variant(get_language())
