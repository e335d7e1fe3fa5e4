"""Public pages load in a fixed number of queries, whatever the number of endorsements."""

import itertools
import string

import pytest

from initiatives import publishing
from initiatives.models import Correction, Event
from members.models import MemberState
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory, UserFactory

PAGES = {
    "/en/": 3,
    "/en/initiatives/": 2,
    "/en/initiatives/counted/": 5,
    "/en/initiatives/counted/?as_of=2020-06-30": 5,
    "/en/states/qaa/?as_of=2020-06-30": 4,
    "/en/embed/initiatives/counted/": 1,
    "/en/feeds/endorsements/": 2,
    "/en/feeds/initiatives/counted/": 3,
    "/api/v1/initiatives": 3,
    "/api/v1/initiatives/counted": 3,
    "/api/v1/states": 2,
    "/api/v1/states/qaa": 2,
    "/api/v1/endorsements?initiative=counted": 3,  # one to check the initiative exists
    "/api/v1/endorsements.csv?initiative=counted&as_of=2020-06-30": 2,
    "/en/states/": 1,
    "/fr/states/?q=qa&group=african": 1,
    "/en/states/qaa/": 4,
    "/en/events/": 3,
    "/en/about/": 0,
    "/en/corrections/": 1,
    "/api/v1/corrections": 2,
    # The initiatives, the endorsements in force, the states (members.directory).
    "/en/matrix/": 3,
    "/ar/matrix/?as_of=2020-06-30&group=african": 3,
    "/api/v1/matrix.csv?as_of=2020-06-30": 3,
    # The initiatives (for the matrix's columns), their sources and the endorsements'.
    "/api/v1/datapackage.json": 3,
    "/en/data/": 2,  # the sources: the initiatives', the endorsements'
    # And each file's: the initiatives and their lead states, the states, the endorsements, the matrix.
    "/api/v1/datapackage.zip?as_of=2020-06-30": 9,
}


@pytest.fixture
def counted(db):
    initiative = InitiativeFactory(slug="counted")
    codes = [f"Q{a}{b}" for a, b in itertools.product(string.ascii_uppercase, repeat=2)][:193]
    states = [MemberStateFactory(code=code) for code in codes]
    event = Event.objects.create(slug="meeting", date="2019-09-26", place="New York", title="Meeting")
    event.co_chairs.set(states[:7])
    event.initiatives.add(initiative)
    initiative.lead_states.set(states[:2])
    return initiative, states


@pytest.mark.parametrize(("path", "queries"), PAGES.items())
@pytest.mark.parametrize("endorsements", [0, 193])
def test_public_pages_take_the_same_queries_at_0_and_193_endorsements(
    counted, anonymous, django_assert_num_queries, path, queries, endorsements
):
    initiative, states = counted
    staff = UserFactory(is_staff=True)
    for state in states[:endorsements]:
        row = EndorsementFactory(initiative=initiative, member_state=state)
        Correction.objects.create(
            endorsement=row, changes={"source_note": ["", "Note"]}, reason="Typo.", corrected_by=staff
        )
    assert MemberState.objects.get(code="QAA").endorsements.count() == (1 if endorsements else 0)
    with django_assert_num_queries(queries):
        response = anonymous.get(path)
    assert response.status_code == 200


def test_between_changes_the_page_reads_only_the_initiative(
    counted, anonymous, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The parts that read the endorsements and the states are cached by the register's version
    (alliance.caching): a reader the page cache does not answer (a query string, a signed-in
    reader) costs the initiative, its lead states and its figures; a change makes all five again."""
    initiative, states = counted
    for state in states:
        EndorsementFactory(initiative=initiative, member_state=state)
    anonymous.get("/en/initiatives/counted/")
    with django_assert_num_queries(3):
        anonymous.get("/en/initiatives/counted/?ref=newsletter")
    with django_capture_on_commit_callbacks(execute=True):
        publishing.save_initiative(initiative=initiative, changed=["title_en"])
    with django_assert_num_queries(5):
        anonymous.get("/en/initiatives/counted/?ref=newsletter")
