"""Two server processes sharing PostgreSQL and Redis: a rate limit, a cache invalidation and a session
hold across both."""

import http.cookiejar
import os
import urllib.request

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from initiatives.endorsing import record_endorsement
from initiatives.models import Initiative
from initiatives.reference_data import load_reference_data
from members.models import MemberState, User
from tests.factories import UserFactory
from tests.servers import Browser, live_database_url, start_server, stop

PASSWORD = "a long and unusual passphrase"
ENDORSER = '<th scope="row"><a href="/en/states/nor/">Norway</a></th>'
PATH = "/en/initiatives/gender-at-the-centre/"


def _account(email: str) -> User:
    """A verified account with PASSWORD, hashed with a hasher the servers know (not the tests' fast MD5)."""
    user = UserFactory(email=email)
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(pk=user.pk).update(password=hasher.encode(PASSWORD, hasher.salt()))
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


def read(base: str) -> str:
    with urllib.request.urlopen(base + PATH, timeout=10) as response:  # noqa: S310 - loopback only
        return response.read().decode()


@pytest.mark.django_db(transaction=True)
def test_a_change_made_anywhere_reaches_the_cached_pages_of_every_server():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    load_reference_data()
    (first, first_base), (second, second_base) = start_server(live_database_url()), start_server(live_database_url())
    try:
        assert ENDORSER not in read(first_base)
        assert ENDORSER not in read(second_base)  # both now hold the page in the shared cache

        initiative = Initiative.objects.get(slug="gender-at-the-centre")
        record_endorsement(
            initiative=initiative,
            member_state=MemberState.objects.get(code="NOR"),
            endorsed_on=initiative.signing_opens_on,
            recorded_by=UserFactory(is_staff=True),
            source_note="Note verbale",
        )
        assert ENDORSER in read(second_base)
        assert ENDORSER in read(first_base)
    finally:
        stop(first, second)


@pytest.mark.django_db(transaction=True)
def test_failed_sign_ins_count_across_both_servers():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    user = _account("target@example.org")
    (first, first_base), (second, second_base) = start_server(live_database_url()), start_server(live_database_url())
    try:
        browsers = [Browser(first_base), Browser(second_base)]
        for attempt in range(5):  # the account's limit: 5 failures in 5 minutes, on whichever server
            assert "not correct" in browsers[attempt % 2].sign_in(user.email, "wrong password")
        assert "Too many failed login attempts" in browsers[1].sign_in(user.email, PASSWORD)
        assert "Too many failed login attempts" in browsers[0].sign_in(user.email, PASSWORD)
    finally:
        stop(first, second)


@pytest.mark.django_db(transaction=True)
def test_a_session_opened_on_one_server_holds_and_ends_on_both():
    """Sessions live in the shared cache (written through to PostgreSQL): the proxy may send a
    signed-in person's next request to either server, and signing out on one ends it on both."""
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    user = _account("delegate@example.org")
    (first, first_base), (second, second_base) = start_server(live_database_url()), start_server(live_database_url())
    try:
        cookies = http.cookiejar.CookieJar()
        on_first, on_second = Browser(first_base, cookies), Browser(second_base, cookies)
        on_first.sign_in(user.email, PASSWORD)
        assert user.email in on_second.get("/en/accounts/email/")
        session = next(cookie.value for cookie in cookies if cookie.name == "sessionid")
        replay = Browser(first_base, headers={"Cookie": f"sessionid={session}"})
        assert user.email in replay.get("/en/accounts/email/")  # the cookie alone is the session
        signed_out = on_second.submit("/en/accounts/logout/", {})
        assert "Sign in" in signed_out
        # The browser forgets the cookie; someone who kept a copy tries it on the other server.
        assert user.email not in replay.get("/en/accounts/email/")  # sent to the sign-in page
    finally:
        stop(first, second)
