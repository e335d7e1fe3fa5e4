"""allauth's records in the admin: a delegate's second factors and signed-in sessions, in the staff
member's language and without a secret."""

from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth.models import Group
from django.test import Client

from tests.conftest import sign_in, turn_on_mfa
from tests.factories import UserFactory


@pytest.fixture
def delegate(register):
    user = UserFactory(email="delegate@mission.example")
    secret = turn_on_mfa(user)
    client = sign_in(Client(), user)
    assert client.get("/en/delegate/").status_code == HTTPStatus.OK  # records the signed-in session
    return user, secret, client


def test_a_second_factor_is_listed_in_the_staff_members_language_and_its_secret_never_shown(superuser_client, delegate):
    user, secret, _client = delegate
    factor = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    listing = superuser_client.get("/fr/admin/mfa/authenticator/", {"q": "delegate@mission"}).content.decode()
    assert "delegate@mission.example" in listing
    assert ">Ajouté le</a>" in listing  # the column "added on"
    page = superuser_client.get(f"/en/admin/mfa/authenticator/{factor.pk}/change/")
    assert page.status_code == HTTPStatus.OK
    assert secret not in page.content.decode()
    assert '<input type="submit" value="Save"' not in page.content.decode()
    response = superuser_client.post(f"/en/admin/mfa/authenticator/{factor.pk}/change/", {"type": "totp"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Authenticator.objects.get(pk=factor.pk).data == factor.data


def test_a_lost_second_factor_can_be_removed(superuser_client, delegate):
    user, _secret, _client = delegate
    factor = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    superuser_client.post(f"/en/admin/mfa/authenticator/{factor.pk}/delete/", {"post": "yes"})
    assert not Authenticator.objects.filter(pk=factor.pk).exists()


def test_sessions_are_found_by_address_and_signing_one_out_ends_it(superuser_client, delegate):
    user, _secret, client = delegate
    listing = superuser_client.get("/ar/admin/usersessions/usersession/", {"q": "delegate@mission"})
    assert listing.status_code == HTTPStatus.OK  # allauth's own admin searched a username: an error page
    assert "delegate@mission.example" in listing.content.decode()
    assert "عنوان IP" in listing.content.decode()  # the column "IP address"
    session = UserSession.objects.get(user=user)
    response = superuser_client.post(
        "/en/admin/usersessions/usersession/",
        {"action": "sign_out", "_selected_action": [session.pk]},
        follow=True,
    )
    assert "1 session is signed out." in response.content.decode()
    assert LogEntry.objects.filter(object_id=str(session.pk), action_flag=DELETION).exists()  # who and when
    assert not UserSession.objects.filter(user=user).exists()
    assert client.get("/en/delegate/").status_code == HTTPStatus.FOUND  # back to the sign-in page


@pytest.mark.parametrize(("group", "may"), [("Secretariat admins", True), ("Secretariat editors", False)])
def test_secretariat_admins_remove_a_lost_second_factor_and_sign_sessions_out(register, delegate, group, may):
    """Managing users is the secretariat admin's (DESIGN.md, "Who may do what"); editors may not."""
    user, _secret, client = delegate
    staff = UserFactory(email="staff@secretariat.example", is_staff=True)
    staff.groups.add(Group.objects.get(name=group))
    turn_on_mfa(staff)
    staff_client = sign_in(Client(), staff)
    factor = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    staff_client.post(f"/en/admin/mfa/authenticator/{factor.pk}/delete/", {"post": "yes"})
    session = UserSession.objects.get(user=user)
    staff_client.post("/en/admin/usersessions/usersession/", {"action": "sign_out", "_selected_action": [session.pk]})
    assert Authenticator.objects.filter(pk=factor.pk).exists() is not may
    assert UserSession.objects.filter(pk=session.pk).exists() is not may
    assert (client.get("/en/delegate/").status_code == HTTPStatus.FOUND) is may
