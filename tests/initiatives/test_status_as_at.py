""" "Status as at D" is one read (`Endorsement.objects.as_at`): for every day of a timeline with an
endorsement, a withdrawal and a re-endorsement, every view of the register gives the same states."""

import csv
import datetime
import io
import zipfile

import pytest

from initiatives.endorsing import record_endorsement, record_withdrawal
from initiatives.models import Initiative
from members.models import MemberState
from tests.factories import UserFactory

SLUG = "gender-at-the-centre"  # no endorsement in the reference data


@pytest.fixture
def timeline(register):
    """Norway endorses on D1, withdraws on D2 and endorses again on D3; Chile endorses on D2."""
    initiative = Initiative.objects.get(slug=SLUG)
    staff = UserFactory(is_staff=True)
    d1 = initiative.signing_opens_on + datetime.timedelta(days=10)
    d2, d3 = d1 + datetime.timedelta(days=100), d1 + datetime.timedelta(days=200)
    norway, chile = MemberState.objects.get(code="NOR"), MemberState.objects.get(code="CHL")
    record = {
        "initiative": initiative,
        "recorded_by": staff,
        "source_url": "https://example.org/note",
        "announce": False,
    }
    record_endorsement(member_state=norway, endorsed_on=d1, **record)
    record_withdrawal(initiative=initiative, member_state=norway, withdrawn_on=d2, recorded_by=staff, reason="Review.")
    record_endorsement(member_state=chile, endorsed_on=d2, **record)
    record_endorsement(member_state=norway, endorsed_on=d3, **record)
    day = datetime.timedelta(days=1)
    return {
        d1 - day: set(),
        d1: {"NOR"},
        d1 + 50 * day: {"NOR"},
        d2: {"CHL"},  # the withdrawal takes effect on its day
        d2 + 50 * day: {"CHL"},
        d3: {"CHL", "NOR"},
        d3 + 50 * day: {"CHL", "NOR"},
    }


def initiative_page(client, day):
    register = client.get(f"/en/initiatives/{SLUG}/?as_of={day}").context["register"]
    codes = {row.member_state.code for _value, _label, rows in register.by_region for row in rows}
    assert len(register.in_force) == len(codes) == register.coverage.endorsing
    return codes


def state_pages(client, day):
    codes = set()
    for code in ("nor", "chl"):
        context = client.get(f"/en/states/{code}/?as_of={day}").context
        if any(row.initiative.slug == SLUG for row in context["in_force"]):
            codes.add(code.upper())
    return codes


def api(client, day):
    rows = client.get(f"/api/v1/endorsements?initiative={SLUG}&as_of={day}").json()["items"]
    detail = client.get(f"/api/v1/initiatives/{SLUG}?as_of={day}").json()
    codes = {row["state"] for row in rows}
    assert detail["endorsing_states"] == len(codes)
    for code in ("nor", "chl"):
        state = client.get(f"/api/v1/states/{code}?as_of={day}").json()
        assert (code.upper() in codes) is any(row["initiative"] == SLUG for row in state["endorsements"])
    return codes


def csv_file(client, day):
    content = client.get(f"/api/v1/initiatives/{SLUG}.csv?as_of={day}").content.decode()
    return {row["state"] for row in csv.DictReader(io.StringIO(content))}


def matrix_page(client, day):
    context = client.get(f"/en/matrix/?as_of={day}").context
    column = [initiative.slug for initiative in context["matrix"].initiatives].index(SLUG)
    return {row.state.code for row in context["matrix"].rows if row.endorsed_since[column] is not None}


def matrix_csv(client, day):
    content = client.get(f"/api/v1/matrix.csv?as_of={day}").content.decode()
    return {row["state"] for row in csv.DictReader(io.StringIO(content)) if row[SLUG]}


def coverage_api(client, day):
    """The coverage counts UN member states only: Norway and Chile are."""
    items = client.get(f"/api/v1/coverage?as_of={day}").json()["items"]
    found = next(item for item in items if item["initiative"] == SLUG)
    codes = api(client, day)
    assert found["endorsing"] == len(codes)
    by_group = {group["group"]: group["endorsing"] for group in found["groups"]}
    assert by_group["western_european_others"] == ("NOR" in codes)
    assert by_group["latin_american_caribbean"] == ("CHL" in codes)
    return codes


def data_package(client, day):
    """The zip's endorsements and matrix files agree with each other, and give the states."""
    content = client.get(f"/api/v1/datapackage.zip?as_of={day}").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        endorsements = csv.DictReader(io.StringIO(archive.read("endorsements.csv").decode()))
        matrix = csv.DictReader(io.StringIO(archive.read("matrix.csv").decode()))
        listed = {row["state"] for row in endorsements if row["initiative"] == SLUG and not row["withdrawn_on"]}
        assert listed == {row["state"] for row in matrix if row[SLUG]}
    return listed


@pytest.mark.parametrize(
    "read", [initiative_page, state_pages, api, csv_file, matrix_page, matrix_csv, coverage_api, data_package]
)
def test_every_view_gives_the_same_states_for_every_day(timeline, anonymous, read):
    assert {str(day): read(anonymous, day) for day in timeline} == {str(day): codes for day, codes in timeline.items()}


def test_a_withdrawal_after_the_day_is_not_shown_as_at_that_day(timeline, anonymous):
    before_withdrawal = sorted(timeline)[2]  # d1 + 50 days
    page = anonymous.get(f"/en/states/nor/?as_of={before_withdrawal}").content.decode()
    assert "Review." not in page
    withdrawal = sorted(timeline)[3]
    assert f'datetime="{withdrawal}"' not in page
    rows = anonymous.get(f"/api/v1/states/nor?as_of={before_withdrawal}").json()["endorsements"]
    assert [(row["withdrawn_on"], row["withdrawal_reason"]) for row in rows if row["initiative"] == SLUG] == [
        (None, "")
    ]
    # The page's timeline and map do not know of later changes either.
    register = anonymous.get(f"/en/initiatives/{SLUG}/?as_of={before_withdrawal}").context["register"]
    assert register.withdrawn == []
    assert "withdrawn" not in str(register.world_map)


def test_today_every_period_is_listed_with_its_withdrawal(timeline, anonymous):
    page = anonymous.get("/en/states/nor/").content.decode()
    assert f'datetime="{sorted(timeline)[3]}"' in page  # the withdrawal of the first period
