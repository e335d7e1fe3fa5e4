"""Notices to subscribers: one email per subscriber listing the changes of their concern.

The transparency log is the source: every public change to the record appends one entry, with a
gap-free index, in the transaction of the change (initiatives.transparency takes a lock for each
append, so a later index is never committed before an earlier one). Each subscription keeps the
index of the last entry it was told about; a pass of `send_notices` lists the entries after it,
enqueues one email and moves the cursor in one transaction. A change rolled back never reaches
the log, so it is never told; each committed one is told once.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from initiatives.models import LogEntry
from subscriptions.emails import enqueue_email
from subscriptions.models import Subscription


def send_notices(now: datetime.datetime | None = None) -> int:
    """Periodic job: enqueue the notices that are due; the number enqueued.

    Several workers may run it at once: each subscription is written under a row lock that the
    others skip, and is read again under it."""
    up_to = LogEntry.objects.aggregate(last=Max("index"))["last"]
    if up_to is None:
        return 0
    now = now or timezone.now()
    # Entries of nobody's concern need no email: move past them in one statement.
    Subscription.objects.without_news(up_to=up_to).update(cursor=up_to)
    due = Subscription.objects.due_for_notice(up_to=up_to, now=now)
    return sum(_notify(pk=pk, up_to=up_to, now=now) for pk in due.values_list("pk", flat=True))


@transaction.atomic
def _notify(*, pk: int, up_to: int, now: datetime.datetime) -> int:
    subscription = (
        Subscription.objects.due_for_notice(up_to=up_to, now=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("initiative", "member_state")
        .filter(pk=pk)
        .first()
    )
    if subscription is None:  # another worker has it, or has just told it
        return 0
    entries = list(subscription.entries(up_to=up_to))
    subscription.cursor = up_to
    if not entries:  # told by another worker between the two reads: nothing left to say
        subscription.save(update_fields=["cursor"])
        return 0
    enqueue_email(subscription, "notice", entries=entries)
    subscription.notified_at = now
    subscription.save(update_fields=["cursor", "notified_at"])
    return 1
