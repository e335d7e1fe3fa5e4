"""Following by email: the form, double opt-in, unsubscribing, and what the public never sees."""

import datetime
from http import HTTPStatus

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives.models import Initiative, LogEntry
from subscriptions import subscribing
from subscriptions.models import Subscription
from tests.conftest import deliver
from tests.subscriptions.conftest import OPEN, link_in, notices_to, record, subscribed

FOLLOW = f"/en/subscriptions/follow/?initiative={OPEN}"
EMAIL = "reader@example.org"


def ask(client: Client, path: str = FOLLOW, email: str = EMAIL, frequency: str = "immediate", **extra):
    return client.post(path, {"email": email, "frequency": frequency}, **extra)


def test_the_public_pages_offer_to_follow_by_email(register, anonymous):
    assert f'href="/en/subscriptions/follow/?initiative={OPEN}"' in anonymous.get(f"/en/initiatives/{OPEN}/").text
    assert 'href="/en/subscriptions/follow/?state=fra"' in anonymous.get("/en/states/fra/").text
    assert 'href="/en/subscriptions/follow/"' in anonymous.get("/en/initiatives/").text
    page = anonymous.get("/en/subscriptions/follow/?state=fra")
    assert "Receive an email when France endorses an initiative" in page.text
    assert '<label for="id_email">Your email address</label>' in page.text


def test_anyone_may_ask_to_follow_and_is_sent_a_link_to_confirm(register, anonymous):
    response = ask(anonymous, email="  Reader@Example.org ")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/en/subscriptions/follow/sent/"
    assert "Check your inbox" in anonymous.get(response["Location"]).text
    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.initiative.slug, subscription.member_state) == (EMAIL, OPEN, None)
    assert subscription.confirmed_at is None
    assert mail.outbox == []  # sent by the worker, not in the request
    deliver()
    [message] = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == "[Alliance register] Confirm that you follow “Gender at the Centre Initiative”"
    assert link_in(message, "confirm") == f"/en/subscriptions/confirm/{subscription.token}/"


def test_a_get_of_the_confirmation_link_never_confirms_the_button_does(register, anonymous):
    ask(anonymous)
    deliver()
    confirm = link_in(mail.outbox[0], "confirm")
    for _scanner in range(2):
        page = anonymous.get(confirm)
        assert page.status_code == HTTPStatus.OK
        assert '<button type="submit" class="button">Confirm</button>' in page.text
        assert "r…@example.org" in page.text
    assert Subscription.objects.get().confirmed_at is None
    last = LogEntry.objects.order_by("-index").values_list("index", flat=True).first()

    response = anonymous.post(confirm)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/en/initiatives/{OPEN}/"
    subscription = Subscription.objects.get()
    assert subscription.confirmed_at is not None
    assert subscription.cursor == last  # what happened before is not news
    page = anonymous.get(response["Location"])
    assert "Your subscription is confirmed: you follow Gender at the Centre Initiative by email." in page.text


def test_an_unconfirmed_subscription_receives_no_notice(register, anonymous):
    ask(anonymous)
    record(OPEN, "FRA")
    deliver()
    assert [message.subject for message in notices_to(EMAIL)] == [
        "[Alliance register] Confirm that you follow “Gender at the Centre Initiative”"
    ]


def test_an_unconfirmed_subscription_expires_after_seven_days(register, anonymous):
    ask(anonymous)
    ask(anonymous, email="recent@example.org")
    deliver()
    confirm = link_in(mail.outbox[0], "confirm")
    Subscription.objects.filter(email=EMAIL).update(requested_at=timezone.now() - datetime.timedelta(days=7, hours=1))

    response = anonymous.post(confirm)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This link is not valid" in response.text
    assert "A confirmation link works for 7 days" in response.text
    assert Subscription.objects.get(email=EMAIL).confirmed_at is None

    assert subscribing.forget_unconfirmed() == 1
    assert list(Subscription.objects.values_list("email", flat=True)) == ["recent@example.org"]


