""" "Status as at a date" agrees across the API, the CSV and the pages, on both sides of each change."""

import csv
import datetime
import io
import re

import pytest

from initiatives.models import Endorsement
from members.models import MemberState
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory

D = datetime.date


@pytest.fixture
def history(db):
    """Northland endorses, withdraws, endorses again; Southland endorses once and stays."""
    initiative = InitiativeFactory(slug="history", signing_opens_on=D(2019, 1, 1), launched_on=D(2019, 1, 1))
    norway = MemberStateFactory(
        code="QNA", name="Northland", regional_group=MemberState.RegionalGroup.WESTERN_EUROPEAN_OTHERS
    )
    chile = MemberStateFactory(
        code="QCA", name="Southland", regional_group=MemberState.RegionalGroup.LATIN_AMERICAN_CARIBBEAN
    )
    EndorsementFactory(
        initiative=initiative,
        member_state=norway,
        endorsed_on=D(2020, 1, 10),
        withdrawn_on=D(2020, 6, 1),
        withdrawal_reason="Review.",
    )
    EndorsementFactory(initiative=initiative, member_state=norway, endorsed_on=D(2021, 3, 1))
    EndorsementFactory(initiative=initiative, member_state=chile, endorsed_on=D(2020, 3, 5))
    return initiative


EXPECTED = {
    "2020-01-09": set(),
    "2020-01-10": {"QNA"},
    "2020-03-05": {"QNA", "QCA"},
    "2020-05-31": {"QNA", "QCA"},
    "2020-06-01": {"QCA"},
    "2021-02-28": {"QCA"},
    "2021-03-01": {"QNA", "QCA"},
}


@pytest.mark.parametrize(("day", "states"), EXPECTED.items())
def test_api_csv_and_pages_agree_on_the_register_as_it_stood(history, anonymous, day, states):
    api = anonymous.get("/api/v1/endorsements", {"initiative": "history", "as_of": day}).json()
    assert {item["state"] for item in api["items"]} == states
    assert all(item["withdrawn_on"] is None for item in api["items"])  # none was withdrawn yet, as it stood

    rows = csv.DictReader(
        io.StringIO(anonymous.get("/api/v1/initiatives/history.csv", {"as_of": day}).content.decode())
    )
    assert {row["state"] for row in rows} == states

    detail = anonymous.get("/api/v1/initiatives/history", {"as_of": day}).json()
    assert detail["endorsing_states"] == len(states)

    page = anonymous.get("/en/initiatives/history/", {"as_of": day}).content.decode()
    assert re.search(r"Recorded endorsements</dt><dd>(\d+)</dd>", page).group(1) == str(len(states))
    for code, name in [("QNA", "Northland"), ("QCA", "Southland")]:
        listed = (
            f'<th scope="row"><a href="/en/states/{code.lower()}/">{name}</a></th>'
            in page.split("Withdrawn endorsements")[0]
        )
        assert listed is (code in states)

    for code in ("QNA", "QCA"):
        state = anonymous.get(f"/api/v1/states/{code.lower()}", {"as_of": day}).json()
        assert state["endorsed_initiatives"] == (1 if code in states else 0)
        state_page = anonymous.get(f"/en/states/{code.lower()}/", {"as_of": day}).content.decode()
        endorsed_section = state_page.split('id="endorsed-title"')[1].split("</section>")[0]
        assert ("/en/initiatives/history/" in endorsed_section) is (code in states)


def test_the_page_says_which_date_it_shows_and_explains_a_bad_date(history, anonymous):
    page = anonymous.get("/en/initiatives/history/", {"as_of": "2020-06-01"}).content.decode()
    assert "Status as at the end of 1 June 2020." in page
    bad = anonymous.get("/en/initiatives/history/", {"as_of": "2020-02-31"})
    assert bad.status_code == 200
    assert "Enter a valid date." in bad.content.decode()


def test_without_a_date_the_endorsements_list_holds_every_period(history, anonymous):
    items = anonymous.get("/api/v1/endorsements", {"initiative": "history"}).json()["items"]
    assert sorted((item["state"], item["endorsed_on"], item["withdrawn_on"]) for item in items) == [
        ("QCA", "2020-03-05", None),
        ("QNA", "2020-01-10", "2020-06-01"),
        ("QNA", "2021-03-01", None),
    ]
    assert Endorsement.objects.filter(initiative__slug="history").in_force().count() == 2
