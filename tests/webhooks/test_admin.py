"""Only secretariat admins, with their second factor, register endpoints and retry deliveries."""

from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives.models import LogEntry
from members.models import MemberState
from tests.conftest import deliver, sign_in
from tests.factories import UserFactory
from tests.webhooks.conftest import record
from webhooks.models import Delivery, Endpoint

ENDPOINTS = "/en/admin/webhooks/endpoint/"
DELIVERIES = "/en/admin/webhooks/delivery/"


def new_endpoint(url: str) -> dict:
    return {"url": url, "events": ["endorsement.recorded", "initiative.closed"], "owner_email": "ops@partner.example"}


def action(name: str, *rows) -> dict:
    return {"action": name, "index": "0", "select_across": "0", "_selected_action": [row.pk for row in rows]}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", HTTPStatus.FOUND),  # to the sign-in page
        ("signed_in", HTTPStatus.FOUND),
        ("editor", HTTPStatus.FORBIDDEN),
        ("admin", HTTPStatus.OK),
    ],
)
def test_who_may_see_webhook_endpoints_and_deliveries(who, expected, staff, persona, endpoint):
    if who in ("editor", "admin"):
        _user, client = staff(who)
    else:
        _user, client = persona(who)
    for url in (ENDPOINTS, f"{ENDPOINTS}{endpoint.pk}/change/", f"{ENDPOINTS}add/", DELIVERIES):
        response = client.get(url)
        assert response.status_code == expected, url
        assert (endpoint.secret in response.content.decode()) is (who == "admin" and "change" in url)


def test_an_editor_cannot_register_change_resume_or_retry(staff, endpoint, receiver, initiative, recorder):
    _user, client = staff("editor")
    response = client.post(f"{ENDPOINTS}add/", new_endpoint("https://partner.example/hooks"))
    assert response.status_code == HTTPStatus.FORBIDDEN and Endpoint.objects.count() == 1
    response = client.post(f"{ENDPOINTS}{endpoint.pk}/change/", new_endpoint("https://elsewhere.example/"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    response = client.post(ENDPOINTS, action("rotate", endpoint))
    assert response.status_code == HTTPStatus.FORBIDDEN
    receiver.answers = [500]
    record(initiative, "FRA", recorder)
    deliver()
    Delivery.objects.update(status="failed")
    response = client.post(DELIVERIES, action("retry", *Delivery.objects.all()))
    assert response.status_code == HTTPStatus.FORBIDDEN
    endpoint_now = Endpoint.objects.get()
    assert (endpoint_now.url, endpoint_now.secret) == (endpoint.url, endpoint.secret)
    assert list(Delivery.objects.values_list("status", flat=True)) == ["failed"]


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up(register, endpoint):
    user = UserFactory(email="new-admin@secretariat.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat admins"))
    client = sign_in(Client(), user)
    response = client.get(ENDPOINTS)
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == reverse("mfa_activate_totp")
    response = client.post(f"{ENDPOINTS}add/", new_endpoint("https://partner.example/hooks"))
    assert response.status_code == HTTPStatus.FOUND and Endpoint.objects.count() == 1


def test_an_admin_registers_an_endpoint_that_starts_at_the_end_of_the_log(staff, receiver):
    user, client = staff("admin")
    response = client.post(f"{ENDPOINTS}add/", new_endpoint(receiver.url))
    assert response.status_code == HTTPStatus.FOUND
    created = Endpoint.objects.get()
    assert created.url == receiver.url and created.created_by == user
    assert created.events == ["endorsement.recorded", "initiative.closed"]
    assert created.cursor == LogEntry.objects.order_by("-index").first().index
    assert created.secret.startswith("whsec_") and len(created.secret) >= len("whsec_") + 32
    assert created.history.get().history_user == user  # audited, without its secret
    assert not hasattr(created.history.get(), "secret")
    page = client.get(f"{ENDPOINTS}{created.pk}/change/").content.decode()
    assert created.secret in page and "0 pending, 0 failed" in page
    history = client.get(f"{ENDPOINTS}{created.pk}/history/")
    assert history.status_code == HTTPStatus.OK and user.email in history.content.decode()
    assert created.secret not in history.content.decode()


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hooks", "https://10.0.0.7/hooks", "https://[::1]/hooks", "http://93.184.215.14/hooks"],
)
def test_the_admin_form_refuses_an_address_that_may_not_receive(staff, settings, url):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    _user, client = staff("admin")
    response = client.post(f"{ENDPOINTS}add/", new_endpoint(url))
    assert response.status_code == HTTPStatus.OK
    errors = response.context["adminform"].form.errors["url"]
    assert "not a public internet address" in errors[0] or "Only https://" in errors[0]
    assert Endpoint.objects.count() == 0


