"""Accounts through allauth: sign-up with verification, sign-in, logout by POST, sessions, demo accounts."""

import re
from http import HTTPStatus
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.test import Client

from members.models import Accreditation, User
from tests.conftest import deliver
from tests.factories import UserFactory

PASSWORD = "a long and unusual passphrase"


def test_sign_up_requires_verifying_the_email_and_the_link_only_shows_a_button(db, mailoutbox):
    client = Client()
    response = client.post(
        "/en/accounts/signup/", {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == HTTPStatus.FOUND
    user = User.objects.get(email="new@example.org")
    assert EmailAddress.objects.get(user=user).verified is False
    deliver()
    link = re.search(r"https?://testserver(/en/accounts/confirm-email/[^\s]+)", mailoutbox[0].body).group(1)

    page = client.get(link)  # what a mail scanner does
    assert page.status_code == HTTPStatus.OK
    assert re.search(r'<button class="button" type="submit">\s*Confirm\s*</button>', page.content.decode())
    assert EmailAddress.objects.get(user=user).verified is False

    client.post(link)
    assert EmailAddress.objects.get(user=user).verified is True


def test_account_emails_speak_the_readers_language_and_name_the_register(db, mailoutbox):
    Client().post(
        "/fr/accounts/signup/", {"email": "nouveau@example.org", "password1": PASSWORD, "password2": PASSWORD}
    )
    deliver()
    message = mailoutbox[0]
    assert message.subject.startswith("[Registre de l’Alliance] ")
    assert message.body.startswith(
        "Ce message vous est adressé par le registre de l’Alliance pour le multilatéralisme."
    )
    assert "/fr/accounts/confirm-email/" in message.body
    assert "c'est testserver" not in message.body  # allauth's greeting names the host


def test_an_unverified_address_cannot_sign_in(db, mailoutbox):
    user = UserFactory(email="unverified@example.org", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=False)
    client = Client()
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    deliver()
    assert "confirm-email" in mailoutbox[0].body


def test_weak_passwords_are_refused(db):
    response = Client().post(
        "/en/accounts/signup/", {"email": "weak@example.org", "password1": "password", "password2": "password"}
    )
    assert "This password is too short." in response.content.decode()
    assert not User.objects.filter(email="weak@example.org").exists()


def test_an_account_made_with_createsuperuser_can_sign_in(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", "root@example.org", stdout=StringIO())
    client = Client()
    response = client.post("/en/accounts/login/", {"login": "root@example.org", "password": PASSWORD})
    assert response.status_code == HTTPStatus.FOUND
    assert client.session["_auth_user_id"] == str(User.objects.get(email="root@example.org").pk)
    # The admin itself asks staff for a second factor first.
    admin = client.get("/en/admin/")
    assert admin.status_code == HTTPStatus.FOUND
    assert admin["Location"] == "/en/accounts/2fa/totp/activate/"


def test_logout_needs_a_post(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    page = client.get("/en/accounts/logout/")
    assert page.status_code == HTTPStatus.OK
    assert "_auth_user_id" in client.session
    client.post("/en/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_the_user_sees_their_sessions(db):
    user = UserFactory(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client = Client()
    client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    page = client.get("/en/accounts/sessions/").content.decode()
    assert "Sessions" in page
    assert "Current" in page


def test_sign_in_is_rate_limited_per_account(db):
    user = UserFactory(password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    client = Client()
    for _ in range(5):
        client.post("/en/accounts/login/", {"login": user.email, "password": "wrong password"})
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts. Try again later." in response.content.decode()


def test_account_pages_use_the_site_layout_and_are_translated(db):
    page = Client().get("/fr/accounts/login/").content.decode()
    assert '<html lang="fr" dir="ltr">' in page
    assert "Connexion" in page
    assert 'class="skip-link"' in page


def test_demo_accounts_are_printed_in_a_local_run(register, settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    assert "admin@example.org" in out.getvalue()
    assert "delegate.france@example.org" in out.getvalue()
    delegate = User.objects.get(email="delegate.france@example.org")
    assert Accreditation.objects.active().get(user=delegate).member_state.code == "FRA"
    password = re.search(r"delegate\.france@example\.org\s+(\S+)", out.getvalue()).group(1)
    assert Client().login(email=delegate.email, password=password) is True
    call_command("create_demo_accounts", stdout=StringIO())
    assert Accreditation.objects.filter(user=delegate).count() == 1


def test_demo_accounts_are_refused_without_debug(register, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("create_demo_accounts", stdout=StringIO())
    assert not User.objects.filter(email="admin@example.org").exists()
