"""The programme's meetings as an iCalendar feed (RFC 5545), in the language of the page it is read from."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils.translation import gettext as _

from programme.models import AgendaItem, Meeting

PRODUCT_ID = "-//Alliance for Multilateralism//Register//EN"


def meetings_calendar(meetings: Iterable[Meeting], *, page_url: str) -> bytes:
    """The calendar of `meetings` (from MeetingQuerySet.for_programme()), each event linking to its
    place on the programme page at `page_url`."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Alliance for Multilateralism: programme of work"))
    days: list[datetime.date] = []
    for meeting in meetings:
        calendar.add_component(_event(meeting, page_url=page_url))
        days += [meeting.starts_on, meeting.last_day()]
    if days:
        # Each time zone's rules over the programme's years only, not the library's default 1970–2038.
        calendar.add_missing_timezones(
            first_date=min(days).replace(month=1, day=1), last_date=max(days).replace(month=12, day=31)
        )
    text: bytes = calendar.to_ical()
    return text


def event_uid(meeting: Meeting) -> str:
    """The same in every language and at every download, so a calendar updates the event it already has."""
    return f"meeting-{meeting.pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}"


def _event(meeting: Meeting, *, page_url: str) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", event_uid(meeting))
    # When the event was last changed (RFC 5545 §3.8.7.2, for a calendar published without a scheduling method).
    event.add("dtstamp", meeting.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", meeting.updated_at.astimezone(datetime.UTC))
    event.add("created", meeting.created_at.astimezone(datetime.UTC))
    starts_at, ends_at = meeting.starts_at(), meeting.ends_at()
    if starts_at is None:
        # A day or days whose times are not known: a whole-day event, its end the day after the last.
        event.add("dtstart", meeting.starts_on)
        event.add("dtend", meeting.last_day() + datetime.timedelta(days=1))
    else:
        event.add("dtstart", starts_at)
        if ends_at is not None:
            event.add("dtend", ends_at)
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    event.add("categories", [str(meeting.get_kind_display())])
    event.add("description", _description(meeting))
    event.add("url", f"{page_url}#meeting-{meeting.pk}")
    return event


def _description(meeting: Meeting) -> str:
    is_past: bool = meeting.is_past  # type: ignore[attr-defined]  # MeetingQuerySet.with_is_past()
    lines = [str(meeting.get_kind_display())]
    items: list[AgendaItem] = meeting.recorded_outcomes() if is_past else list(meeting.agenda_items.all())
    if items:
        lines += ["", _("Presented and launched there:") if is_past else _("Agenda:")]
        for item in items:
            line = f"{item.order}. {item.public_subject().text}"
            if item.outcome:
                line += f" ({item.get_outcome_display()})"
            lines.append(line)
    if meeting.link:
        lines += ["", _("Meeting page: %(url)s") % {"url": meeting.link}]
    return "\n".join(lines)
