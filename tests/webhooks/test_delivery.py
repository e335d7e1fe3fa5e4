"""Each public change reaches each subscribed partner once, signed (Standard Webhooks)."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives.endorsing import record_withdrawal
from initiatives.models import Initiative, LogEntry
from initiatives.publishing import save_initiative
from members.models import MemberState
from tests.conftest import deliver
from tests.webhooks.conftest import payload, record, retries_due_now
from webhooks import deliveries
from webhooks.endpoints import register_endpoint, rotate_secret
from webhooks.models import Delivery, Endpoint


def test_each_event_arrives_signed_with_the_api_json_and_its_log_index(
    endpoint, receiver, initiative, recorder, anonymous
):
    endorsement = record(initiative, "FRA", recorder)
    entry = LogEntry.objects.get(endorsement=endorsement, kind="endorsement.recorded")
    deliver()
    [request] = receiver.requests
    assert request.method == "POST" and request.path == "/hooks?partner=1"
    body = request.verified(endpoint.secret)
    assert request.headers["webhook-id"] == f"log-{entry.index}"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["User-Agent"].startswith("Alliance-register-webhooks/1")
    assert abs(int(request.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert body["type"] == "endorsement.recorded"
    assert body["log_index"] == entry.index
    assert body["timestamp"] == entry.logged_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    api = anonymous.get("/api/v1/endorsements", {"initiative": "digital-commons", "state": "FRA"}).json()
    assert body["data"] == api["items"][0]
    logged = anonymous.get("/api/v1/log/entries", {"start": entry.index, "end": entry.index + 1}).json()
    assert logged["items"][0]["index"] == entry.index and endorsement.reference in logged["items"][0]["entry"]
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None and delivery.last_error == ""


def test_a_withdrawal_and_an_initiative_opening_and_closing_are_sent_as_their_events(
    endpoint, receiver, initiative, recorder, anonymous
):
    record(initiative, "FRA", recorder)
    record_withdrawal(
        initiative=initiative,
        member_state=MemberState.objects.get(code="FRA"),
        withdrawn_on=timezone.localdate(),
        recorded_by=recorder,
        reason="Recalled by note verbale.",
    )
    initiative.status = Initiative.Status.CLOSED
    save_initiative(initiative=initiative, by_a_person=False)
    initiative.status = Initiative.Status.OPEN
    initiative.signing_closes_on = None
    save_initiative(initiative=initiative, by_a_person=False)
    deliver()
    bodies = [payload(request) for request in sorted(receiver.requests, key=lambda r: payload(r)["log_index"])]
    assert [body["type"] for body in bodies] == [
        "endorsement.recorded",
        "endorsement.withdrawn",
        "initiative.closed",
        "initiative.opened",
    ]
    assert bodies[1]["data"]["withdrawal_reason"] == "Recalled by note verbale."
    assert bodies[3]["data"] == anonymous.get("/api/v1/initiatives/digital-commons").json()


def test_a_failed_delivery_is_tried_again_with_the_same_webhook_id_and_never_after_success(
    endpoint, receiver, initiative, recorder
):
    receiver.answers = [500]
    record(initiative, "FRA", recorder)
    deliver()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    waiting = DBTaskResult.objects.get(pk=delivery.task_id)
    assert waiting.status == "READY" and waiting.run_after > timezone.now()  # the queue's backoff
    deliver()
    assert len(receiver.requests) == 1  # not before its time
    retries_due_now()
    deliver()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    second.verified(endpoint.secret)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    retries_due_now()
    deliver()
    assert len(receiver.requests) == 2
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_redirect_is_a_failure_and_is_not_followed(endpoint, receiver, initiative, recorder):
    receiver.answers = [302]
    record(initiative, "FRA", recorder)
    deliver()
    assert [request.path for request in receiver.requests] == ["/hooks?partner=1"]  # never /elsewhere
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 302, "HTTP 302")


def test_a_new_endpoint_is_not_sent_the_log_history(endpoint, receiver):
    assert LogEntry.objects.exists()  # the reference data's endorsements
    assert endpoint.cursor == LogEntry.objects.order_by("-index").first().index
    deliver()
    assert receiver.requests == [] and Delivery.objects.count() == 0


def test_only_the_chosen_events_are_sent_and_the_cursor_passes_the_others(register, receiver, initiative, recorder):
    only_closing = register_endpoint(
        url=receiver.url, events=["initiative.closed"], owner_email="ops@partner.example", created_by=None
    )
    record(initiative, "FRA", recorder)
    deliver()
    assert receiver.requests == [] and Delivery.objects.count() == 0
    only_closing.refresh_from_db()
    assert only_closing.cursor == LogEntry.objects.order_by("-index").first().index


def test_a_rolled_back_endorsement_sends_nothing(endpoint, receiver, initiative, recorder):
    with pytest.raises(RuntimeError, match="interrupted"), transaction.atomic():
        record(initiative, "FRA", recorder)
        raise RuntimeError("interrupted")
    deliver()
    assert receiver.requests == [] and Delivery.objects.count() == 0


def test_two_fan_out_passes_make_one_delivery_per_event(endpoint, receiver, initiative, recorder):
    record(initiative, "FRA", recorder)
    record(initiative, "DEU", recorder)
    assert deliveries.fan_out() == 2
    assert deliveries.fan_out() == 0
    deliver()
    assert Delivery.objects.count() == 2
    assert sorted(receiver.ids()) == sorted(set(receiver.ids())) and len(receiver.ids()) == 2


def test_a_fan_out_interrupted_half_way_leaves_nothing_and_is_done_again(
    endpoint, receiver, initiative, recorder, monkeypatch
):
    record(initiative, "FRA", recorder)
    record(initiative, "DEU", recorder)
    enqueue, calls = deliveries._enqueue, []

    def dies_at_the_second(delivery):
        calls.append(delivery)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        enqueue(delivery)

    monkeypatch.setattr(deliveries, "_enqueue", dies_at_the_second)
    cursor = endpoint.cursor
    with pytest.raises(SystemExit):
        deliveries.fan_out()
    endpoint.refresh_from_db()
    assert endpoint.cursor == cursor and Delivery.objects.count() == 0 and not DBTaskResult.objects.exists()
    monkeypatch.setattr(deliveries, "_enqueue", enqueue)
    deliver()
    assert Delivery.objects.filter(status="delivered").count() == 2 and len(receiver.requests) == 2


def test_the_database_refuses_a_second_delivery_of_one_entry_to_one_endpoint(endpoint, initiative, recorder):
    record(initiative, "FRA", recorder)
    deliveries.fan_out()
    delivery = Delivery.objects.get()
    refused = "one_delivery_per_endpoint_and_entry|UNIQUE constraint failed: webhooks_delivery.endpoint_id"
    with pytest.raises(IntegrityError, match=refused), transaction.atomic():
        Delivery.objects.create(
            endpoint=endpoint, log_entry=delivery.log_entry, event=delivery.event, webhook_id="again", body="{}"
        )


def test_after_a_rotation_both_secrets_sign_for_a_day_then_only_the_new_one(
    endpoint, receiver, initiative, recorder, monkeypatch
):
    old = endpoint.secret
    rotated = rotate_secret(endpoint=endpoint)
    assert rotated.secret != old and rotated.secret.startswith("whsec_")
    record(initiative, "FRA", recorder)
    deliver()
    [request] = receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    request.verified(old)
    request.verified(rotated.secret)
    Endpoint.objects.filter(pk=endpoint.pk).update(previous_secret_until=timezone.now())
    record(initiative, "DEU", recorder)
    deliver()
    later = receiver.requests[1]
    assert len(later.headers["webhook-signature"].split(" ")) == 1
    later.verified(rotated.secret)
