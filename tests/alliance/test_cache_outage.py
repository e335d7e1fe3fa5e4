"""Without the shared cache (Redis), readers still get every page, from the database; what needs the
cache (sessions, sign-in limits) answers the translated 503 with when to retry, never a 500."""

import socket
import threading
from http import HTTPStatus

import pytest
from django.http import HttpResponse
from django.test import Client

from tests.conftest import sign_in
from tests.factories import UserFactory

# Nothing listens on this port: every cache call fails at once with a connection error.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"IGNORE_EXCEPTIONS": False, "SOCKET_CONNECT_TIMEOUT": 1},
    }
}


@pytest.fixture
def redis_down(settings):
    working = settings.CACHES

    def stop() -> None:
        settings.CACHES = REDIS_DOWN

    yield stop
    settings.CACHES = working  # back before the isolation fixture empties the cache


def test_readers_get_pages_from_the_database(register, redis_down):
    redis_down()
    response = Client().get("/fr/initiatives/paris-call/")
    assert response.status_code == HTTPStatus.OK
    assert "Appel de Paris" in response.content.decode()


def test_healthz_reports_the_cache_but_stays_up_while_the_database_answers(db, redis_down):
    redis_down()
    response = Client().get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}


def test_a_signed_in_person_gets_the_503_page(register, redis_down):
    client = sign_in(Client(raise_request_exception=False), UserFactory())
    redis_down()
    response = client.get("/fr/delegate/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert "Le registre est momentanément indisponible" in response.content.decode()


def test_a_sign_in_is_refused_with_the_503_page_not_let_through_without_its_limits(register, redis_down):
    user = UserFactory(email="delegate@example.org")
    redis_down()
    client = Client(raise_request_exception=False)
    response = client.post("/fr/accounts/login/", {"login": user.email, "password": "password"})
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert "Le registre est momentanément indisponible" in response.content.decode()


def test_a_redis_that_stops_answering_holds_no_reader(register, settings):
    """Its host gone or the network cut: connections open (here the kernel accepts them) but no
    answer comes. With redis-py's default timeout (5 s a call) this page took 12 s."""
    silent = socket.create_server(("127.0.0.1", 0))
    working = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }
    answers: list[HttpResponse] = []
    reader = threading.Thread(target=lambda: answers.append(Client().get("/fr/initiatives/paris-call/")), daemon=True)
    try:
        reader.start()
        reader.join(timeout=8)
    finally:
        settings.CACHES = working  # back before the isolation fixture empties the cache
        silent.close()
    assert answers, "the request was still waiting for Redis after 8 s"
    assert answers[0].status_code == HTTPStatus.OK
    assert "Appel de Paris" in answers[0].content.decode()
