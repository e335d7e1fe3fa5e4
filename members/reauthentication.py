"""Fresh authentication before a commitment, without running a request that arrived stale.

allauth keeps a POST that needed re-authentication and runs it once the person has
re-authenticated (`suspend_request`, `resume_request`). A request planted through a stolen
session would then be committed by the delegate's own password. Here such a POST is never kept:
the person re-authenticates, lands on the form again (pre-filled with the text they typed, on
the register's own forms) and must send it themselves.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

TYPED_KEY = "reauthentication_typed"
TYPED_LIFETIME = 15 * 60  # seconds a kept text waits for the person to come back to the form


def _reauthenticate_then_return(request: HttpRequest) -> HttpResponseRedirect:
    """To the first way the person can re-authenticate, then back to the page (by GET)."""
    if request.user.is_authenticated:
        methods = get_adapter().get_reauthentication_methods(request.user)
        target = methods[0]["url"] if methods else reverse("account_login")
    else:
        target = reverse("account_login")
    if request.method == "POST":
        messages.warning(
            request,
            _("Nothing was sent: confirm it is you, then check the form and send it again."),
        )
    return HttpResponseRedirect(f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.path})}")


def fresh_authentication_required(*, keep: tuple[str, ...] = ()) -> Callable[..., Any]:
    """Run the view only after a recent re-authentication (allauth's rule and timeout).

    A POST that arrives without one runs nothing; the fields named in `keep` (text the person
    typed, never a box they ticked) are kept for `typed_before_reauthentication` to pre-fill the
    form when they come back.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        checked = reauthentication_required(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return checked(request, *args, **kwargs)  # type: ignore[no-any-return]
            except ReauthenticationRequired:
                if request.method == "POST" and keep:
                    request.session[TYPED_KEY] = {
                        "path": request.path,
                        "at": time.time(),
                        "fields": {name: request.POST.get(name, "") for name in keep},
                    }
                return _reauthenticate_then_return(request)

        return wrapper

    return decorator


def typed_before_reauthentication(request: HttpRequest) -> dict[str, str]:
    """What the person typed on this page before they had to re-authenticate, once."""
    kept = request.session.get(TYPED_KEY)
    if not kept or kept.get("path") != request.path:
        return {}
    del request.session[TYPED_KEY]
    if time.time() - kept.get("at", 0) > TYPED_LIFETIME:
        return {}
    return {name: str(value) for name, value in kept.get("fields", {}).items()}


class NoReplayAfterReauthenticationMiddleware:
    """allauth's own pages that need re-authentication (second factors, email addresses,
    password) get the same treatment: a stale POST is dropped, never kept to run later.

    Listed after allauth's AccountMiddleware, so its `process_exception` runs first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, ReauthenticationRequired) and request.method == "POST":
            return _reauthenticate_then_return(request)
        return None  # allauth's handler: a GET is only a redirect, nothing to replay
