"""Several workers fan out at once: each event becomes exactly one delivery per endpoint."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from initiatives.endorsing import record_endorsement
from tests.factories import InitiativeFactory, MemberStateFactory, UserFactory
from webhooks import deliveries
from webhooks.endpoints import register_endpoint
from webhooks.models import Delivery, Endpoint, Event

WORKERS = 8


@pytest.fixture
def endpoint_with_events(settings):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes and ignores row locks; CI runs this on PostgreSQL.")
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint = register_endpoint(
        url="http://127.0.0.1:9/hooks", events=Event.values, owner_email="ops@partner.example", created_by=None
    )
    initiative, recorder = InitiativeFactory(), UserFactory(is_staff=True)
    for _ in range(5):
        record_endorsement(
            initiative=initiative,
            member_state=MemberStateFactory(),
            endorsed_on=datetime.date(2020, 1, 15),
            recorded_by=recorder,
            source_url="https://example.org/list",
            announce=False,
        )
    return endpoint


def in_another_worker(function):
    """Run `function` on a thread of its own, with its own database connection."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_closing(function)).result()


def _closing(function):
    def run():
        try:
            return function()
        finally:
            connection.close()

    return run


@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_an_endpoint_another_is_fanning_out_to(endpoint_with_events):
    with transaction.atomic():
        Endpoint.objects.select_for_update().get(pk=endpoint_with_events.pk)  # the first worker, mid-fan-out
        assert in_another_worker(deliveries.fan_out) == 0  # not blocked, and nothing written
    assert Delivery.objects.count() == 0
    assert in_another_worker(deliveries.fan_out) == 5


@pytest.mark.django_db(transaction=True)
def test_workers_fanning_out_at_once_make_each_delivery_once(endpoint_with_events):
    start = threading.Barrier(WORKERS)

    def worker() -> int:
        start.wait()
        return deliveries.fan_out()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        made = [future.result() for future in [pool.submit(_closing(worker)) for _ in range(WORKERS)]]
    assert sum(made) == 5
    assert Delivery.objects.count() == 5
    assert len(set(Delivery.objects.values_list("webhook_id", flat=True))) == 5
