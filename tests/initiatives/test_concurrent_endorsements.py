"""Two delegates of one state submitting at the same moment: exactly one endorsement, no error."""

import threading
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from initiatives.models import Endorsement
from initiatives.reference_data import load_reference_data
from tests.conftest import accredit, sign_in, turn_on_mfa
from tests.factories import UserFactory

REQUESTS = 24


@pytest.mark.django_db(transaction=True)
def test_concurrent_endorsements_by_two_delegates_of_one_state_write_exactly_one_row():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes; the constraint race needs PostgreSQL (CI runs it there).")
    load_reference_data()
    delegates = [UserFactory(), UserFactory()]
    for user in delegates:
        turn_on_mfa(user)
        accredit(user, "FRA")
    clients = [sign_in(Client(), delegates[i % 2]) for i in range(REQUESTS)]
    start = threading.Barrier(REQUESTS)

    def submit(client: Client) -> int:
        try:
            start.wait()
            return client.post(
                "/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1}
            ).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        statuses = list(pool.map(submit, clients))

    rows = Endorsement.objects.filter(initiative__slug="gender-at-the-centre", member_state__code="FRA")
    assert rows.count() == 1
    assert sorted(statuses) == [HTTPStatus.FOUND] + [HTTPStatus.CONFLICT] * (REQUESTS - 1)
