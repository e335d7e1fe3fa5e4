"""Notices: each change of a subscriber's concern reaches them once, in one email per pass."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives.models import Initiative
from initiatives.publishing import save_initiative
from initiatives.reference_data import load_reference_data
from members.models import MemberState
from subscriptions import notices
from tests.conftest import deliver
from tests.subscriptions.conftest import OPEN, OTHER, notices_to, record, secretariat, subscribed, withdraw

EMAIL = "reader@example.org"


def enqueued_notices() -> int:
    return DBTaskResult.objects.filter(task_path="alliance.background.send_message").count()


def test_a_notice_tells_of_the_endorsement_with_the_one_click_unsubscribe_headers(register):
    subscription = subscribed(EMAIL, initiative=Initiative.objects.get(slug=OPEN))
    endorsement = record(OPEN, "FRA")
    deliver()
    [notice] = notices_to(EMAIL)
    unsubscribe = f"https://register.example/en/subscriptions/unsubscribe/{subscription.token}/"
    assert notice.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert notice.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert notice.subject == "[Alliance register] Gender at the Centre Initiative: 1 change in the register"
    today = endorsement.endorsed_on
    assert f"- France endorsed “Gender at the Centre Initiative” on {today.day} {today:%B %Y}." in notice.body
    assert f"https://register.example/en/endorsements/{endorsement.reference}/" in notice.body
    assert unsubscribe in notice.body
    assert "recorder@secretariat.example" not in notice.body


def test_endorsements_made_before_the_confirmation_are_not_news(register):
    record(OPEN, "FRA")
    subscribed(EMAIL, initiative=Initiative.objects.get(slug=OPEN))
    deliver()
    assert notices_to(EMAIL) == []


def test_each_change_is_told_exactly_once(register):
    subscribed(EMAIL, member_state=MemberState.objects.get(code="FRA"))
    staff = secretariat()
    record(OPEN, "FRA", by=staff)
    deliver()
    deliver()
    withdraw(OPEN, "FRA", by=staff)
    deliver()
    deliver()
    first, second = notices_to(EMAIL)
    assert "France endorsed “Gender at the Centre Initiative”" in first.body
    assert "withdrew" not in first.body
    assert "France withdrew its endorsement of “Gender at the Centre Initiative”" in second.body
    assert "France endorsed" not in second.body


def test_each_subscriber_hears_of_what_they_follow_only(register):
    gender, paris = Initiative.objects.get(slug=OPEN), Initiative.objects.get(slug=OTHER)
    followers = {
        "initiative@example.org": {"initiative": gender},
        "other-initiative@example.org": {"initiative": paris},
        "state@example.org": {"member_state": MemberState.objects.get(code="FRA")},
        "other-state@example.org": {"member_state": MemberState.objects.get(code="DEU")},
        "everything@example.org": {},
    }
    for email, target in followers.items():
        subscribed(email, **target)
    record(OPEN, "FRA")
    deliver()
    told = {email for email in followers if notices_to(email)}
    assert told == {"initiative@example.org", "state@example.org", "everything@example.org"}


def test_an_initiative_follower_hears_that_it_closed_and_others_do_not(register):
    gender = Initiative.objects.get(slug=OPEN)
    subscribed("initiative@example.org", initiative=gender)
    subscribed("everything@example.org")
    gender.status = Initiative.Status.CLOSED
    save_initiative(initiative=gender, changed=["status"], by_a_person=False)
    deliver()
    [notice] = notices_to("initiative@example.org")
    assert "“Gender at the Centre Initiative” closed for endorsement." in notice.body
    assert "https://register.example/en/initiatives/gender-at-the-centre/" in notice.body
    assert notices_to("everything@example.org") == []


def test_immediate_notices_gather_the_changes_close_together(register, settings):
    settings.NOTICE_GATHER_SECONDS = 60
    subscribed(EMAIL)
    record(OPEN, "FRA")
    record(OPEN, "DEU")
    now = timezone.now()
    assert notices.send_notices(now) == 0  # the first change is not a minute old
    assert notices.send_notices(now + datetime.timedelta(seconds=61)) == 1
    assert notices.send_notices(now + datetime.timedelta(seconds=62)) == 0
    deliver()
    [notice] = notices_to(EMAIL)
    assert notice.subject == "[Alliance register] Every endorsement and withdrawal: 2 changes in the register"
    assert "France endorsed" in notice.body
    assert "Germany endorsed" in notice.body


def test_a_daily_digest_is_sent_at_most_once_a_day(register):
    subscription = subscribed(EMAIL, frequency="daily")
    confirmed = subscription.confirmed_at
    staff = secretariat()
    record(OPEN, "FRA", by=staff)
    record(OTHER, "BRA", by=staff)
    deliver()
    assert notices_to(EMAIL) == []  # not a day since the confirmation
    day = datetime.timedelta(days=1)
    assert notices.send_notices(confirmed + day) == 1
    assert notices.send_notices(confirmed + day) == 0
    record(OPEN, "DEU", by=staff)
    assert notices.send_notices(confirmed + day + datetime.timedelta(hours=23)) == 0
    assert notices.send_notices(confirmed + 2 * day) == 1
    deliver()
    first, second = notices_to(EMAIL)
    assert "2 changes" in first.subject
    assert "France endorsed" in first.body
    assert "Brazil endorsed" in first.body
    assert "1 change" in second.subject
    assert "Germany endorsed" in second.body
    assert "France" not in second.body


def test_a_rolled_back_endorsement_is_never_told(register):
    subscribed(EMAIL)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(OPEN, "FRA")
        raise RuntimeError("the request failed after the write")
    deliver()
    assert notices_to(EMAIL) == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite ignores select_for_update")
def test_a_pass_skips_the_subscription_another_worker_is_telling():
    load_reference_data()
    subscription = subscribed(EMAIL)
    record(OPEN, "FRA")
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT id FROM subscriptions_subscription WHERE id = %s FOR UPDATE", [subscription.pk])
            assert notices.send_notices() == 0  # not blocked, and nothing sent twice
            cursor.execute("ROLLBACK")
    finally:
        other.close()
    assert notices.send_notices() == 1
    assert notices.send_notices() == 0
    deliver()
    assert len(notices_to(EMAIL)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite ignores select_for_update")
def test_two_workers_at_once_send_one_notice():
    load_reference_data()
    for number in range(20):
        subscribed(f"reader{number}@example.org")
    record(OPEN, "FRA")
    before = enqueued_notices()
    start = threading.Barrier(2)
    sent = []

    def worker() -> None:
        try:
            start.wait()
            sent.append(notices.send_notices())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent) == 20
    assert enqueued_notices() - before == 20
    deliver()
    assert sorted(message.to[0] for message in mail.outbox if "1 change" in message.subject) == sorted(
        f"reader{number}@example.org" for number in range(20)
    )
