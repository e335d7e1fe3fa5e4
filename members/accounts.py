"""What the secretariat does for a person's account: a link to choose a password (nobody sets
another person's password), and removing a lost second factor."""

from __future__ import annotations

from allauth.account.forms import ResetPasswordForm
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from alliance.background import notify
from members.models import User


def send_password_link(*, request: HttpRequest, user: User) -> None:
    """Email the person a link to choose a new password, in their language (allauth's reset link,
    valid once). Nobody sees or sets the password but them."""
    form = ResetPasswordForm(data={"email": user.email})
    if form.is_valid():  # an inactive account gets no link
        with translation.override(user.language):
            form.save(request)


def sign_out_everywhere(*, user: User) -> int:
    """End every session of the person, on every app server; the number ended."""
    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    return len(sessions)


@transaction.atomic
def remove_second_factor(*, authenticator: Authenticator, removed_by: User) -> None:
    """Remove a second factor the person lost: they are signed out everywhere (whoever holds a
    session can no longer act with it) and told by email, in their language."""
    user: User = authenticator.user
    kind = authenticator.get_type_display()
    authenticator.delete()
    transaction.on_commit(lambda: sign_out_everywhere(user=user))
    notify(
        template="second_factor_removed",
        recipients=[user.email],
        context={"user": user, "kind": kind, "removed_by": removed_by},
        language=user.language,
    )
