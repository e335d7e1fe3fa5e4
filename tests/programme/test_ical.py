"""The programme's iCalendar feed, /<lang>/programme/meetings.ics: it imports into a calendar (read
back by the `icalendar` package), in the feed's language, and a draft is only "a new initiative on" its theme."""

import datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from initiatives.models import Initiative
from programme.models import AgendaItem
from tests.factories import AgendaItemFactory, InitiativeFactory, MeetingFactory, ThemeFactory

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_imports_into_a_calendar_with_every_meeting(register, anonymous, settings):
    settings.SITE_URL = "https://register.example"
    paris_call = Initiative.objects.get(slug="paris-call")
    timed = MeetingFactory(
        title="Ministerial meeting at the General Assembly",
        place="New York, UN Headquarters",
        starts_on=days(10),
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        time_zone="America/New_York",
        link="https://example.org/ministerial",
    )
    AgendaItemFactory(meeting=timed, order=1, title="", initiative=paris_call)
    AgendaItemFactory(meeting=timed, order=2, title="Reform of the multilateral system")
    whole_days = MeetingFactory(title="Working group", kind="working_level", starts_on=days(20), ends_on=days(22))
    past = MeetingFactory(title="Side event", kind="side_event", place="Geneva", starts_on=days(-30))
    AgendaItemFactory(meeting=past, order=1, title="", initiative=paris_call, outcome=AgendaItem.Outcome.LAUNCHED)
    AgendaItemFactory(meeting=past, order=2, title="Not taken up")

    response = anonymous.get("/en/programme/meetings.ics")
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = icalendar.Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0" and "Alliance for Multilateralism" in str(calendar["prodid"])
    found = events(response)
    assert sorted(found) == sorted(str(meeting.title) for meeting in (timed, whole_days, past))

    event = found[timed.title]
    assert str(event["uid"]) == f"meeting-{timed.pk}@register.example"
    assert event.decoded("dtstart") == datetime.datetime.combine(
        days(10), datetime.time(10), ZoneInfo("America/New_York")
    )
    assert event.decoded("dtend") == datetime.datetime.combine(
        days(10), datetime.time(13), ZoneInfo("America/New_York")
    )
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert [str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert event.decoded("dtstamp") == timed.updated_at.replace(microsecond=0)  # when it last changed, in UTC
    assert str(event["location"]) == "New York, UN Headquarters"
    assert event.categories == ["Ministerial meeting"]
    assert str(event["url"]) == f"http://testserver/en/programme/#meeting-{timed.pk}"
    description = str(event["description"])
    assert description.index(paris_call.title) < description.index("Reform of the multilateral system")
    assert "https://example.org/ministerial" in description

    event = found[whole_days.title]
    assert event.decoded("dtstart") == days(20)
    assert event.decoded("dtend") == days(23)  # the day after the last, as RFC 5545 counts whole days
    assert "Working-level meeting" in str(event["description"])

    description = str(found[past.title]["description"])
    assert f"{paris_call.title} (Launched)" in description
    assert "Not taken up" not in description


def test_the_feed_keeps_each_meetings_uid_across_languages_and_downloads(db, anonymous):
    meeting = MeetingFactory(title="Meeting", starts_on=days(5))
    meeting.title_fr = "Réunion"
    meeting.save()
    english = anonymous.get("/en/programme/meetings.ics")
    french = anonymous.get("/fr/programme/meetings.ics")
    again = anonymous.get("/en/programme/meetings.ics")
    assert str(events(english)["Meeting"]["uid"]) == str(events(french)["Réunion"]["uid"])
    assert english.content == again.content
    assert str(events(french)["Réunion"]["url"]).endswith(f"/fr/programme/#meeting-{meeting.pk}")


def test_a_draft_in_the_feed_is_only_a_new_initiative_on_its_theme(db, anonymous):
    draft = InitiativeFactory(
        slug="ocean-pledge",
        title="Ocean Pledge of the Atlantic States",
        summary="Confidential summary.",
        commitment="Confidential commitment.",
        theme=ThemeFactory(slug="oceans", name="Oceans and seas"),
        status=Initiative.Status.DRAFT,
    )
    AgendaItemFactory(
        meeting=MeetingFactory(starts_on=days(3)), title="Presentation of the Ocean Pledge", initiative=draft
    )
    AgendaItemFactory(meeting=MeetingFactory(starts_on=days(-3)), title="", initiative=draft, outcome="presented")
    response = anonymous.get("/en/programme/meetings.ics")
    feed = response.content.decode()
    for secret in ("Ocean Pledge", "Confidential", "ocean-pledge", "draft", "Draft"):
        assert secret not in feed, secret
    descriptions = [str(event["description"]) for event in events(response).values()]
    assert all("A new initiative on Oceans and seas" in description for description in descriptions)


def test_the_programme_page_links_to_its_feed(db, anonymous):
    page = anonymous.get("/en/programme/").content.decode()
    assert '<a href="/en/programme/meetings.ics" type="text/calendar">' in page


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_feed_is_read_only(db, anonymous, method):
    assert getattr(anonymous, method)("/en/programme/meetings.ics").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_an_empty_programme_is_still_a_valid_calendar(db, anonymous):
    calendar = icalendar.Calendar.from_ical(anonymous.get("/ar/programme/meetings.ics").content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["version"]) == "2.0"
