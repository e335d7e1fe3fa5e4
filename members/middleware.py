"""Middleware for signed-in people: staff need a second factor for the secretariat's pages, and the list of a
person's sessions is kept up to date without a database write on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from allauth.mfa.utils import is_mfa_enabled
from allauth.usersessions.middleware import UserSessionsMiddleware
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

ACTIVITY_INTERVAL = 60  # seconds between two writes of a session's "last seen" time and address


class SessionActivityMiddleware(UserSessionsMiddleware):  # type: ignore[misc]
    """allauth's tracking of each session's last activity (shown in the person's list of sessions),
    written at most once a minute per session instead of on every request: the write is a
    transaction of five queries, on every page a signed-in person opens. The throttle lives in the
    shared cache, so it holds across app servers."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        key = session.session_key if session is not None else None
        if key and not cache.add(f"usersessions:seen:{key}", True, timeout=ACTIVITY_INTERVAL):
            return self.get_response(request)  # type: ignore[no-any-return]
        return super().__call__(request)  # type: ignore[no-any-return]


class SignedInPagesMiddleware:
    """A page answered to a signed-in person may show their name, their state or their
    second factors: no shared or browser cache keeps it (a shared computer's back button,
    a proxy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # private, no-store, no-cache, max-age=0
        return response


View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def staff_only(view: View) -> View:
    """Mark a view outside the admin as the secretariat's: `StaffMfaMiddleware` then asks its
    staff for their second factor there too."""
    view.staff_only = True  # type: ignore[attr-defined]
    return view


class StaffMfaMiddleware:
    """Every page of the secretariat (the admin, and views marked `staff_only`) needs the staff
    member's second factor: a stolen password alone opens none of them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not request.user.is_authenticated:
            return None
        staff_view = getattr(view, "staff_only", False)
        if not (staff_view or match.app_name == "admin"):
            return None
        if not request.user.is_staff:
            if staff_view:
                raise PermissionDenied
            return None  # the admin sends others to its own sign-in page
        if not is_mfa_enabled(request.user):
            messages.warning(request, _("Set up two-factor authentication to use the administration."))
            return redirect("mfa_activate_totp")
        return None
