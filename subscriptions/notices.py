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

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

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
    told = _Told()
    return sum(_notify(pk=pk, up_to=up_to, now=now, told=told) for pk in due.values_list("pk", flat=True))


class _Told:
    """Each entry, read and written once per pass and language, however many subscribers it
    concerns (a burst of endorsements told to a thousand readers is a few hundred texts)."""

    def __init__(self) -> None:
        self.entries: dict[int, LogEntry] = {}
        self.texts: dict[tuple[int, str], str] = {}

    def events(self, indexes: list[int], language: str) -> list[str]:
        missing = [index for index in indexes if index not in self.entries]
        if missing:
            rows = LogEntry.objects.filter(index__in=missing).select_related(
                "initiative", "endorsement__initiative", "endorsement__member_state"
            )
            self.entries.update((row.index, row) for row in rows)
        with translation.override(language):
            for index in indexes:
                if (index, language) not in self.texts:
                    context = {"entry": self.entries[index], "site_url": settings.SITE_URL}
                    self.texts[index, language] = render_to_string("emails/subscription_event.txt", context)
        return [self.texts[index, language] for index in indexes]


@transaction.atomic
def _notify(*, pk: int, up_to: int, now: datetime.datetime, told: _Told) -> int:
    subscription = (
        Subscription.objects.due_for_notice(up_to=up_to, now=now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("initiative", "member_state")
        .filter(pk=pk)
        .first()
    )
    if subscription is None:  # another worker has it, or has just told it
        return 0
    indexes = list(subscription.entries(up_to=up_to).values_list("index", flat=True))
    subscription.cursor = up_to
    if not indexes:  # told by another worker between the two reads: nothing left to say
        subscription.save(update_fields=["cursor"])
        return 0
    enqueue_email(subscription, "notice", events=told.events(indexes, subscription.language))
    subscription.notified_at = now
    subscription.save(update_fields=["cursor", "notified_at"])
    return 1