def test_asking_again_gives_the_same_answer_and_tells_only_the_mailbox(register):
    """New, pending or confirmed: the page answers the same; only the email differs."""
    answers = []
    for _attempt in range(2):
        answers.append(ask(Client()))
    subscribing.confirm(token=Subscription.objects.get().token)
    answers.append(ask(Client()))
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (HTTPStatus.FOUND, "/en/subscriptions/follow/sent/")
    }
    deliver()
    assert [message.subject.split("] ")[1].split(" “")[0] for message in mail.outbox] == [
        "Confirm that you follow",
        "Confirm that you follow",
        "You already follow",
    ]
    already = mail.outbox[2]
    assert link_in(already, "unsubscribe") == f"/en/subscriptions/unsubscribe/{Subscription.objects.get().token}/"
    assert Subscription.objects.get().confirmed_at is not None  # asking again changed nothing


def test_an_expired_request_asked_again_gets_a_new_link(register, anonymous):
    ask(anonymous)
    old = Subscription.objects.get().token
    Subscription.objects.update(requested_at=timezone.now() - datetime.timedelta(days=8))
    ask(anonymous, frequency="daily")
    subscription = Subscription.objects.get()
    assert subscription.token != old
    assert subscription.frequency == Subscription.Frequency.DAILY
    assert anonymous.get(f"/en/subscriptions/confirm/{old}/").status_code == HTTPStatus.NOT_FOUND


def test_an_address_is_sent_at_most_five_emails_a_day_whatever_is_asked(register):
    for attempt in range(7):
        response = ask(Client(REMOTE_ADDR=f"192.0.2.{attempt}"))
        assert response.status_code == HTTPStatus.FOUND
    deliver()
    assert len(notices_to(EMAIL)) == 5


def test_a_network_address_may_ask_twenty_times_an_hour(register, anonymous):
    for attempt in range(20):
        assert ask(anonymous, email=f"reader{attempt}@example.org").status_code == HTTPStatus.FOUND
    response = ask(anonymous, email="one-more@example.org")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many subscription requests came from your network." in response.text
    assert not Subscription.objects.filter(email="one-more@example.org").exists()


@pytest.mark.parametrize(
    ("path", "email", "frequency", "status", "error"),
    [
        (FOLLOW, "not an address", "immediate", HTTPStatus.BAD_REQUEST, "Enter a valid email address."),
        (FOLLOW, "", "immediate", HTTPStatus.BAD_REQUEST, "This field is required."),
        (FOLLOW, '"reader"@example.org', "immediate", HTTPStatus.BAD_REQUEST, "without quotation marks"),
        (FOLLOW, EMAIL, "hourly", HTTPStatus.BAD_REQUEST, "Select a valid choice."),
        ("/en/subscriptions/follow/?initiative=no-such-initiative", EMAIL, "daily", HTTPStatus.NOT_FOUND, None),
        ("/en/subscriptions/follow/?initiative=bad%00slug", EMAIL, "daily", HTTPStatus.BAD_REQUEST, None),
        ("/en/subscriptions/follow/?initiative=bad.slug", EMAIL, "daily", HTTPStatus.NOT_FOUND, None),
        ("/en/subscriptions/follow/?state=zzz", EMAIL, "daily", HTTPStatus.NOT_FOUND, None),
        ("/en/subscriptions/follow/?state=fr%C3%A9", EMAIL, "daily", HTTPStatus.NOT_FOUND, None),
        (f"/en/subscriptions/follow/?initiative={OPEN}&state=fra", EMAIL, "daily", HTTPStatus.NOT_FOUND, None),
    ],
)
def test_bad_input_gets_a_clear_answer_and_changes_nothing(register, anonymous, path, email, frequency, status, error):
    response = ask(anonymous, path=path, email=email, frequency=frequency)
    assert response.status_code == status
    if error:
        assert error in response.text
        field = "frequency" if frequency == "hourly" else "email"
        assert f'aria-describedby="id_{field}' in response.text
        assert f'id="id_{field}_error"' in response.text
        assert 'aria-invalid="true"' in response.text
    assert Subscription.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_a_draft_initiative_cannot_be_followed(register, anonymous):
    Initiative.objects.filter(slug=OPEN).update(status=Initiative.Status.DRAFT)
    assert anonymous.get(FOLLOW).status_code == HTTPStatus.NOT_FOUND


