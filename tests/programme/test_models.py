"""Invariants of the programme of work, enforced by the database itself, and its audit trail."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from initiatives.models import Initiative
from programme.models import AgendaItem, Meeting
from tests.factories import AgendaItemFactory, InitiativeFactory, MeetingFactory

DAY = datetime.date(2027, 3, 10)


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"ends_on": DAY - datetime.timedelta(days=1)}, "meeting_ends_after_it_starts"),
        ({"end_time": datetime.time(12)}, "meeting_end_time_needs_start_time"),
        ({"start_time": datetime.time(10)}, "meeting_time_has_time_zone"),
        (
            {"start_time": datetime.time(10), "end_time": datetime.time(9), "time_zone": "Europe/Paris"},
            "meeting_end_time_after_start_time",
        ),
        (
            {"start_time": datetime.time(10), "end_time": datetime.time(10), "time_zone": "UTC", "ends_on": DAY},
            "meeting_end_time_after_start_time",
        ),
        ({"kind": "dinner"}, "meeting_kind_known"),
        ({"title": "  "}, "meeting_has_a_title"),
        ({"place": ""}, "meeting_has_a_place"),
    ],
)
def test_the_database_refuses_a_meeting_that_cannot_be(db, values, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        MeetingFactory(starts_on=DAY, **values)
    assert Meeting.objects.count() == 0


def test_a_meeting_over_several_days_may_end_earlier_in_the_day_than_it_began(db):
    meeting = MeetingFactory(
        starts_on=DAY,
        ends_on=DAY + datetime.timedelta(days=1),
        start_time=datetime.time(15),
        end_time=datetime.time(13),
        time_zone="America/New_York",
    )
    assert meeting.starts_at() == datetime.datetime(2027, 3, 10, 20, tzinfo=datetime.UTC)
    assert meeting.ends_at() == datetime.datetime(2027, 3, 11, 18, tzinfo=datetime.UTC)
    assert meeting.utc_offset() == "UTC\u221205:00"


def test_a_time_zone_must_be_a_real_one(db):
    meeting = MeetingFactory.build(starts_on=DAY, start_time=datetime.time(10), time_zone="Europe/Atlantis")
    with pytest.raises(ValidationError, match="not a time zone name"):
        meeting.full_clean()


def test_two_agenda_items_cannot_share_a_place_in_the_order(db):
    item = AgendaItemFactory(order=1)
    duplicate = "one_agenda_item_per_place|UNIQUE constraint failed: programme_agendaitem.meeting_id"
    with pytest.raises(IntegrityError, match=duplicate), transaction.atomic():
        AgendaItemFactory(meeting=item.meeting, order=1)
    assert item.meeting.agenda_items.count() == 1


def test_an_initiative_is_on_an_agenda_once(db):
    initiative = InitiativeFactory()
    item = AgendaItemFactory(initiative=initiative, title="")
    duplicate = "initiative_once_per_agenda|UNIQUE constraint failed: programme_agendaitem.meeting_id"
    with pytest.raises(IntegrityError, match=duplicate), transaction.atomic():
        AgendaItemFactory(meeting=item.meeting, initiative=initiative, title="")
    AgendaItemFactory(initiative=initiative, title="")  # on another meeting's agenda, it may be again


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"order": 0}, "agenda_order_from_one"),
        ({"outcome": "adopted"}, "agenda_item_outcome_known"),
        ({"title": " "}, "agenda_item_has_a_subject"),
        ({"outcome": "launched"}, "only_an_initiative_is_launched"),
    ],
)
def test_the_database_refuses_an_agenda_item_that_cannot_be(db, values, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        AgendaItemFactory(**values)
    assert AgendaItem.objects.count() == 0


def test_an_outcome_waits_for_the_meeting_to_begin(db):
    item = AgendaItemFactory(meeting__starts_on=timezone.localdate() + datetime.timedelta(days=1))
    item.outcome = AgendaItem.Outcome.PRESENTED
    with pytest.raises(ValidationError, match="once the meeting has begun"):
        item.full_clean()
    item.meeting.starts_on = timezone.localdate()
    item.full_clean()


def test_a_draft_is_presented_but_not_launched(db):
    draft = InitiativeFactory(status=Initiative.Status.DRAFT)
    item = AgendaItemFactory(meeting__starts_on=DAY.replace(year=2020), initiative=draft, title="")
    item.outcome = AgendaItem.Outcome.LAUNCHED
    with pytest.raises(ValidationError, match="open it first"):
        item.full_clean()
    item.outcome = AgendaItem.Outcome.PRESENTED
    item.full_clean()


def test_every_change_to_a_meeting_and_its_agenda_is_in_the_audit_trail(db):
    meeting = Meeting.objects.get(pk=MeetingFactory(starts_on=DAY).pk)
    item = AgendaItemFactory(meeting=meeting)
    first_title = meeting.title
    meeting.title = "Ministerial meeting, new title"
    meeting.save()
    item_id = item.pk
    item.delete()
    assert [row.history_type for row in meeting.history.order_by("history_date")] == ["+", "~"]
    assert meeting.history.earliest("history_date").title_en == first_title
    assert meeting.history.latest("history_date").title_en == "Ministerial meeting, new title"
    assert [row.history_type for row in AgendaItem.history.filter(id=item_id).order_by("history_date")] == ["+", "-"]
