"""A correction to a recorded endorsement is its own action, with a reason: kept in the audit trail,
published on the corrections page and in the API, and held to the rules of any period."""

import datetime
from http import HTTPStatus

import pytest

from initiatives.endorsing import EndorsementRefused, correct_endorsement, record_endorsement, record_withdrawal
from initiatives.models import Correction, DatePrecision, Endorsement
from tests.factories import UserFactory

GUINEA = {"initiative__slug": "paris-call", "member_state__code": "GIN"}  # listed on 2019-11-19


def correct(row: Endorsement, **changes) -> Correction:
    values = {name: getattr(row, name) for name in ("endorsed_on", "date_precision", "source_url", "source_note")}
    return correct_endorsement(
        endorsement=row,
        corrected_by=UserFactory(is_staff=True),
        reason="The note verbale is dated 20 November.",
        **{
            **values,
            **changes,
        },
    )


def test_the_secretariat_corrects_a_date_through_the_admin_with_a_reason(superuser_client, anonymous):
    row = Endorsement.objects.get(**GUINEA)
    form = superuser_client.get(f"/en/admin/initiatives/endorsement/correct/?reference={row.reference}")
    assert 'value="2019-11-19"' in form.content.decode()  # opened with the values as they stand
    response = superuser_client.post(
        "/en/admin/initiatives/endorsement/correct/",
        {
            "reference": row.reference,
            "endorsed_on": "2019-11-20",
            "date_precision": "day",
            "source_url": row.source_url,
            "source_note": "Note verbale No. 45 of 20 November 2019",
            "reason": "The note verbale is dated 20 November.",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    row.refresh_from_db()
    assert row.endorsed_on == datetime.date(2019, 11, 20)
    assert row.history.earliest().endorsed_on == datetime.date(2019, 11, 19)  # the audit trail keeps the record
    page = anonymous.get("/fr/corrections/").content.decode()
    assert row.reference in page
    assert "<del>2019-11-19</del> → <ins>2019-11-20</ins>" in page
    assert "The note verbale is dated 20 November." in page
    item = anonymous.get("/api/v1/corrections").json()["items"][0]
    assert item["endorsement"] == row.reference
    assert item["changes"]["endorsed_on"] == ["2019-11-19", "2019-11-20"]
    assert item["reason"] == "The note verbale is dated 20 November."


def test_a_correction_needs_a_reason_and_a_change(register):
    row = Endorsement.objects.get(**GUINEA)
    with pytest.raises(EndorsementRefused, match="reason"):
        correct_endorsement(
            endorsement=row,
            corrected_by=UserFactory(is_staff=True),
            reason=" ",
            endorsed_on=row.endorsed_on,
            date_precision=DatePrecision(row.date_precision),
            source_url=row.source_url,
            source_note=row.source_note,
        )
    with pytest.raises(EndorsementRefused, match="nothing to correct"):
        correct(row)
    assert not Correction.objects.exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date.today() + datetime.timedelta(days=2), "in the future"),
        (datetime.date(2017, 1, 1), "not open for endorsement"),  # before the Paris Call's launch
    ],
)
def test_a_corrected_date_follows_the_rules_of_any_period(register, day, message):
    row = Endorsement.objects.get(**GUINEA)
    with pytest.raises(EndorsementRefused, match=message):
        correct(row, endorsed_on=day)
    row.refresh_from_db()
    assert row.endorsed_on == datetime.date(2019, 11, 19)
    assert not Correction.objects.exists()


def test_an_online_endorsement_is_never_corrected(persona):
    _user, client = persona("delegate_of_x")
    client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    row = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="FRA")
    with pytest.raises(EndorsementRefused, match="made online"):
        correct(row, endorsed_on=row.endorsed_on - datetime.timedelta(days=1))


def test_a_correction_cannot_make_two_periods_overlap(register):
    row = Endorsement.objects.get(**GUINEA)
    staff = UserFactory(is_staff=True)
    periods = {"initiative": row.initiative, "member_state": row.member_state, "recorded_by": staff}
    record_withdrawal(**periods, withdrawn_on=datetime.date(2020, 5, 1), reason="Note verbale of 1 May 2020")
    later = record_endorsement(
        **periods, endorsed_on=datetime.date(2021, 1, 1), source_note="Note verbale of 2021", announce=False
    )
    with pytest.raises(EndorsementRefused, match="periods cannot overlap"):
        correct(later, endorsed_on=datetime.date(2020, 3, 1))
    assert correct(later, endorsed_on=datetime.date(2020, 5, 1)).changes == {
        "endorsed_on": ["2021-01-01", "2020-05-01"]
    }
