"""Headers and errors: signed-in pages are never cached, state addresses never loop, the
development server answers an oversized body with the translated 413, the API exposes its key id."""

import urllib.error
import urllib.request
from http import HTTPStatus

import pytest

from initiatives.reference_data import load_reference_data


@pytest.mark.parametrize(
    "path",
    [
        "/en/delegate/",
        "/en/initiatives/gender-at-the-centre/endorse/",
        "/en/initiatives/paris-call/withdraw/",
        "/en/accounts/email/",
        "/en/accounts/2fa/",
        "/en/initiatives/paris-call/",  # a public page, as the signed-in delegate sees it
    ],
)
def test_pages_for_a_signed_in_person_are_never_stored(persona, path):
    _user, client = persona("delegate_of_x")
    response = client.get(path)
    assert response.status_code == HTTPStatus.OK
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_anonymous_pages_stay_shareable(register, anonymous):
    assert "public" in anonymous.get("/en/initiatives/paris-call/")["Cache-Control"]


@pytest.mark.parametrize("path", ["/en/states/%C3%89/", "/en/states/A%20B/", "/en/states/fr/", "/en/states/fraa/"])
def test_an_address_no_state_can_have_is_a_404_not_a_redirect_loop(register, anonymous, path):
    assert anonymous.get(path).status_code == HTTPStatus.NOT_FOUND


def test_an_upper_case_state_code_redirects_once_keeping_the_query(register, anonymous):
    response = anonymous.get("/fr/states/FRA/?as_of=2020-01-01")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/fr/states/fra/?as_of=2020-01-01"
    assert anonymous.get(response["Location"]).status_code == HTTPStatus.OK


def test_other_sites_may_read_which_key_signed_a_receipt(register, anonymous):
    reference = "/api/v1/receipts/public-key"
    response = anonymous.get(reference, headers={"Origin": "https://research.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "X-Key-Id" in response["Access-Control-Expose-Headers"]


@pytest.mark.django_db(transaction=True)
def test_the_development_server_answers_an_oversized_body_with_the_translated_413(live_server, settings):
    """`make run` serves with Django's development server, which refused the app's
    `Connection: close` and answered 500."""
    load_reference_data()
    body = b"receipt=" + b"a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    request = urllib.request.Request(  # noqa: S310 (the test's own server)
        f"{live_server.url}/fr/receipts/verify/",
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    with pytest.raises(urllib.error.HTTPError) as refusal:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 (the test's own server)
    assert refusal.value.code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "trop" in refusal.value.read().decode().lower()
