"""The public programme of work, /<lang>/programme/: upcoming meetings with their agendas, and past
meetings with what was presented and launched there; a draft reads only as "a new initiative on" its theme."""

import datetime
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from initiatives import coalitions
from initiatives.models import Initiative
from initiatives.publishing import save_initiative
from members.models import MemberState
from programme.models import AgendaItem
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import AgendaItemFactory, InitiativeFactory, MeetingFactory, ThemeFactory, UserFactory

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def draft(db) -> Initiative:
    """A draft with its texts in every language, on a theme of its own."""
    return InitiativeFactory(
        slug="ocean-pledge",
        title="Ocean Pledge of the Atlantic States",
        summary="Confidential summary of the pledge.",
        commitment="Confidential commitment of the pledge.",
        theme=ThemeFactory(slug="oceans", name="Oceans and seas"),
        status=Initiative.Status.DRAFT,
    )


def test_the_programme_lists_upcoming_meetings_with_their_agenda_and_past_ones_with_what_came_of_them(
    register, anonymous
):
    paris_call = Initiative.objects.get(slug="paris-call")
    humanitarian = Initiative.objects.get(slug="humanitarian-call-for-action")
    later = MeetingFactory(title="Working group on cyberspace", kind="working_level", starts_on=days(40))
    sooner = MeetingFactory(
        title="Ministerial meeting at the General Assembly",
        place="New York, UN Headquarters",
        starts_on=days(10),
        ends_on=days(11),
        start_time=datetime.time(10),
        end_time=datetime.time(13),
        time_zone="America/New_York",
        link="https://example.org/ministerial",
    )
    AgendaItemFactory(meeting=sooner, order=2, title="Reform of the multilateral system")
    AgendaItemFactory(meeting=sooner, order=1, title="", initiative=paris_call)
    past = MeetingFactory(title="Side event on humanitarian law", kind="side_event", starts_on=days(-20))
    AgendaItemFactory(meeting=past, order=1, title="", initiative=humanitarian, outcome=AgendaItem.Outcome.LAUNCHED)
    AgendaItemFactory(meeting=past, order=2, title="Report on impunity", outcome=AgendaItem.Outcome.PRESENTED)
    AgendaItemFactory(meeting=past, order=3, title="Item postponed to the next meeting")
    older = MeetingFactory(title="Ministerial meeting of last year", starts_on=days(-300))

    response = anonymous.get("/en/programme/")
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    upcoming, done = section(page, "upcoming-title"), section(page, "past-title")
    assert upcoming.index(sooner.title) < upcoming.index(later.title)  # soonest first
    assert done.index(past.title) < done.index(older.title)  # latest first
    assert past.title not in upcoming and later.title not in done
    meeting = upcoming[upcoming.index(sooner.title) : upcoming.index(later.title)]
    assert meeting.index(paris_call.title) < meeting.index("Reform of the multilateral system")  # agenda order
    assert '<a href="/en/initiatives/paris-call/">Paris Call for Trust' in meeting
    assert "Ministerial meeting</span>" in meeting
    assert "New York, UN Headquarters" in meeting
    assert f'<time datetime="{days(10).isoformat()}T10:00:00-0' in meeting  # the local time, with its offset
    assert "local time (UTC\u221205:00)" in meeting or "local time (UTC\u221204:00)" in meeting
    assert 'href="https://example.org/ministerial" rel="external noopener"' in meeting
    assert "Working-level meeting</span>" in upcoming
    outcomes = done[done.index(past.title) : done.index(older.title)]
    assert "Launched</span>" in outcomes and "Presented</span>" in outcomes
    assert f'<a href="/en/initiatives/humanitarian-call-for-action/">{humanitarian.title}</a>' in outcomes
    assert "Report on impunity" in outcomes
    assert "Item postponed" not in page  # on the agenda, but nothing came of it
    assert "Nothing is recorded yet of what was presented or launched" in done[done.index(older.title) :]


def test_a_meeting_on_its_last_day_is_still_upcoming(db, anonymous):
    MeetingFactory(title="Meeting ending today", starts_on=days(-2), ends_on=TODAY)
    MeetingFactory(title="Meeting that ended yesterday", starts_on=days(-1))
    page = anonymous.get("/en/programme/").content.decode()
    assert "Meeting ending today" in section(page, "upcoming-title")
    assert "Meeting that ended yesterday" in section(page, "past-title")


