"""The secretariat registers, changes and re-keys partners' webhook endpoints here."""

from __future__ import annotations

import datetime
from collections.abc import Collection

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from initiatives.models import LogEntry
from members.models import User
from webhooks import outbound
from webhooks.models import Endpoint, Event, new_secret

# After a rotation the previous secret signs too, for this long: the partner switches meanwhile.
ROTATION_OVERLAP = datetime.timedelta(hours=24)


@transaction.atomic
def register_endpoint(*, url: str, events: Collection[str], owner_email: str, created_by: User | None) -> Endpoint:
    """A new endpoint, with a new secret, that receives the events logged from now on (not the
    log's history). Raises outbound.RefusedAddress for a URL that may not receive webhooks."""
    outbound.vet(url)
    last = LogEntry.objects.aggregate(last=Max("index"))["last"]
    return Endpoint.objects.create(
        url=url,
        events=_chosen(events),
        owner_email=owner_email,
        created_by=created_by,
        cursor=-1 if last is None else last,
    )


@transaction.atomic
def change_endpoint(*, endpoint: Endpoint, url: str, events: Collection[str], owner_email: str) -> Endpoint:
    """A new URL is vetted like a new endpoint's; pending deliveries go to it. New events apply
    from the next log entry on."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    if url != locked.url:
        outbound.vet(url)
    locked.url, locked.events, locked.owner_email = url, _chosen(events), owner_email
    locked.save(update_fields=["url", "events", "owner_email"])
    return locked


@transaction.atomic
def rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new secret; for `ROTATION_OVERLAP` webhooks carry a signature with the previous one too."""
    locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.previous_secret, locked.secret = locked.secret, new_secret()
    locked.previous_secret_until = timezone.now() + ROTATION_OVERLAP
    locked.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
    return locked


def _chosen(events: Collection[str]) -> list[str]:
    """The event types, each once and known (ValueError otherwise), in a stable order."""
    return sorted({Event(event).value for event in events})
