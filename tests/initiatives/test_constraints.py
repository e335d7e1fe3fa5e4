"""Invariants of the register, enforced by the database itself."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from initiatives.models import Endorsement
from members.models import MemberState
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory


@pytest.fixture
def endorsement(db) -> Endorsement:
    return EndorsementFactory(member_state=MemberStateFactory(code="FRA"))


def test_a_state_cannot_hold_two_open_endorsements_of_one_initiative(endorsement):
    # PostgreSQL names the constraint; SQLite names its columns.
    duplicate = "one_open_endorsement_per_state|UNIQUE constraint failed: initiatives_endorsement.initiative_id"
    with pytest.raises(IntegrityError, match=duplicate), transaction.atomic():
        EndorsementFactory(initiative=endorsement.initiative, member_state=endorsement.member_state)
    assert Endorsement.objects.filter(initiative=endorsement.initiative).count() == 1


def test_after_a_withdrawal_the_state_can_endorse_again_in_a_new_period(endorsement):
    endorsement.withdrawn_on, endorsement.withdrawn_at = datetime.date(2021, 1, 1), timezone.now()
    endorsement.save(update_fields=["withdrawn_on", "withdrawn_at"])
    EndorsementFactory(
        initiative=endorsement.initiative, member_state=endorsement.member_state, endorsed_on=datetime.date(2022, 1, 1)
    )
    periods = Endorsement.objects.filter(initiative=endorsement.initiative, member_state=endorsement.member_state)
    assert periods.count() == 2
    assert periods.in_force().count() == 1


def test_a_withdrawal_cannot_precede_its_endorsement(endorsement):
    endorsement.withdrawn_on = endorsement.endorsed_on - datetime.timedelta(days=1)
    endorsement.withdrawn_at = timezone.now()
    with pytest.raises(IntegrityError, match="withdrawal_not_before_endorsement"), transaction.atomic():
        endorsement.save(update_fields=["withdrawn_on", "withdrawn_at"])
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_on is None


@pytest.mark.parametrize("code", ["fra", "FR", "F1A", "Fra"])
def test_state_codes_are_upper_case_alpha_3(db, code):
    with pytest.raises(IntegrityError, match="state_code_upper_alpha3"), transaction.atomic():
        MemberState.objects.create(code=code, name="Somewhere", regional_group="african")
    assert not MemberState.objects.filter(code=code).exists()


def test_a_un_member_belongs_to_a_regional_group(db):
    with pytest.raises(IntegrityError, match="un_member_has_regional_group"), transaction.atomic():
        MemberState.objects.create(code="ABC", name="Somewhere", kind=MemberState.Kind.UN_MEMBER)


def test_an_open_initiative_needs_a_signing_window(db):
    with pytest.raises(IntegrityError, match="open_initiative_has_signing_window"), transaction.atomic():
        InitiativeFactory(signing_opens_on=None)


def test_status_as_at_a_date_counts_rows_in_force_at_the_end_of_that_day(endorsement):
    endorsement.withdrawn_on, endorsement.withdrawn_at = datetime.date(2021, 6, 30), timezone.now()
    endorsement.save(update_fields=["withdrawn_on", "withdrawn_at"])
    register = Endorsement.objects.filter(initiative=endorsement.initiative)
    assert register.in_force_on(datetime.date(2020, 1, 14)).count() == 0
    assert register.in_force_on(datetime.date(2020, 1, 15)).count() == 1
    assert register.in_force_on(datetime.date(2021, 6, 29)).count() == 1
    assert register.in_force_on(datetime.date(2021, 6, 30)).count() == 0


def test_a_withdrawal_is_recorded_with_when_the_register_learned_it(endorsement):
    endorsement.withdrawn_on = datetime.date(2021, 1, 1)
    with pytest.raises(IntegrityError, match="withdrawal_has_its_recording_time"), transaction.atomic():
        endorsement.save(update_fields=["withdrawn_on"])
