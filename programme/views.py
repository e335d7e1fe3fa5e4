from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from alliance.caching import public_page
from programme.ical import meetings_calendar
from programme.models import Meeting


@require_safe
@public_page
def programme(request: HttpRequest) -> HttpResponse:
    """Upcoming meetings, soonest first; then past ones, latest first, with what was presented and launched."""
    meetings = list(Meeting.objects.for_programme())
    return render(
        request,
        "programme/programme.html",
        {
            "upcoming": [meeting for meeting in meetings if not meeting.is_past],
            "past": [meeting for meeting in reversed(meetings) if meeting.is_past],
        },
    )


@require_safe
@public_page
def meetings_ics(request: HttpRequest) -> HttpResponse:
    """Every meeting of the programme as an iCalendar feed, in the page's language."""
    page_url = request.build_absolute_uri(reverse("programme:programme"))
    return HttpResponse(
        meetings_calendar(Meeting.objects.for_programme(), page_url=page_url),
        content_type="text/calendar; charset=utf-8",
    )
