"""The secretariat sees who follows what by email; addresses stay with secretariat admins."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from initiatives.models import Initiative
from members.models import MemberState
from subscriptions import subscribing
from subscriptions.models import Subscription
from tests.conftest import sign_in, turn_on_mfa
from tests.factories import UserFactory

LIST = "/en/admin/subscriptions/subscription/"


def staff(role: str) -> Client:
    user = UserFactory(email=f"{role}@secretariat.example", is_staff=True)
    turn_on_mfa(user)
    user.groups.add(Group.objects.get(name={"editor": "Secretariat editors", "admin": "Secretariat admins"}[role]))
    return sign_in(Client(), user, reauthenticated=False)


def ask(email: str, **target) -> Subscription:
    subscribing.follow(
        email=email,
        initiative=target.get("initiative"),
        member_state=target.get("member_state"),
        frequency=Subscription.Frequency.IMMEDIATE,
        language="fr",
    )
    return Subscription.objects.get(email=email, **target)


@pytest.mark.parametrize(("role", "sees"), [("admin", True), ("editor", False)])
def test_secretariat_admins_list_the_subscriptions_with_counts_and_nobody_edits_them(register, role, sees):
    one = ask("one@example.org", initiative=Initiative.objects.get(slug="paris-call"))
    subscribing.confirm(token=one.token)
    ask("two@example.org", member_state=MemberState.objects.get(code="FRA"))
    ask("three@example.org")
    client = staff(role)
    refused = client.post(f"{LIST}{one.pk}/change/", {"frequency": "daily"})
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert Subscription.objects.get(pk=one.pk).frequency == Subscription.Frequency.IMMEDIATE
    response = client.get(LIST)
    if not sees:
        assert response.status_code == HTTPStatus.FORBIDDEN
        return
    page = response.content.decode()
    assert "one@example.org" in page
    assert "3 subscriptions" in page
    assert "Waiting for confirmation (2)" in page  # a filter with its count
    assert "Paris Call for Trust and Security in Cyberspace" in page
    assert "Every endorsement and withdrawal" in page


def test_the_list_takes_the_same_queries_whatever_the_rows(register):
    client = staff("admin")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == HTTPStatus.OK
        return len(captured)

    ask("first@example.org", initiative=Initiative.objects.get(slug="paris-call"))
    queries()  # the first request fills per-process caches (content types, permissions)
    few = queries()
    for state in MemberState.objects.order_by("code")[:40]:
        ask(f"{state.code.lower()}@example.org", member_state=state)
    assert queries() == few