def test_an_admin_resumes_an_endpoint_and_retries_failed_deliveries(staff, endpoint, receiver, initiative, recorder):
    _user, client = staff("admin")
    receiver.answers = [500]
    record(initiative, "FRA", recorder)
    deliver()
    Delivery.objects.update(status="failed")
    Endpoint.objects.update(state="paused", paused_reason="admin", paused_at=timezone.now())
    client.post(DELIVERIES, action("retry", *Delivery.objects.all()))
    deliver()
    assert len(receiver.requests) == 1  # pending again, but its endpoint is paused
    response = client.post(ENDPOINTS, action("resume", endpoint))
    assert response.status_code == HTTPStatus.FOUND
    deliver()
    assert len(receiver.requests) == 2
    assert Delivery.objects.get().status == "delivered" and Endpoint.objects.get().state == "active"


def test_an_admin_pauses_an_endpoint_and_rotates_its_secret(staff, endpoint, mailoutbox):
    _user, client = staff("admin")
    client.post(ENDPOINTS, action("pause", endpoint))
    client.post(ENDPOINTS, action("rotate", endpoint))
    deliver()
    changed = Endpoint.objects.get()
    assert (changed.state, changed.paused_reason) == ("paused", "admin")
    assert changed.secret != endpoint.secret and changed.previous_secret == endpoint.secret
    assert [message.to for message in mailoutbox] == [["ops@partner.example"]]


def test_deliveries_are_read_only(staff, endpoint, receiver, initiative, recorder):
    _user, client = staff("admin")
    record(initiative, "FRA", recorder)
    deliver()
    delivery = Delivery.objects.get()
    page = client.get(f"{DELIVERIES}{delivery.pk}/change/")
    assert page.status_code == HTTPStatus.OK and delivery.webhook_id in page.content.decode()
    response = client.post(f"{DELIVERIES}{delivery.pk}/change/", {"status": "pending"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"{DELIVERIES}{delivery.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert client.get(f"{ENDPOINTS}{endpoint.pk}/delete/").status_code == HTTPStatus.FORBIDDEN
    assert Delivery.objects.get().status == "delivered"


@pytest.mark.parametrize("events", [1, 20])
def test_the_changelists_take_as_many_queries_whatever_the_deliveries(
    events, staff, endpoint, receiver, initiative, recorder, django_assert_num_queries
):
    _user, client = staff("admin")
    for state in MemberState.objects.order_by("code")[:events]:
        record(initiative, state.code, recorder)
    deliver()
    assert Delivery.objects.count() == events
    client.get("/en/admin/")  # the session's first request also notes it in the person's sessions
    session = 0 if settings.SESSION_ENGINE.endswith("cached_db") else 1  # without Redis, read from the database
    with django_assert_num_queries(7 + session):
        assert client.get(ENDPOINTS).status_code == HTTPStatus.OK
    with django_assert_num_queries(8 + session):
        assert client.get(DELIVERIES).status_code == HTTPStatus.OK
    page = client.get(f"{DELIVERIES}?endpoint__id__exact={endpoint.pk}").content.decode()
    assert page.count("log-") >= events
