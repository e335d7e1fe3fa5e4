"""From the transparency log to partners' endpoints: fan-out, delivery, retries, pausing.

The worker's periodic job `fan_out` turns each log entry after an active endpoint's cursor into
one Delivery and one queued `deliver_webhook` task, and moves the cursor past it, in one
transaction per endpoint. A worker killed half-way leaves nothing behind (the next pass does it
all again); two workers never fan out to one endpoint at once (one locks its row, the other skips
it); and the database's unique (endpoint, log entry) constraint stands behind both. A write that
rolls back appends no log entry, so it sends nothing. The log gives its entries indexes in commit
order (`initiatives.transparency`), so no entry appears behind a cursor.

Each attempt is noted on its Delivery. A failed one raises, and the queue tries the task again
later (`alliance.background.RETRY_DELAYS`, about 27 hours in all); once those are spent the
delivery is failed. An endpoint whose deliveries keep failing for `PAUSE_AFTER` with no success
in between is paused, and its owner told: its deliveries wait, pending, and its cursor stays,
until a secretariat admin resumes it. Delivery is at least once (a worker killed after the
partner answered sends that webhook again, with the same webhook-id) and in no guaranteed order
(the log index in each body gives it).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks import TaskContext, task
from standardwebhooks import Webhook

from alliance.background import ATTEMPTS, notify
from initiatives import api
from initiatives.models import LogEntry
from webhooks import outbound
from webhooks.models import EVENT_OF_LOG_KIND, Delivery, Endpoint

FAN_OUT_BATCH = 500  # log entries per endpoint and transaction, so a long pause catches up in steps
PAUSE_AFTER = datetime.timedelta(hours=24)


class DeliveryFailed(Exception):
    """The endpoint did not take the webhook; raised so the queue tries again later."""


# --- Fan-out ----------------------------------------------------------------------------------


def fan_out() -> int:
    """The worker's periodic job: a delivery for each new event of each active endpoint."""
    bodies: dict[int, str] = {}  # one body per log entry, whichever endpoints receive it
    made = 0
    for endpoint_id in Endpoint.objects.active().values_list("pk", flat=True):
        more = True
        while more:
            count, more = _fan_out_to(endpoint_id=endpoint_id, bodies=bodies)
            made += count
    return made


@transaction.atomic
def _fan_out_to(*, endpoint_id: int, bodies: dict[int, str]) -> tuple[int, bool]:
    """Deliveries for the next entries after the endpoint's cursor; (how many, whether more follow)."""
    endpoint = Endpoint.objects.active().select_for_update(skip_locked=True).filter(pk=endpoint_id).first()
    if endpoint is None:  # another worker is at it, or it was paused meanwhile
        return 0, False
    entries = list(LogEntry.objects.filter(index__gt=endpoint.cursor).order_by("index")[:FAN_OUT_BATCH])
    made = 0
    for entry in entries:
        event = EVENT_OF_LOG_KIND.get(entry.kind)
        if event is None or event not in endpoint.events:
            continue
        if entry.index not in bodies:
            bodies[entry.index] = _body(entry, event)
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            log_entry=entry,
            event=event,
            webhook_id=f"log-{entry.index}",
            body=bodies[entry.index],
        )
        _enqueue(delivery)
        made += 1
    if entries:
        endpoint.cursor = entries[-1].index
        endpoint.save(update_fields=["cursor"])
    return made, len(entries) == FAN_OUT_BATCH