def test_a_draft_on_the_agenda_reads_only_as_a_new_initiative_on_its_theme_until_it_opens(
    draft, anonymous, django_capture_on_commit_callbacks
):
    upcoming = MeetingFactory(starts_on=days(5))
    AgendaItemFactory(meeting=upcoming, title="Presentation of the Ocean Pledge", initiative=draft)
    past = MeetingFactory(starts_on=days(-5))
    AgendaItemFactory(meeting=past, title="", initiative=draft, outcome=AgendaItem.Outcome.PRESENTED)
    page = anonymous.get("/en/programme/").content.decode()
    assert section(page, "upcoming-title").count("A new initiative on Oceans and seas") == 1
    assert "A new initiative on Oceans and seas" in section(page, "past-title")
    for secret in ("Ocean Pledge", "Confidential", "ocean-pledge", "Draft", "draft", f"/{draft.pk}/"):
        assert secret not in page, secret

    draft.status, draft.signing_opens_on = Initiative.Status.OPEN, TODAY
    with django_capture_on_commit_callbacks(execute=True):  # the stored page is stale once the change commits
        save_initiative(initiative=draft, changed=["status", "signing_opens_on"])
    page = anonymous.get("/en/programme/").content.decode()
    assert "A new initiative on" not in page
    assert '<a href="/en/initiatives/ocean-pledge/">Presentation of the Ocean Pledge</a>' in page
    assert '<a href="/en/initiatives/ocean-pledge/">Ocean Pledge of the Atlantic States</a>' in page


def test_a_draft_proposed_by_a_state_names_neither_its_title_nor_its_states(register, anonymous):
    lead = UserFactory()
    turn_on_mfa(lead)
    draft = coalitions.propose_draft(
        delegate=accredit(lead, "NOR"),
        language="en",
        title="Arctic Research Compact",
        summary="Secret summary.",
        commitment="Secret commitment.",
        theme=ThemeFactory(slug="polar", name="Polar regions"),
        kind="call",
        signing_opens_on=days(60),
        signing_closes_on=None,
    )
    assert draft.sponsorships.get().member_state == MemberState.objects.get(code="NOR")
    AgendaItemFactory(meeting=MeetingFactory(starts_on=days(5)), title="", initiative=draft)
    # The public page is the same for everyone, the delegates of the lead state included.
    for reader in (anonymous, sign_in(Client(), lead)):
        page = reader.get("/en/programme/").content.decode()
        assert "A new initiative on Polar regions" in page
        for secret in ("Arctic", "Secret", "Norway", draft.slug):
            assert secret not in page, secret


LANGUAGES = {"en": "ltr", "fr": "ltr", "es": "ltr", "ar": "rtl", "zh-hans": "ltr", "ru": "ltr"}


@pytest.mark.parametrize(("language", "direction"), LANGUAGES.items())
def test_the_programme_reads_in_each_of_the_six_languages(db, anonymous, language, direction):
    column = language.replace("-", "_")
    meeting = MeetingFactory(starts_on=days(3), title=f"Meeting in {language}", place="Geneva")
    setattr(meeting, f"title_{column}", f"Title [{language}]")
    setattr(meeting, f"place_{column}", f"Place [{language}]")
    meeting.save()
    page = anonymous.get(f"/{language}/programme/").content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert f"Title [{language}]" in page and f"Place [{language}]" in page
    assert f'href="/{language}/programme/meetings.ics"' in page


def test_the_programme_is_in_the_navigation_with_its_alternates_in_every_language(db, anonymous):
    page = anonymous.get("/en/programme/").content.decode()
    assert '<a href="/en/programme/" aria-current="page">Programme</a>' in page
    for code in LANGUAGES:
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver/{code}/programme/">' in page
    assert '<link rel="alternate" type="text/calendar" href="/en/programme/meetings.ics"' in page
    assert 'href="/en/programme/"' in anonymous.get("/en/").content.decode()  # from every page


def test_an_empty_programme_says_so(db, anonymous):
    page = anonymous.get("/en/programme/").content.decode()
    assert "No meeting is planned yet." in page
    assert "No meeting of the programme has taken place yet." in page


def test_typed_markup_is_shown_as_text(db, anonymous):
    meeting = MeetingFactory(title="<script>alert(1)</script>", place="<img src=x onerror=alert(1)>")
    AgendaItemFactory(meeting=meeting, title="<b>bold</b>")
    page = anonymous.get("/en/programme/").content.decode()
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(("meetings", "queries"), [(0, 1), (1, 2), (12, 2)])
def test_the_programme_takes_two_queries_whatever_its_length(
    register, anonymous, django_assert_num_queries, meetings, queries
):
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)
    published = list(Initiative.objects.published())
    for number in range(meetings):
        meeting = MeetingFactory(starts_on=days(number * 20 - 100))
        AgendaItemFactory(meeting=meeting, order=1, title="", initiative=draft, outcome="presented")
        AgendaItemFactory(meeting=meeting, order=2, title="", initiative=published[number % len(published)])
        AgendaItemFactory(meeting=meeting, order=3, outcome="presented")
    with django_assert_num_queries(queries):  # the meetings; their agendas with initiatives and themes
        response = anonymous.get("/en/programme/")
    assert response.content.decode().count('class="event"') == meetings


def test_the_page_is_kept_for_anonymous_readers_like_other_public_pages(db, anonymous):
    response = anonymous.get("/en/programme/")
    assert "public" in response["Cache-Control"]
    assert response["Vary"].count("Cookie") == 1


def test_the_events_page_and_the_programme_point_to_each_other(register, anonymous):
    events = anonymous.get("/en/events/").content.decode()
    assert 'are on the <a href="/en/programme/">programme of work</a>.' in events
    programme = anonymous.get("/en/programme/").content.decode()
    assert 'are on the <a href="/en/events/">events page</a>.' in programme
