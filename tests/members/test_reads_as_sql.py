"""The signing request's reads written as SQL (`alliance.rows`) answer what the ORM rules they
follow answer, with the same values, on SQLite and PostgreSQL."""

import datetime
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db.models import Model
from django.utils import timezone

from initiatives.endorsing import SIGNING_FIELDS, published_for_signing
from initiatives.models import Endorsement, Initiative
from members.accreditation import _read_active
from members.adapters import second_factors_read_once
from members.models import Accreditation, MemberState, User
from tests.conftest import accredit, turn_on_mfa

Status = Accreditation.Status
TOTP, WEBAUTHN = Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN


def values(instance: Model) -> dict[str, object]:
    """Every column's value as the instance holds it; fields not read are left out, as deferred."""
    deferred = instance.get_deferred_fields()
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred
    }


@pytest.mark.parametrize(
    ("status", "days_left", "acts"),
    [
        (Status.APPROVED, 30, True),
        (Status.APPROVED, 0, True),  # its last day
        (Status.APPROVED, -1, False),  # expired
        (Status.PENDING, None, False),
        (Status.REJECTED, None, False),
        (Status.REVOKED, 30, False),
        (Status.RENEWED, 30, False),
    ],
)
def test_the_acting_accreditation_read_follows_the_active_rule(register, status, days_left, acts):
    today = timezone.localdate()  # the day the read compares with
    other = User.objects.create_user(email="other.delegate@example.org", password=None)
    accredit(other, "DEU")  # another delegate's accreditation is never read as this user's
    user = User.objects.create_user(email="delegate@example.org", password=None)
    valid_until = None if days_left is None else today + datetime.timedelta(days=days_left)
    accredit(user, "FRA", status=status, valid_until=valid_until)
    MemberState.objects.filter(code="FRA").update(other_names=["République française"])  # a JSON column

    read = _read_active(user)
    expected = Accreditation.objects.active().select_related("member_state").filter(user=user).first()

    assert (read is not None) is acts
    assert (expected is not None) is acts
    if read is not None and expected is not None:
        assert values(read) == values(expected)
        assert values(read.member_state) == values(expected.member_state)
        assert read.member_state.other_names == ["République française"]
        assert read.member_state.name == "France"  # modeltranslation reads the active language's column


def test_a_pending_renewal_beside_an_approved_accreditation_leaves_the_approved_one_acting(register):
    user = User.objects.create_user(email="delegate@example.org", password=None)
    approved = accredit(user, "FRA", valid_until=timezone.localdate() + datetime.timedelta(days=10))
    Accreditation.objects.create(
        user=user,
        member_state=approved.member_state,
        position="Ambassador",
        evidence="evidence/renewal.pdf",
        evidence_type="application/pdf",
        status=Status.PENDING,
        renews=approved,
    )
    read = _read_active(user)
    assert read is not None
    assert read.pk == approved.pk == Accreditation.objects.active().get(user=user).pk


def test_the_second_factors_read_answers_each_kind_as_allauth_does(register):
    user = User.objects.create_user(email="delegate@example.org", password=None)

    def answers() -> tuple[bool, bool, bool]:
        return is_mfa_enabled(user), is_mfa_enabled(user, [TOTP]), is_mfa_enabled(user, [WEBAUTHN])

    with second_factors_read_once(user):
        assert answers() == (False, False, False)
    assert answers() == (False, False, False)  # allauth's own reads
    turn_on_mfa(user)
    with second_factors_read_once(user):
        assert answers() == (True, True, False)
    assert answers() == (True, True, False)


def test_the_signing_read_of_an_initiative_follows_the_published_rule(register):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    read = published_for_signing(initiative.slug)
    expected = Initiative.objects.published().only(*SIGNING_FIELDS).get(slug=initiative.slug)
    assert read is not None
    assert values(read) == values(expected)
    assert read.get_deferred_fields() == expected.get_deferred_fields()
    assert read.title_fr == initiative.title_fr  # a column not read is read when asked for, as with only()

    Initiative.objects.filter(pk=initiative.pk).update(status=Initiative.Status.DRAFT)
    assert published_for_signing(initiative.slug) is None
    assert not Initiative.objects.published().filter(slug=initiative.slug).exists()
    assert published_for_signing("no-such-initiative") is None


def test_a_delegate_cannot_endorse_a_draft_by_posting_to_its_address(persona):
    _user, client = persona("delegate_of_x")
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    Initiative.objects.filter(pk=initiative.pk).update(status=Initiative.Status.DRAFT)
    before = Endorsement.objects.count()
    response = client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Endorsement.objects.count() == before
