"""Without its database, the register answers a translated 503 that says when to retry."""

from http import HTTPStatus

from django.db import OperationalError
from django.test import Client

from tests.conftest import sign_in
from tests.factories import UserFactory


def test_a_page_that_needs_the_database_answers_503_with_retry_after(db, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("initiatives.views.group_by_region", down)
    response = Client().get("/fr/states/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert "Le registre est momentanément indisponible" in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_other_errors_are_not_mistaken_for_an_outage(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("initiatives.views.group_by_region", broken)
    client = Client(raise_request_exception=False)
    assert client.get("/en/states/").status_code == HTTPStatus.INTERNAL_SERVER_ERROR


def test_a_signed_in_person_gets_the_503_page_when_the_database_fails_before_the_view(db, monkeypatch):
    client = sign_in(Client(raise_request_exception=False), UserFactory())

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.contrib.auth.get_user", down)  # a middleware loads the person first
    response = client.get("/fr/delegate/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert "Le registre est momentanément indisponible" in response.content.decode()
