"""A POST that arrives with stale authentication is never kept and run after re-authentication:
the person lands on the form again and must send it themselves."""

from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from initiatives.models import Endorsement
from tests.conftest import sign_in

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
WITHDRAW = "/en/initiatives/paris-call/withdraw/"  # France is a listed supporter
ENDORSE = "/en/initiatives/gender-at-the-centre/endorse/"


def france_in_force(slug: str) -> bool:
    return Endorsement.objects.in_force().filter(initiative__slug=slug, member_state__code="FRA").exists()


def test_a_withdrawal_planted_with_a_stale_session_is_not_run_by_the_delegates_reauthentication(persona):
    user, _fresh = persona("delegate_of_x")
    stolen = sign_in(Client(), user, reauthenticated=False)
    planted = stolen.post(WITHDRAW, {"reason": "Planted by whoever holds the session.", "authority": "on"})
    assert planted.status_code == HTTPStatus.FOUND
    assert planted["Location"] == f"/en/accounts/reauthenticate/?next={WITHDRAW.replace('/', '%2F')}"
    assert france_in_force("paris-call") is True

    # The delegate (same session) confirms their password: allauth would now run the kept POST.
    after = stolen.post("/en/accounts/reauthenticate/?next=" + WITHDRAW, {"password": PASSWORD, "next": WITHDRAW})
    assert after.status_code == HTTPStatus.FOUND
    assert after["Location"] == WITHDRAW
    assert france_in_force("paris-call") is True
    assert not Endorsement.objects.filter(withdrawal_reason__startswith="Planted").exists()

    # Back on the form: what was typed is there to check, and nothing happens until it is sent.
    form = stolen.get(WITHDRAW).content.decode()
    assert "Planted by whoever holds the session.</textarea>" in form
    assert "if you did not type it, change it, and tell the secretariat" in form  # said plainly
    assert 'name="authority" required' in form and "checked" not in form  # the box is ticked again
    assert stolen.get(WITHDRAW).content.decode().count("Planted by") == 0  # kept for one visit only
    assert france_in_force("paris-call") is True


def test_a_delegate_whose_reauthentication_expired_sends_the_form_again_with_their_text(persona):
    user, _fresh = persona("delegate_of_x")
    client = sign_in(Client(), user, reauthenticated=False)
    client.post(ENDORSE, {"statement": "France stands by this text.", "authority": "on", "text_version": 1})
    assert france_in_force("gender-at-the-centre") is False
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD, "next": ENDORSE})
    assert france_in_force("gender-at-the-centre") is False
    form = client.get(ENDORSE).content.decode()
    assert "France stands by this text.</textarea>" in form
    response = client.post(ENDORSE, {"statement": "France stands by this text.", "authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FOUND
    assert Endorsement.objects.in_force().get(
        initiative__slug="gender-at-the-centre", member_state__code="FRA"
    ).statement == ("France stands by this text.")


def test_a_stale_post_to_allauths_own_pages_is_not_replayed_either(persona):
    """Removing one's authenticator app is behind re-authentication too (allauth's page)."""
    user, _fresh = persona("delegate_of_x")
    client = sign_in(Client(), user, reauthenticated=False)
    response = client.post("/en/accounts/2fa/totp/deactivate/", {})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/en/accounts/reauthenticate/")
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD, "next": "/en/accounts/2fa/totp/deactivate/"})
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists() is True
    assert "account_reauthentication_state" not in client.session


@pytest.mark.parametrize("path", [ENDORSE, WITHDRAW])
def test_a_kept_text_is_only_offered_on_the_page_it_was_typed_on(persona, path):
    user, _fresh = persona("delegate_of_x")
    client = sign_in(Client(), user, reauthenticated=False)
    client.post(path, {"statement": "Typed here.", "reason": "Typed here.", "authority": "on"})
    client.post("/en/accounts/reauthenticate/", {"password": PASSWORD, "next": "/en/delegate/"})
    other = ENDORSE if path == WITHDRAW else WITHDRAW
    assert "Typed here." not in client.get(other).content.decode()
    assert "Typed here." in client.get(path).content.decode()
