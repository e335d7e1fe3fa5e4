"""Every form refuses a POST without its CSRF token, and nothing changes."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from initiatives.models import Endorsement
from members.models import Accreditation, User
from tests.conftest import PDF, sign_in

FORMS = {
    "endorse": ("/en/initiatives/gender-at-the-centre/endorse/", lambda: {"authority": "on"}),
    "withdraw": ("/en/initiatives/paris-call/withdraw/", lambda: {"authority": "on", "reason": "Because."}),
    "accreditation": (
        "/en/delegate/accreditation/",
        lambda: {"member_state": "DEU", "position": "Counsellor", "evidence": SimpleUploadedFile("n.pdf", PDF)},
    ),
    "logout": ("/en/accounts/logout/", dict),
    "signup": (
        "/en/accounts/signup/",
        lambda: {"email": "csrf@example.org", "password1": "a long passphrase!", "password2": "a long passphrase!"},
    ),
}


def snapshot() -> tuple:
    return (
        Endorsement.objects.in_force().count(),
        Endorsement.objects.withdrawn().count(),
        Accreditation.objects.count(),
        User.objects.count(),
    )


@pytest.mark.parametrize("form", FORMS)
def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(persona, form):
    user, _client = persona("delegate_of_x")
    client = sign_in(Client(enforce_csrf_checks=True), user)
    url, data = FORMS[form]
    before = snapshot()
    response = client.post(url, data())
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "CSRF" in response.content.decode()
    assert snapshot() == before
    assert "_auth_user_id" in client.session
