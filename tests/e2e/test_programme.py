"""A secretariat editor puts a meeting on the programme of work in the admin, with an open initiative
on its agenda; a reader finds it on the programme page and imports its iCalendar feed."""

import datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import Browser, Page, expect

from initiatives.models import Initiative
from programme.models import Meeting
from tests.e2e.steps import PASSWORD, current_totp, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_an_editor_plans_a_meeting_and_a_reader_imports_it_into_a_calendar(live_register, page: Page, browser: Browser):
    base = live_register.url
    day = datetime.date.today() + datetime.timedelta(days=45)
    paris_call = Initiative.objects.get(slug="paris-call")
    editor = UserFactory(email="editor@secretariat.example", password=PASSWORD, is_staff=True)
    # The browser tests empty every table, the groups that migrations made included: the editors'
    # group is made again with the permissions programme/migrations/0002 gives it.
    editors, _created = Group.objects.get_or_create(name="Secretariat editors")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="programme"))
    editor.groups.add(editors)
    EmailAddress.objects.create(user=editor, email=editor.email, primary=True, verified=True)
    secret = generate_totp_secret()
    TOTP.activate(editor, secret)
    sign_in(page, base, editor.email, PASSWORD)
    page.get_by_label("Code").fill(current_totp(secret))
    page.get_by_role("button", name="Sign In").click()

    page.goto(f"{base}/en/admin/programme/meeting/add/")
    page.locator("#id_kind").select_option("ministerial")
    page.locator("#id_title_en").fill("Ministerial meeting of the Alliance")
    page.locator("#id_place_en").fill("New York, UN Headquarters")
    page.locator("#id_starts_on").fill(day.isoformat())
    page.locator("#id_start_time").fill("10:00")
    page.locator("#id_end_time").fill("13:00")
    page.locator("#id_time_zone").select_option("America/New_York")
    page.locator("#id_agenda_items-0-order").fill("1")
    page.locator("#id_agenda_items-0-initiative").select_option(str(paris_call.pk))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    meeting = Meeting.objects.get()
    assert meeting.history.get().history_user == editor

    reader = browser.new_page()  # no session: the public page, as the shared cache keeps it
    reader.goto(f"{base}/en/programme/")
    upcoming = reader.get_by_role("region", name="Upcoming meetings")
    expect(upcoming.get_by_role("heading", name="Ministerial meeting of the Alliance")).to_be_visible()
    upcoming.get_by_role("link", name=paris_call.title).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(paris_call.title)

    reader.go_back()
    feed_url = reader.get_by_role("link", name="Add these meetings to your calendar (iCalendar)").get_attribute("href")
    response = reader.request.get(f"{base}{feed_url}")
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    [event] = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")
    assert str(event["summary"]) == "Ministerial meeting of the Alliance"
    assert event.decoded("dtstart") == datetime.datetime.combine(day, datetime.time(10), ZoneInfo("America/New_York"))
    assert paris_call.title in str(event["description"])
    assert str(event["url"]) == f"{base}/en/programme/#meeting-{meeting.pk}"
    reader.close()
