from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from alliance import caching
from alliance.caching import VERSION_KEY, public_page
from alliance.resilience import CACHE_DOWN
from initiatives import coverage
from initiatives.models import Initiative

logger = logging.getLogger(__name__)


@require_safe
@public_page
def home(request: HttpRequest) -> HttpResponse:
    context = {
        "cache_version": caching.version(request),  # before any data: a fragment is never older than its key
        "initiatives": Initiative.objects.published().for_listing(),
        "register": coverage.AllianceRegister(),
    }
    return render(request, "alliance/home.html", context)


@require_safe
@public_page
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "alliance/about.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer, 503 otherwise. The shared cache is reported but
    does not decide: without it the register still serves its pages from the database."""
    try:
        cache.get(VERSION_KEY)
        shared_cache = "ok"
    except CACHE_DOWN:
        logger.warning("Health check: the shared cache does not answer.")
        shared_cache = "down"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer.", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "down", "cache": shared_cache}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "cache": shared_cache})
