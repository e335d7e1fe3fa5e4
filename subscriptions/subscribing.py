"""Every write to the subscriptions: follow, confirm, unsubscribe, forget the unconfirmed.

Double opt-in: a request records a pending subscription and emails its owner a link; only its
confirmation (a POST from the page that link opens) makes it receive notices. Whatever the
address's state, the person asking gets the same answer, so the form tells nobody who follows what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from initiatives.models import Initiative, LogEntry
from members.models import MemberState
from subscriptions.emails import enqueue_email
from subscriptions.models import Subscription, confirmation_deadline, new_token


@transaction.atomic
def follow(
    *,
    email: str,
    initiative: Initiative | None,
    member_state: MemberState | None,
    frequency: Subscription.Frequency,
    language: str,
) -> None:
    """Ask `email` to confirm it follows the initiative, the state, or (neither) the whole register.

    A new or still pending subscription takes the frequency and language asked now and is sent the
    link (an expired one gets a new link); a confirmed one is left as it is and its owner is told
    they already follow it, with the link to stop. The caller limits how often an address is sent
    anything."""
    # Two requests at once for the same address: get_or_create's unique constraints decide.
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        email=email.strip().lower(),
        initiative=initiative,
        member_state=member_state,
        defaults={"frequency": frequency, "language": language},
    )
    if subscription.confirmed_at is not None:
        enqueue_email(subscription, "already")
        return
    if not created:
        now = timezone.now()
        if subscription.requested_at < confirmation_deadline(now):
            subscription.token = new_token()  # the expired link stays dead
        subscription.requested_at = now
        subscription.frequency, subscription.language = frequency, language
        subscription.save(update_fields=["token", "requested_at", "frequency", "language"])
    enqueue_email(subscription, "confirm", days=settings.SUBSCRIPTION_CONFIRM_DAYS)


@transaction.atomic
def confirm(*, token: str) -> Subscription | None:
    """Confirm the subscription whose link this is, unless it expired; None when there is none.

    From now on it is told of each new entry of its concern in the transparency log (none before)."""
    subscription = Subscription.objects.confirmable().select_for_update().filter(token=token).first()
    if subscription is None or subscription.confirmed_at is not None:
        return subscription
    last = LogEntry.objects.aggregate(last=Max("index"))["last"]
    subscription.confirmed_at = timezone.now()
    subscription.cursor = -1 if last is None else last
    subscription.save(update_fields=["confirmed_at", "cursor"])
    return subscription


def unsubscribe(*, token: str) -> bool:
    """Delete the subscription whose link this is: its address is not kept. False if there was none."""
    deleted, _by_model = Subscription.objects.filter(token=token).delete()
    return bool(deleted)


def forget_unconfirmed() -> int:
    """Periodic job: delete the subscriptions never confirmed within SUBSCRIPTION_CONFIRM_DAYS."""
    deleted, _by_model = Subscription.objects.expired().delete()
    return deleted
