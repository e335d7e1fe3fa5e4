"""Separation of duties: what an insider tries, with every role, changes nothing it may not.

Each escalation of issue "Trust" is tried as it was reproduced: self-promotion, granting the
admins' group or permissions, setting a password, removing a second factor to take over an
account, approving one's own accreditation, staff holding an accreditation, evidence without a
second factor.
"""

import datetime
from http import HTTPStatus

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.test import Client

from initiatives.models import Endorsement, Initiative
from members import accreditation
from members.models import Accreditation, User
from tests.conftest import accredit, deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory

A_YEAR_AHEAD = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()

EDITORS = "Secretariat editors"
ADMINS = "Secretariat admins"


@pytest.fixture
def staff(register):
    """A signed-in staff member with a second factor: a secretariat editor, admin or a superuser."""

    def build(role: str, email: str | None = None) -> tuple[User, Client]:
        user = UserFactory(
            email=email or f"{role}@secretariat.example", is_staff=True, is_superuser=role == "superuser"
        )
        turn_on_mfa(user)
        if role in ("editor", "admin"):
            user.groups.add(Group.objects.get(name=EDITORS if role == "editor" else ADMINS))
        return user, sign_in(Client(), user)

    return build


def change_form(user: User, **changes) -> dict:
    """The fields the admin's account form posts, as stored, with `changes`."""
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
    }
    return {key: value for key, value in {**data, **changes}.items() if value not in ("", None)}


def roles_of(user: User) -> tuple[bool, bool, set[str], int]:
    user = User.objects.get(pk=user.pk)
    return (
        user.is_staff,
        user.is_superuser,
        set(user.groups.values_list("name", flat=True)),
        user.user_permissions.count(),
    )


def test_a_secretariat_admin_cannot_make_themselves_superuser(staff):
    user, client = staff("admin")
    before = roles_of(user)
    url = f"/en/admin/members/user/{user.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    admins_and_all = [group.pk for group in Group.objects.all()]
    client.post(url, change_form(user, is_superuser="on", groups=admins_and_all, user_permissions=[1, 2, 3]))
    assert roles_of(user) == before


def test_a_secretariat_admin_cannot_grant_superuser_the_admins_group_or_permissions_to_anyone(staff):
    _admin, client = staff("admin")
    colleague = UserFactory(email="colleague@secretariat.example", is_staff=True)
    url = f"/en/admin/members/user/{colleague.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert ADMINS not in page and EDITORS in page  # the only group offered
    admins = Group.objects.get(name=ADMINS)
    permission = Permission.objects.get(codename="change_user")
    response = client.post(
        url, change_form(colleague, is_superuser="on", groups=[admins.pk], user_permissions=[permission.pk])
    )
    assert response.status_code == HTTPStatus.OK  # the form again, with the refusal
    assert "Select a valid choice" in response.content.decode()
    assert roles_of(colleague) == (True, False, set(), 0)


def test_a_secretariat_admin_adds_a_colleague_to_the_editors_and_removes_them(staff):
    _admin, client = staff("admin")
    colleague = UserFactory(email="colleague@secretariat.example", is_staff=True)
    editors = Group.objects.get(name=EDITORS)
    url = f"/en/admin/members/user/{colleague.pk}/change/"
    assert client.post(url, change_form(colleague, groups=[editors.pk])).status_code == HTTPStatus.FOUND
    assert roles_of(colleague) == (True, False, {EDITORS}, 0)
    assert client.post(url, change_form(colleague, groups=[])).status_code == HTTPStatus.FOUND
    assert roles_of(colleague) == (True, False, set(), 0)


def test_a_secretariat_admin_cannot_change_a_superusers_or_another_admins_account(staff):
    _admin, client = staff("admin")
    other_admin, _ = staff("admin", email="other.admin@secretariat.example")
    superuser, _ = staff("superuser")
    for target in (other_admin, superuser):
        before = roles_of(target)
        response = client.post(
            f"/en/admin/members/user/{target.pk}/change/", change_form(target, is_active="", groups=[])
        )
        assert response.status_code == HTTPStatus.FORBIDDEN
        target.refresh_from_db()
        assert target.is_active is True
        assert roles_of(target) == before


def test_a_superuser_grants_the_admins_group_and_superuser_status(staff):
    _superuser, client = staff("superuser")
    colleague = UserFactory(email="colleague@secretariat.example", is_staff=True)
    admins = Group.objects.get(name=ADMINS)
    response = client.post(
        f"/en/admin/members/user/{colleague.pk}/change/", change_form(colleague, groups=[admins.pk], is_superuser="on")
    )
    assert response.status_code == HTTPStatus.FOUND
    assert roles_of(colleague) == (True, True, {ADMINS}, 0)


