"""Requests the register cannot serve get a translated page that says why: the database or the
shared cache does not answer (503, with when to retry), or the request is too large (413)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.views import defaults
from redis.exceptions import ConnectionError as CacheConnectionError
from redis.exceptions import TimeoutError as CacheTimeoutError

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 30


# Errors that mean a service the request needs does not answer, not a bug.
DATABASE_DOWN = (OperationalError, InterfaceError)
CACHE_DOWN = (CacheConnectionError, CacheTimeoutError)


class ServiceUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        return service_unavailable(exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A service may stop answering outside a view too (a middleware loading the
    signed-in person or their session, say): that still gets the 503 page; any other error gets
    the 500 page."""
    return service_unavailable(sys.exc_info()[1]) or defaults.server_error(request)


def service_unavailable(error: BaseException | None) -> HttpResponse | None:
    """The 503 page, with when to retry, if the error says the database or the shared cache does not answer."""
    if isinstance(error, DATABASE_DOWN) and isinstance(error, DatabaseError):
        logger.error("The database does not answer: %s", error)
    elif isinstance(error, CACHE_DOWN):
        logger.error("The shared cache does not answer: %s", error)
    else:
        return None
    body = render_to_string("503.html", {"retry_after": RETRY_AFTER_SECONDS}, request=None)
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class RequestLimitsMiddleware:
    """Refuse, before anything reads it, a request the register cannot take.

    - A body larger than accepted gets 413: forms without files may be as large as
      DATA_UPLOAD_MAX_MEMORY_SIZE; uploads (multipart) as MAX_REQUEST_BYTES, which leaves room
      for the largest evidence file.
    - A NUL character in the address gets 400: no slug, code or filter holds one, and PostgreSQL
      refuses it in text. (Forms refuse it in their fields already.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return _refusal(request, "400.html", {}, status=400)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length <= limit:
            return self.get_response(request)
        logger.warning("Refused a request body of %s bytes to %s (limit %s).", length, request.path, limit)
        context = {"limit_mb": limit // 2**20, "evidence_mb": settings.EVIDENCE_MAX_BYTES // 2**20}
        response = _refusal(request, "413.html", context, status=413)
        # The unread body must not be taken for the next request. Django's development server
        # (wsgiref, `make run`) refuses this header from an application, and drains the body itself.
        if not request.META.get("SERVER_SOFTWARE", "").startswith("WSGIServer/"):
            response["Connection"] = "close"
        return response


def _refusal(request: HttpRequest, template: str, context: dict[str, int], *, status: int) -> HttpResponse:
    """The error page in the language of the address (the locale middleware has not run yet);
    for the API, its JSON shape for bad requests."""
    if request.path.startswith("/api/"):
        reason = "request: too large" if status == 413 else "request: the address holds a NUL character"
        return JsonResponse({"detail": [reason]}, status=status)
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        return HttpResponse(render_to_string(template, context, request=None), status=status)
