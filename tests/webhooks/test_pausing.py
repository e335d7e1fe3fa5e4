"""An endpoint that keeps failing is paused and its owner told; nothing is dropped, and a
secretariat admin resumes it or retries what failed."""

import datetime

from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliance.background import ATTEMPTS
from tests.conftest import deliver
from tests.webhooks.conftest import record, retries_due_now
from webhooks.deliveries import resume_endpoint, retry_deliveries
from webhooks.models import Delivery, Endpoint


def failing_for(endpoint, hours: float) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - datetime.timedelta(hours=hours))


def test_an_endpoint_failing_for_a_day_is_paused_and_its_owner_told(endpoint, receiver, initiative, recorder):
    failing_for(endpoint, 25)
    receiver.answers = [503]
    record(initiative, "FRA", recorder)
    deliver()
    endpoint.refresh_from_db()
    assert (endpoint.state, endpoint.paused_reason) == ("paused", "failing") and endpoint.paused_at is not None
    [message] = mail.outbox
    assert message.to == ["ops@partner.example"]
    assert "paused" in message.subject and endpoint.url in message.body
    assert "kept failing for a day" in message.body


def test_an_endpoint_failing_for_less_than_a_day_stays_active(endpoint, receiver, initiative, recorder):
    failing_for(endpoint, 23)
    receiver.answers = [503]
    record(initiative, "FRA", recorder)
    deliver()
    endpoint.refresh_from_db()
    assert endpoint.state == "active" and mail.outbox == []


def test_a_paused_endpoint_is_sent_nothing_until_resumed_then_everything_waiting(
    endpoint, receiver, initiative, recorder
):
    failing_for(endpoint, 25)
    receiver.answers = [503]
    record(initiative, "FRA", recorder)
    deliver()  # the failure that pauses it
    record(initiative, "DEU", recorder)  # logged while paused: not even fanned out
    retries_due_now()
    deliver()
    assert len(receiver.requests) == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == ["pending"]  # kept, not dropped
    endpoint.refresh_from_db()
    assert resume_endpoint(endpoint=endpoint) == 1
    deliver()
    assert len(receiver.requests) == 3 and len(set(receiver.ids())) == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
    endpoint.refresh_from_db()
    assert endpoint.state == "active" and endpoint.failing_since is None
    retries_due_now()  # the retry the queue had scheduled before the pause is stale now
    deliver()
    assert len(receiver.requests) == 3


def test_a_delivery_that_spends_every_attempt_is_failed_and_retried_only_by_an_admin(
    endpoint, receiver, initiative, recorder
):
    receiver.answers = [500]
    record(initiative, "FRA", recorder)
    deliver()
    delivery = Delivery.objects.get()
    # As if the queue had tried it every time but the last (27 hours of its schedule).
    DBTaskResult.objects.filter(pk=delivery.task_id).update(
        worker_ids=[f"worker-{n}" for n in range(ATTEMPTS - 1)], run_after=timezone.now()
    )
    receiver.answers = [500]
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert DBTaskResult.objects.get(pk=delivery.task_id).status == "FAILED"
    retries_due_now()
    deliver()
    assert len(receiver.requests) == 2  # no attempt is left
    assert retry_deliveries(deliveries=Delivery.objects.all()) == 1
    deliver()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert retry_deliveries(deliveries=Delivery.objects.all()) == 0  # a delivered one is never sent again
