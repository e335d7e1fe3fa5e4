"""An initiative's lifecycle follows its dates: past its signing window it reads as closed on every
page, in the API and for delegates, by the one rule of `Initiative.objects.open_for_endorsement()`."""

import datetime
from http import HTTPStatus

import pytest

from initiatives.endorsing import EndorsementRefused, record_endorsement
from initiatives.models import Endorsement, Initiative
from members.models import MemberState
from tests.factories import UserFactory

SLUG = "gender-at-the-centre"


@pytest.fixture
def window_passed(register):
    """Still "open" in the database, but its signing window ended yesterday."""
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    Initiative.objects.filter(slug=SLUG).update(signing_closes_on=yesterday)
    return Initiative.objects.get(slug=SLUG)


def test_past_its_window_an_initiative_reads_as_closed_everywhere(window_passed, anonymous):
    card = anonymous.get("/en/initiatives/?status=closed").content.decode()
    assert f'href="/en/initiatives/{SLUG}/"' in card
    assert f'href="/en/initiatives/{SLUG}/"' not in anonymous.get("/en/initiatives/?status=open").content.decode()
    page = anonymous.get(f"/en/initiatives/{SLUG}/").content.decode()
    assert '<span class="tag tag--closed">Closed</span>' in page
    assert anonymous.get(f"/api/v1/initiatives/{SLUG}").json()["status"] == "closed"
    feed = anonymous.get("/en/feeds/initiatives/").content.decode()
    assert "Gender at the Centre" not in feed


def test_a_delegate_is_offered_no_button_the_register_would_refuse(window_passed, persona):
    _user, client = persona("delegate_of_x")
    page = client.get(f"/en/initiatives/{SLUG}/").content.decode()
    assert f"/en/initiatives/{SLUG}/endorse/" not in page
    assert f"/en/initiatives/{SLUG}/endorse/" not in client.get("/en/delegate/").content.decode()
    response = client.post(f"/en/initiatives/{SLUG}/endorse/", {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.CONFLICT
    assert not Endorsement.objects.filter(initiative__slug=SLUG).exists()


def test_an_open_initiative_offers_the_button_and_reads_open(register, persona):
    _user, client = persona("delegate_of_x")
    page = client.get(f"/en/initiatives/{SLUG}/").content.decode()
    assert f'href="/en/initiatives/{SLUG}/endorse/"' in page
    assert '<span class="tag tag--open">Open for endorsement</span>' in page


def test_an_initiative_whose_window_has_not_begun_says_so(register, anonymous):
    Initiative.objects.filter(slug=SLUG).update(signing_opens_on=datetime.date.today() + datetime.timedelta(days=3))
    page = anonymous.get(f"/en/initiatives/{SLUG}/").content.decode()
    assert "Not yet open for endorsement" in page
    assert anonymous.get(f"/api/v1/initiatives/{SLUG}").json()["status"] == "upcoming"


def test_a_back_dated_record_follows_the_window_as_it_was_on_that_day(window_passed):
    Initiative.objects.filter(slug=SLUG).update(status=Initiative.Status.CLOSED)
    initiative = Initiative.objects.get(slug=SLUG)
    staff = UserFactory(is_staff=True)
    during = initiative.signing_opens_on + datetime.timedelta(days=30)
    row = record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=during,
        recorded_by=staff,
        source_note="Note verbale No. 7 of the Permanent Mission of Norway",
        announce=False,
    )
    assert row.endorsed_on == during
    with pytest.raises(EndorsementRefused, match="On that date the initiative was not open"):
        record_endorsement(
            initiative=initiative,
            member_state=MemberState.objects.get(code="CHL"),
            endorsed_on=initiative.signing_opens_on - datetime.timedelta(days=1),
            recorded_by=staff,
            source_note="Before the opening",
            announce=False,
        )


@pytest.mark.parametrize("status", list(Initiative.Status))
@pytest.mark.parametrize("closes", [None, datetime.date(2020, 6, 30)])
def test_the_signing_request_reads_the_open_rule_from_its_row_as_the_database_does(register, status, closes):
    """Endorsing checks the window on the initiative it has read, without asking the database again."""
    Initiative.objects.filter(slug=SLUG).update(
        status=status, signing_opens_on=datetime.date(2020, 1, 1), signing_closes_on=closes
    )
    initiative = Initiative.objects.get(slug=SLUG)
    days = [datetime.date(2019, 12, 31), datetime.date(2020, 1, 1), datetime.date(2020, 6, 30)]
    for day in [*days, datetime.date(2020, 7, 1), datetime.date.today()]:
        in_database = Initiative.objects.open_for_endorsement(day).filter(pk=initiative.pk).exists()
        assert initiative.is_open_for_endorsement(day) is in_database, (status, closes, day)