def _body(entry: LogEntry, event: str) -> str:
    """The JSON a partner receives: the event, when it happened, its log index, and its subject
    as the API gives it when the event is fanned out (null if no longer public)."""
    data: dict[str, Any] | None
    if entry.endorsement_id is not None:
        data = api.endorsement_json(entry.endorsement_id)
    else:
        assert entry.initiative_id is not None  # every event is an endorsement's or an initiative's
        data = api.initiative_json(entry.initiative_id)
    payload = {
        "type": event,
        "timestamp": entry.logged_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "log_index": entry.index,
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def _enqueue(delivery: Delivery) -> None:
    """Queue a task for the delivery, in the caller's transaction; an earlier task becomes stale."""
    result = deliver_webhook.enqueue(delivery_id=delivery.pk)
    delivery.task_id = str(result.id)
    delivery.save(update_fields=["task_id", "status"])


# --- Delivery ---------------------------------------------------------------------------------


@task(takes_context=True)
def deliver_webhook(context: TaskContext, *, delivery_id: int) -> str:
    """POST one delivery, signed; a failure raises, so the queue tries again later."""
    delivery = Delivery.objects.select_related("endpoint").get(pk=delivery_id)
    if delivery.task_id != str(context.task_result.id) or delivery.status != Delivery.Status.PENDING:
        return "stale"  # delivered, or a retry or a resume queued another task for it
    if delivery.endpoint.state != Endpoint.State.ACTIVE:
        return "paused"  # it waits, pending, until the endpoint is resumed
    now = timezone.now()
    status_code: int | None = None
    try:
        status_code = outbound.post(
            url=delivery.endpoint.url, body=delivery.body.encode(), headers=signed_headers(delivery, now)
        )
    except (outbound.RefusedAddress, outbound.SendingFailed) as refusal:
        error = str(refusal)
    else:
        error = "" if 200 <= status_code < 300 else f"HTTP {status_code}"
    record_attempt(
        delivery_id=delivery.pk, at=now, status_code=status_code, error=error, last=context.attempt >= ATTEMPTS
    )
    if error:
        raise DeliveryFailed(error)
    return "delivered"


def signed_headers(delivery: Delivery, now: datetime.datetime) -> dict[str, str]:
    """Standard Webhooks headers: one `v1,` signature for each secret that signs now."""
    body = delivery.body.encode()
    signatures = [
        Webhook(secret).sign(delivery.webhook_id, now, body) for secret in delivery.endpoint.signing_secrets(now)
    ]
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
        "Content-Type": "application/json",
        "User-Agent": f"Alliance-register-webhooks/1 (+{settings.SITE_URL})",
    }


@transaction.atomic
def record_attempt(
    *, delivery_id: int, at: datetime.datetime, status_code: int | None, error: str, last: bool
) -> Delivery:
    """Note an attempt's outcome; after `PAUSE_AFTER` of failures with no success, pause the endpoint."""
    endpoint_id = Delivery.objects.filter(pk=delivery_id).values_list("endpoint_id", flat=True).get()
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)  # the endpoint first, as everywhere
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    delivery.attempts += 1
    delivery.last_attempt_at = at
    delivery.last_status_code = status_code
    delivery.last_error = error
    pending = delivery.status == Delivery.Status.PENDING
    if not error:
        if pending:
            delivery.status, delivery.delivered_at = Delivery.Status.DELIVERED, at
        endpoint.failing_since = None
    else:
        if pending and last:
            delivery.status = Delivery.Status.FAILED
        endpoint.failing_since = endpoint.failing_since or at
    delivery.save(
        update_fields=["attempts", "last_attempt_at", "last_status_code", "last_error", "status", "delivered_at"]
    )
    endpoint.save(update_fields=["failing_since"])
    if error and endpoint.failing_since is not None and at - endpoint.failing_since >= PAUSE_AFTER:
        pause_endpoint(endpoint=endpoint, reason=Endpoint.PauseReason.FAILING)
    return delivery


# --- The secretariat's actions ------------------------------------------------------------------


@transaction.atomic
def pause_endpoint(*, endpoint: Endpoint, reason: Endpoint.PauseReason) -> bool:
    """Stop sending to the endpoint and tell its owner; its deliveries wait, pending, and nothing
    is dropped. False when it was paused already."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.state == Endpoint.State.PAUSED:
        return False
    locked.state, locked.paused_reason, locked.paused_at = Endpoint.State.PAUSED, reason, timezone.now()
    locked.save(update_fields=["state", "paused_reason", "paused_at"])
    # The owner is a partner's technical contact, not a user of the register: the site's language.
    notify(
        template="webhook_paused",
        recipients=[locked.owner_email],
        context={"endpoint": locked},
        language=settings.LANGUAGE_CODE,
    )
    return True


@transaction.atomic
def resume_endpoint(*, endpoint: Endpoint) -> int:
    """Send to the endpoint again: its pending deliveries at once, then the events logged since it
    was paused. Returns how many deliveries were waiting."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.state == Endpoint.State.ACTIVE:
        return 0
    locked.state, locked.paused_reason, locked.paused_at, locked.failing_since = Endpoint.State.ACTIVE, "", None, None
    locked.save(update_fields=["state", "paused_reason", "paused_at", "failing_since"])
    waiting = list(locked.deliveries.pending())
    for delivery in waiting:
        _enqueue(delivery)
    return len(waiting)


@transaction.atomic
def retry_deliveries(*, deliveries: QuerySet[Delivery]) -> int:
    """Failed deliveries get a new series of attempts (sent once their endpoint is active).
    Returns how many; the others are left as they are."""
    failed = list(Delivery.objects.failed().filter(pk__in=deliveries.values("pk")).select_for_update())
    for delivery in failed:
        delivery.status = Delivery.Status.PENDING
        _enqueue(delivery)
    return len(failed)
