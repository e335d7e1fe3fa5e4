"""Requests larger than the register accepts are refused with a translated message and change nothing."""

from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from members.models import Accreditation, User
from tests.conftest import sign_in
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n"


def test_an_upload_beyond_the_request_limit_is_refused_before_it_is_read(register):
    user = UserFactory()
    client = sign_in(Client(), user)
    evidence = SimpleUploadedFile("huge.pdf", PDF + b"0" * (7 * 1024 * 1024), content_type="application/pdf")
    response = client.post(
        "/fr/delegate/accreditation/", {"member_state": "FRA", "position": "Conseiller", "evidence": evidence}
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    page = response.content.decode()
    assert "Ce que vous avez envoyé est trop volumineux" in page
    assert "au plus 6 Mo" in page
    assert not Accreditation.objects.filter(user=user).exists()


def test_a_form_without_files_beyond_its_limit_is_refused(register):
    body = urlencode({"email": "bulk@example.org", "password1": "x" * (3 * 1024 * 1024), "password2": "x"})
    response = Client().post("/en/accounts/signup/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "What you sent is too large" in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert not User.objects.filter(email="bulk@example.org").exists()


def test_a_request_with_too_many_fields_gets_a_clear_400(register):
    fields = {f"field{number}": "x" for number in range(1200)}
    response = Client().post("/en/accounts/signup/", fields)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The register could not read this request" in response.content.decode()


@pytest.mark.parametrize(
    "address",
    [
        "/fr/initiatives/paris%00call/",
        "/fr/states/fr%00/",
        "/api/v1/initiatives/paris%00call",
        "/api/v1/endorsements?initiative=%00",
        "/api/v1/endorsements.csv?state=FR%00",
        "/fr/initiatives/?q=%00",
    ],
)
def test_a_nul_character_in_the_address_gets_a_clear_400(register, address):
    response = Client().get(address)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    if address.startswith("/fr/"):
        assert "Le registre n’a pas pu lire cette requête" in response.content.decode()
    else:
        assert response.json() == {"detail": ["request: the address holds a NUL character"]}
