import datetime
import importlib
import os
import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation

from alliance.background import work
from initiatives.reference_data import load_reference_data
from members.models import Accreditation, MemberState
from tests.factories import UserFactory


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their live server empties the tables when each one ends."""
    items.sort(key=lambda item: "e2e" in item.keywords)


@pytest.fixture(scope="session", autouse=True)
def _plain_http():
    """The test client and the live server speak plain HTTP; set before any server starts."""
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        yield


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()  # allauth keeps its rate limits in the cache
    # A request leaves its language active in the thread; each test starts in the default one.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _log_triggers_let_tests_empty_the_database():
    """After a transactional test, Django empties the tables (DELETE on SQLite, TRUNCATE on
    PostgreSQL), which the log's append-only triggers refuse. Around that emptying only, as the
    database's owner, the triggers step aside."""
    triggers = importlib.import_module("initiatives.migrations.0015_transparency_log_is_append_only")
    off, on = {
        "sqlite": (triggers.SQLITE_REVERSE, triggers.SQLITE),
        "postgresql": (triggers.POSTGRESQL_OFF, triggers.POSTGRESQL_ON),
    }[connection.vendor]
    operations = type(connection.ops)
    flush = operations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [*off, *statements, *on] if statements else statements

    operations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    operations.sql_flush = flush  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The reference data is loaded once into the test database; each test rolls back its own changes.

    Tests with `transaction=True` (and the browser tests) empty the tables when they end, so pytest-django
    runs them last and they load the reference data themselves.
    """
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def register(db):
    """The reference data: 193 UN member states and the EU, six initiatives, events, listed endorsements."""


@pytest.fixture
def anonymous() -> Client:
    return Client()


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.exists(path) else None


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_in(client: Client, user, *, reauthenticated: bool = True) -> Client:
    """Sign the user in; with `reauthenticated`, as if the password was just entered again."""
    client.force_login(user)
    if reauthenticated:
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True, "email": user.email}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


def turn_on_mfa(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def accredit(user, code: str, *, status=Accreditation.Status.APPROVED, valid_until=None) -> Accreditation:
    if status in (Accreditation.Status.APPROVED, Accreditation.Status.REVOKED) and valid_until is None:
        valid_until = datetime.date.today() + datetime.timedelta(days=365)
    return Accreditation.objects.create(
        user=user,
        member_state=MemberState.objects.get(code=code),
        position="Deputy Permanent Representative",
        evidence=ContentFile(PDF, name="note-verbale.pdf"),
        evidence_type="application/pdf",
        status=status,
        valid_until=valid_until,
    )


PERSONAS = ["anonymous", "signed_in", "pending", "delegate_of_x", "delegate_of_y", "revoked", "expired", "staff"]


@pytest.fixture
def persona(register):
    """Build one persona by name: (user or None, signed-in client). X is France, Y is Germany."""

    def build(name: str):
        if name == "anonymous":
            return None, Client()
        user = UserFactory(email=f"{name}@example.org", is_staff=name == "staff", is_superuser=name == "staff")
        turn_on_mfa(user)
        if name == "pending":
            accredit(user, "FRA", status=Accreditation.Status.PENDING)
        elif name == "delegate_of_x":
            accredit(user, "FRA")
        elif name == "delegate_of_y":
            accredit(user, "DEU")
        elif name == "revoked":
            accredit(user, "FRA", status=Accreditation.Status.REVOKED)
        elif name == "expired":
            accredit(user, "FRA", valid_until=datetime.date.today() - datetime.timedelta(days=1))
        return user, sign_in(Client(), user)

    return build


@pytest.fixture
def superuser_client(register) -> Client:
    root = UserFactory(email="root@secretariat.example", is_staff=True, is_superuser=True)
    turn_on_mfa(root)
    return sign_in(Client(), root)


def deliver() -> None:
    """Run the background worker until nothing is due: the emails (notices, webhooks) that the
    test's writes enqueued are then sent, as the worker would send them."""
    work(batch=True)