def test_the_emails_are_in_the_language_of_the_page(register, anonymous):
    response = anonymous.post("/fr/subscriptions/follow/?state=deu", {"email": EMAIL, "frequency": "immediate"})
    assert response["Location"] == "/fr/subscriptions/follow/sent/"
    deliver()
    confirmation = mail.outbox[0]
    assert confirmation.subject.startswith("[Registre de l’Alliance] ")
    assert "Allemagne" in confirmation.subject
    subscribing.confirm(token=Subscription.objects.get().token)
    mail.outbox.clear()
    endorsement = record(OPEN, "DEU")
    deliver()
    [notice] = notices_to(EMAIL)
    title = Initiative.objects.get(slug=OPEN).title_fr
    assert "Allemagne\xa0: soutien apporté le" in notice.body
    assert f"«\xa0{title}\xa0»" in notice.body
    assert f"https://register.example/fr/endorsements/{endorsement.reference}/" in notice.body
    assert notice.extra_headers["List-Unsubscribe"].startswith(
        "<https://register.example/fr/subscriptions/unsubscribe/"
    )


def test_a_one_click_post_unsubscribes_without_csrf_token_or_sign_in(register):
    subscription = subscribed(EMAIL, initiative=Initiative.objects.get(slug=OPEN))
    path = f"/en/subscriptions/unsubscribe/{subscription.token}/"
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert response.status_code == HTTPStatus.OK
    assert "You are unsubscribed" in response.text
    assert Subscription.objects.count() == 0
    again = mail_client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == HTTPStatus.OK  # the same answer: there is nothing left to stop
    record(OPEN, "FRA")
    deliver()
    assert notices_to(EMAIL) == []


def test_a_get_of_the_unsubscribe_link_shows_a_button_and_stops_nothing(register, anonymous):
    subscription = subscribed(EMAIL, initiative=Initiative.objects.get(slug=OPEN))
    page = anonymous.get(f"/en/subscriptions/unsubscribe/{subscription.token}/")
    assert page.status_code == HTTPStatus.OK
    assert '<button type="submit" class="button">Unsubscribe</button>' in page.text
    assert "r…@example.org" in page.text
    assert EMAIL not in page.text
    assert Subscription.objects.count() == 1
    unknown = anonymous.get("/en/subscriptions/unsubscribe/not-a-token/")
    assert unknown.status_code == HTTPStatus.NOT_FOUND
    assert "This link is not valid" in unknown.text


def test_no_public_page_shows_a_subscribers_address(register, anonymous):
    subscription = subscribed(EMAIL, initiative=Initiative.objects.get(slug=OPEN))
    record(OPEN, "FRA")
    for path in (
        f"/en/initiatives/{OPEN}/",
        "/en/states/fra/",
        "/en/initiatives/",
        "/en/feeds/endorsements/",
        f"/en/subscriptions/confirm/{subscription.token}/",
        f"/en/subscriptions/unsubscribe/{subscription.token}/",
        "/api/v1/endorsements?initiative=" + OPEN,
    ):
        response = anonymous.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert "reader@" not in response.content.decode(), path


def test_a_rolled_back_request_sends_nothing(register):
    with pytest.raises(RuntimeError), transaction.atomic():
        subscribing.follow(
            email=EMAIL,
            initiative=None,
            member_state=None,
            frequency=Subscription.Frequency.DAILY,
            language="en",
        )
        raise RuntimeError("the request failed after the write")
    deliver()
    assert Subscription.objects.count() == 0
    assert mail.outbox == []
