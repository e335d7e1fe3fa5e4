"""A person's list of sessions shows when and from where each was last used, kept up to date
without a database write on every request."""

import datetime
from http import HTTPStatus

from allauth.usersessions.models import UserSession
from django.core.cache import cache
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import UserFactory

AN_HOUR_AGO = timezone.now() - datetime.timedelta(hours=1)


def test_a_sessions_last_activity_is_written_at_most_once_a_minute(register):
    user = UserFactory(email="delegate@example.org")
    client = sign_in(Client(), user)
    assert client.get("/en/accounts/sessions/").status_code == HTTPStatus.OK
    sessions = UserSession.objects.filter(user=user)
    assert sessions.count() == 1

    sessions.update(last_seen_at=AN_HOUR_AGO)
    cache.clear()  # the minute since the last write has passed
    page = client.get("/en/accounts/sessions/")
    assert sessions.get().last_seen_at > AN_HOUR_AGO
    assert page.status_code == HTTPStatus.OK

    sessions.update(last_seen_at=AN_HOUR_AGO)
    client.get("/en/accounts/sessions/")  # within the minute: the row is left as it is
    assert sessions.get().last_seen_at == AN_HOUR_AGO


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")  # production's, with REDIS_URL
def test_a_signed_in_request_reads_its_session_from_the_shared_cache(register):
    client = sign_in(Client(), UserFactory(email="delegate@example.org"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/en/accounts/sessions/")
    assert page.status_code == HTTPStatus.OK
    assert "Sign out" in page.content.decode()  # signed in, from the session in the cache
    assert not [query for query in queries.captured_queries if "django_session" in query["sql"]]
