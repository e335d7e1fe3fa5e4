from __future__ import annotations

import logging

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from initiatives.models import Endorsement, Initiative
from members.models import MemberState

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    un_members = MemberState.objects.un_members().count()
    endorsing_un_members = MemberState.objects.un_members().endorsing().count()
    return render(
        request,
        "alliance/home.html",
        {
            "initiatives": Initiative.objects.published().for_listing(),
            "un_members": un_members,
            "endorsing_un_members": endorsing_un_members,
            "endorsing_share": round(100 * endorsing_un_members / un_members) if un_members else 0,
            "endorsements_in_force": Endorsement.objects.in_force().count(),
        },
    )


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "alliance/about.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the app and its database answer, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("Health check: the database does not answer.", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