@pytest.mark.parametrize("role", ["admin", "superuser"])
def test_nobody_sets_another_users_password(staff, persona, role):
    _user, client = staff(role)
    delegate, _ = persona("delegate_of_x")
    url = f"/en/admin/members/user/{delegate.pk}/password/"
    assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    client.post(url, {"password1": "a new password 123", "password2": "a new password 123"})
    delegate.refresh_from_db()
    assert delegate.check_password("correct horse battery staple") is True
    assert "password/" not in client.get(f"/en/admin/members/user/{delegate.pk}/change/").content.decode()


def test_staff_send_a_link_to_choose_a_password_in_the_persons_language(staff, persona):
    _admin, client = staff("admin")
    delegate, _ = persona("delegate_of_x")
    User.objects.filter(pk=delegate.pk).update(language="fr")
    response = client.post(
        "/en/admin/members/user/", {"action": "send_password_links", "_selected_action": [delegate.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    deliver()
    assert [message.to for message in mail.outbox] == [[delegate.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    assert "mot de passe" in mail.outbox[0].subject.lower()
    delegate.refresh_from_db()
    assert delegate.check_password("correct horse battery staple") is True  # unchanged until they choose


def test_an_account_added_by_staff_has_no_password_and_its_owner_is_sent_a_link(
    staff, django_capture_on_commit_callbacks
):
    _admin, client = staff("admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/admin/members/user/add/", {"email": "new.editor@secretariat.example"})
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="new.editor@secretariat.example")
    assert user.has_usable_password() is False
    deliver()
    assert [message.to for message in mail.outbox] == [["new.editor@secretariat.example"]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_removing_a_second_factor_signs_the_person_out_tells_them_and_is_in_the_history(
    staff, persona, django_capture_on_commit_callbacks
):
    _admin, client = staff("admin")
    delegate, delegate_client = persona("delegate_of_x")
    User.objects.filter(pk=delegate.pk).update(language="es")
    delegate_client.get("/en/delegate/")  # the session is listed (allauth's user sessions)
    assert UserSession.objects.filter(user=delegate).exists()
    factor = Authenticator.objects.get(user=delegate, type=Authenticator.Type.TOTP)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/admin/mfa/authenticator/{factor.pk}/delete/", {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert not Authenticator.objects.filter(pk=factor.pk).exists()
    assert not UserSession.objects.filter(user=delegate).exists()
    assert delegate_client.get("/en/delegate/")["Location"].startswith("/en/accounts/login/")  # signed out
    deliver()
    assert [message.to for message in mail.outbox] == [[delegate.email]]
    assert "Se ha eliminado un segundo factor" in mail.outbox[0].subject
    assert LogEntry.objects.filter(object_id=str(factor.pk), action_flag=DELETION).exists()


def test_staff_cannot_request_an_accreditation(staff):
    _admin, client = staff("admin")
    from tests.members.test_accreditation import upload

    response = client.post(
        "/en/delegate/accreditation/", {"member_state": "USA", "position": "Envoy", "evidence": upload()}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Accreditation.objects.exists()
    assert "Secretariat staff cannot act for a state." in client.get("/en/delegate/").content.decode()


def test_nobody_approves_their_own_accreditation(staff):
    """An admin who requested an accreditation before joining the staff, then tried to approve it."""
    admin, client = staff("admin")
    request = accredit(admin, "USA", status=Accreditation.Status.PENDING)
    client.post(
        "/en/admin/members/accreditation/",
        {
            "action": "approve_selected",
            "_selected_action": [request.pk],
            "confirmed": "yes",
            "valid_until": A_YEAR_AHEAD,
        },
    )
    request.refresh_from_db()
    assert request.status == Accreditation.Status.PENDING
    with pytest.raises(accreditation.AccreditationRefused, match="Nobody decides on their own accreditation"):
        accreditation.reject(accreditation=request, decided_by=admin, reason="Mine.")


def test_a_staff_members_request_made_before_they_joined_is_never_approved(staff):
    admin, _client = staff("admin")
    _superuser, client = staff("superuser")
    request = accredit(admin, "USA", status=Accreditation.Status.PENDING)
    client.post(
        "/en/admin/members/accreditation/",
        {
            "action": "approve_selected",
            "_selected_action": [request.pk],
            "confirmed": "yes",
            "valid_until": A_YEAR_AHEAD,
        },
    )
    request.refresh_from_db()
    assert request.status == Accreditation.Status.PENDING


def test_a_staff_member_with_an_old_accreditation_cannot_act_for_the_state(persona):
    user, client = persona("delegate_of_x")
    User.objects.filter(pk=user.pk).update(is_staff=True)
    page = client.get("/en/initiatives/gender-at-the-centre/").content.decode()
    assert "/en/initiatives/gender-at-the-centre/endorse/" not in page  # no button the register would refuse
    response = client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Secretariat staff cannot act for a state." in response.content.decode()


def test_a_delegate_is_not_made_staff_while_accredited(staff, persona):
    _superuser, client = staff("superuser")
    delegate, _ = persona("delegate_of_x")
    response = client.post(f"/en/admin/members/user/{delegate.pk}/change/", change_form(delegate, is_staff="on"))
    assert response.status_code == HTTPStatus.OK
    assert "holds an accreditation to act for a state" in response.content.decode()
    delegate.refresh_from_db()
    assert delegate.is_staff is False


def test_a_states_other_delegates_are_told_of_a_new_delegate_in_their_language(
    staff, persona, django_capture_on_commit_callbacks
):
    admin, _client = staff("admin")
    first, _ = persona("delegate_of_x")
    User.objects.filter(pk=first.pk).update(language="fr")
    newcomer = UserFactory(email="newcomer@mission.example")
    request = accredit(newcomer, "FRA", status=Accreditation.Status.PENDING)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accreditation.approve(accreditation=request, decided_by=admin)
    deliver()
    told = {message.to[0]: message for message in mail.outbox}
    assert set(told) == {"newcomer@mission.example", first.email}
    assert "newcomer@mission.example" in told[first.email].body
    assert "France" in told[first.email].subject and "délégué" in told[first.email].subject


@pytest.mark.parametrize(("mfa", "expected"), [(True, HTTPStatus.OK), (False, HTTPStatus.FOUND)])
def test_evidence_needs_the_staff_members_second_factor(staff, persona, mfa, expected):
    admin, client = staff("admin")
    if not mfa:
        Authenticator.objects.filter(user=admin).delete()
    delegate, delegate_client = persona("delegate_of_x")
    item = Accreditation.objects.get(user=delegate)
    response = client.get(f"/en/delegate/accreditations/{item.pk}/evidence/")
    assert response.status_code == expected
    if not mfa:
        assert response["Location"].startswith("/en/accounts/2fa/totp/activate")
    assert delegate_client.get(f"/en/delegate/accreditations/{item.pk}/evidence/").status_code == HTTPStatus.FORBIDDEN


def test_a_persons_language_is_remembered_when_they_sign_in(register):
    user = UserFactory(email="reader@mission.example")
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    Client().post("/ar/accounts/login/", {"login": user.email, "password": "correct horse battery staple"})
    user.refresh_from_db()
    assert user.language == "ar"


@pytest.mark.parametrize("target", ["superuser", "admin"])
def test_an_admin_cannot_strip_a_superusers_or_another_admins_second_factor_or_sessions(staff, target):
    _admin, client = staff("admin")
    other, other_client = staff(target, email=f"other.{target}@secretariat.example")
    other_client.get("/en/delegate/")  # a listed session
    factor = Authenticator.objects.get(user=other)
    client.post(f"/en/admin/mfa/authenticator/{factor.pk}/delete/", {"post": "yes"})
    client.post(
        "/en/admin/mfa/authenticator/", {"action": "delete_selected", "_selected_action": [factor.pk], "post": "yes"}
    )
    assert Authenticator.objects.filter(pk=factor.pk).exists()
    sessions = list(UserSession.objects.filter(user=other).values_list("pk", flat=True))
    client.post("/en/admin/usersessions/usersession/", {"action": "sign_out", "_selected_action": sessions})
    assert list(UserSession.objects.filter(user=other).values_list("pk", flat=True)) == sessions


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("editor", "initiatives/endorsement"),
        ("admin", "members/accreditation"),
        ("admin", "members/user"),
        ("editor", "initiatives/initiative"),
    ],
)
def test_no_past_version_is_ever_saved_from_the_history_pages(staff, persona, role, path):
    _user, client = staff(role)
    delegate, _ = persona("delegate_of_x")
    model = {
        "initiatives/endorsement": Endorsement.objects.filter(initiative__slug="paris-call").first(),
        "members/accreditation": Accreditation.objects.get(user=delegate),
        "members/user": delegate,
        "initiatives/initiative": Initiative.objects.get(slug="paris-call"),
    }[path]
    version = model.history.earliest()
    url = f"/en/admin/{path}/{model.pk}/history/{version.history_id}/"
    assert client.get(url).status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN)
    before = model.history.count()
    response = client.post(url, {"statement": "FORGED", "endorsed_on": "2001-01-01", "status": "approved"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert model.history.count() == before
