import re

import pytest
from django.core import mail
from django.utils import timezone

from initiatives import endorsing
from initiatives.models import Initiative
from members.models import MemberState, User
from subscriptions import subscribing
from subscriptions.models import Subscription
from tests.conftest import deliver
from tests.factories import UserFactory

OPEN = "gender-at-the-centre"  # open for endorsement, and nobody's endorsement is recorded
OTHER = "paris-call"


@pytest.fixture(autouse=True)
def _notices_without_waiting(settings):
    settings.NOTICE_GATHER_SECONDS = 0
    settings.SITE_URL = "https://register.example"


def link_in(message, name: str) -> str:
    """The path of the confirm or unsubscribe link in an email's body."""
    return re.search(rf"https://register\.example(/[a-z-]+/subscriptions/{name}/[\w-]+/)", message.body).group(1)


def subscribed(email: str, *, initiative=None, member_state=None, frequency="immediate", language="en"):
    """A confirmed subscription, as its owner would make it (the request, then the confirmation)."""
    subscribing.follow(
        email=email,
        initiative=initiative,
        member_state=member_state,
        frequency=Subscription.Frequency(frequency),
        language=language,
    )
    subscription = Subscription.objects.get(email=email, initiative=initiative, member_state=member_state)
    subscribing.confirm(token=subscription.token)
    deliver()
    mail.outbox.clear()  # the confirmation email
    subscription.refresh_from_db()
    return subscription


def secretariat():
    return User.objects.filter(email="recorder@secretariat.example").first() or UserFactory(
        email="recorder@secretariat.example", is_staff=True
    )


def record(slug: str, code: str, *, by=None):
    return endorsing.record_endorsement(
        initiative=Initiative.objects.get(slug=slug),
        member_state=MemberState.objects.get(code=code),
        endorsed_on=timezone.localdate(),
        recorded_by=by or secretariat(),
        source_url="https://example.org/note-verbale",
    )


def withdraw(slug: str, code: str, *, by):
    return endorsing.record_withdrawal(
        initiative=Initiative.objects.get(slug=slug),
        member_state=MemberState.objects.get(code=code),
        withdrawn_on=timezone.localdate(),
        recorded_by=by,
        reason="Superseded by a national strategy.",
    )


def notices_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]
