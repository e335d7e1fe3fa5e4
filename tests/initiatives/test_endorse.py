"""Endorsing and withdrawing on behalf of a state, for every persona (X is France, Y is Germany)."""

import datetime
from http import HTTPStatus

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from initiatives import endorsing
from initiatives.models import Endorsement, Initiative, LogEntry
from initiatives.publishing import save_initiative
from members.models import Accreditation, MemberState
from tests.conftest import PERSONAS, accredit, deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory

ENDORSE = "/en/initiatives/gender-at-the-centre/endorse/"  # nobody's endorsement is recorded
WITHDRAW = "/en/initiatives/paris-call/withdraw/"  # France and Germany are listed supporters
NOT_ACCREDITED = "Only a delegate with an approved, unexpired accreditation may act for a state."


def refusal_for(name: str) -> str:
    return "Secretariat staff cannot act for a state." if name == "staff" else NOT_ACCREDITED


# persona → (state whose row the write touches, or None when refused)
ACTS_FOR = {"delegate_of_x": "FRA", "delegate_of_y": "DEU"}


def open_rows(slug: str) -> set[str]:
    return set(
        Endorsement.objects.in_force().filter(initiative__slug=slug).values_list("member_state__code", flat=True)
    )


@pytest.mark.parametrize("name", PERSONAS)
def test_get_endorse_shows_the_confirmation_only_to_accredited_delegates(persona, name):
    _user, client = persona(name)
    response = client.get(ENDORSE)
    page = response.content.decode()
    if name == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/en/accounts/login/")
    elif name in ACTS_FOR:
        state = MemberState.objects.get(code=ACTS_FOR[name])
        assert response.status_code == HTTPStatus.OK
        assert f"Endorse on behalf of {state.name}" in page
        assert Initiative.objects.get(slug="gender-at-the-centre").commitment_en[:60] in page
        assert "Text version" in page
        assert "I confirm that I am authorised" in page
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert refusal_for(name) in page
    assert open_rows("gender-at-the-centre") == set()


@pytest.mark.parametrize("name", PERSONAS)
def test_post_endorse_writes_one_row_for_the_delegates_own_state_only(
    persona, name, mailoutbox, django_capture_on_commit_callbacks
):
    user, client = persona(name)
    france = MemberState.objects.get(code="FRA")
    with django_capture_on_commit_callbacks(execute=True):
        # A state and an initiative smuggled into the form are ignored.
        response = client.post(
            ENDORSE,
            {
                "authority": "on",
                "text_version": 1,
                "statement": "We stand by it.",
                "member_state": france.pk,
                "initiative": 1,
            },
        )
    if name in ACTS_FOR:
        row = Endorsement.objects.get(initiative__slug="gender-at-the-centre")
        assert open_rows("gender-at-the-centre") == {ACTS_FOR[name]}
        assert row.signed_by == user
        assert row.channel == Endorsement.Channel.ONLINE
        assert row.endorsed_on == timezone.localdate()
        assert row.text_version == 1
        assert row.statement == "We stand by it."
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == f"/en/endorsements/{row.reference}/"
        deliver()
        recipients = sorted(address for message in mailoutbox for address in message.to)
        assert recipients == sorted([user.email, "secretariat@alliance.example"])
        assert row.reference in mailoutbox[0].body
        assert "through an accredited delegate" in mailoutbox[0].body
        assert user.email not in mailoutbox[0].body  # the signer stays private, as on the receipt
        assert "Statement: We stand by it." in mailoutbox[0].body
    else:
        assert open_rows("gender-at-the-centre") == set()
        deliver()
        assert mailoutbox == []
        assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)
        if name != "anonymous":
            assert refusal_for(name) in response.content.decode()


@pytest.mark.parametrize("name", PERSONAS)
def test_get_withdraw_asks_for_a_reason_only_from_accredited_delegates(persona, name):
    _user, client = persona(name)
    response = client.get(WITHDRAW)
    if name == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
    elif name in ACTS_FOR:
        assert response.status_code == HTTPStatus.OK
        assert "Reason for the withdrawal" in response.content.decode()
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert refusal_for(name) in response.content.decode()
    assert {"FRA", "DEU"} <= open_rows("paris-call")


@pytest.mark.parametrize("name", PERSONAS)
def test_post_withdraw_closes_only_the_delegates_own_states_endorsement(
    persona, name, mailoutbox, django_capture_on_commit_callbacks
):
    user, client = persona(name)
    before = Endorsement.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(WITHDRAW, {"authority": "on", "reason": "A new national policy.", "member_state": "FRA"})
    assert Endorsement.objects.count() == before  # rows are never deleted
    if name in ACTS_FOR:
        code = ACTS_FOR[name]
        other = ({"FRA", "DEU"} - {code}).pop()
        row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code=code)
        assert row.withdrawn_on == timezone.localdate()
        assert row.withdrawn_by == user
        assert row.withdrawal_reason == "A new national policy."
        assert code not in open_rows("paris-call")
        assert other in open_rows("paris-call")
        assert response["Location"] == f"/en/endorsements/{row.reference}/"
        deliver()
        assert sorted(address for message in mailoutbox for address in message.to) == sorted(
            [user.email, "secretariat@alliance.example"]
        )
    else:
        assert {"FRA", "DEU"} <= open_rows("paris-call")
        deliver()
        assert mailoutbox == []


def test_a_second_endorsement_by_the_same_state_is_refused_with_the_date(persona):
    _user, client = persona("delegate_of_x")
    response = client.post("/en/initiatives/paris-call/endorse/", {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "This initiative was already endorsed on 16 September 2019 by France." in response.content.decode()
    assert Endorsement.objects.filter(initiative__slug="paris-call", member_state__code="FRA").count() == 1


def test_another_delegate_of_the_same_state_is_refused_after_the_first_endorsed(persona):
    _first, first_client = persona("delegate_of_x")
    first_client.post(ENDORSE, {"authority": "on", "text_version": 1})
    colleague = UserFactory()
    turn_on_mfa(colleague)
    accredit(colleague, "FRA")
    response = sign_in(Client(), colleague).post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "already endorsed on" in response.content.decode()
    assert Endorsement.objects.filter(initiative__slug="gender-at-the-centre").count() == 1
    # The refused period left nothing behind: one entry in the log, one task to tell the delegates.
    assert LogEntry.objects.filter(endorsement__initiative__slug="gender-at-the-centre").count() == 1
    assert DBTaskResult.objects.filter(args_kwargs__kwargs__template="endorsement_made").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Initiative.Status.CLOSED}, "This initiative is not open for endorsement."),
        ({"signing_closes_on": datetime.date(2020, 1, 1)}, "This initiative is not open for endorsement."),
        ({"signing_opens_on": datetime.date(2099, 1, 1)}, "This initiative is not open for endorsement."),
    ],
)
def test_only_open_initiatives_inside_their_signing_window_can_be_endorsed(persona, change, message):
    Initiative.objects.filter(slug="gender-at-the-centre").update(**change)
    _user, client = persona("delegate_of_x")
    for response in (client.get(ENDORSE), client.post(ENDORSE, {"authority": "on", "text_version": 1})):
        assert response.status_code == HTTPStatus.CONFLICT
        assert message in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_the_statement_of_authority_must_be_ticked(persona):
    _user, client = persona("delegate_of_x")
    response = client.post(ENDORSE, {"statement": "Yes."})
    assert response.status_code == HTTPStatus.OK
    assert "This field is required." in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_a_text_changed_after_the_delegate_read_it_is_not_endorsed_unread(persona):
    """The form carries the version its page showed: if the secretariat makes a material change
    meanwhile, the state does not endorse words its delegate never saw. The page shows the new text
    and keeps the statement; the delegate confirms again."""
    _user, client = persona("delegate_of_x")
    assert 'name="text_version" value="1"' in client.get(ENDORSE).content.decode()
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    changed = []
    for code in ("en", "fr", "es", "ar", "zh_hans", "ru"):  # a new version says the same in every language
        setattr(initiative, f"commitment_{code}", f"({code}) We put gender equality at the centre of every school.")
        changed.append(f"commitment_{code}")
    save_initiative(initiative=initiative, changed=changed, material=True)
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1, "statement": "Ours."})
    assert response.status_code == HTTPStatus.CONFLICT
    page = response.content.decode()
    assert "The text was changed while you read it: it is now version 2." in page
    assert "(en) We put gender equality at the centre of every school." in page
    assert 'name="text_version" value="2"' in page
    assert ">\nOurs.</textarea>" in page
    assert 'name="authority" required' in page and "checked" not in page  # to confirm again
    assert open_rows("gender-at-the-centre") == set()
    assert client.post(ENDORSE, {"authority": "on", "text_version": 2}).status_code == HTTPStatus.FOUND
    assert Endorsement.objects.get(initiative=initiative).text_version == 2


@pytest.mark.parametrize("version", [None, "", "two", "0"])
def test_a_form_without_the_version_read_is_refused_with_a_message(persona, version):
    _user, client = persona("delegate_of_x")
    data = {"authority": "on"} if version is None else {"authority": "on", "text_version": version}
    response = client.post(ENDORSE, data)
    assert response.status_code == HTTPStatus.OK
    assert "The page did not say which version of the text you read" in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_the_public_statement_is_limited_to_2000_characters(persona):
    _user, client = persona("delegate_of_x")
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1, "statement": "x" * 2001})
    assert "Ensure this value has at most 2000 characters (it has 2001)." in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_a_withdrawal_needs_a_reason(persona):
    _user, client = persona("delegate_of_x")
    response = client.post(WITHDRAW, {"authority": "on", "reason": "  "})
    assert "This field is required." in response.content.decode()
    assert "FRA" in open_rows("paris-call")


def test_endorsing_needs_a_second_factor(register):
    user = UserFactory()
    accredit(user, "FRA")
    response = sign_in(Client(), user).post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Set up two-factor authentication before acting for your state." in response.content.decode()
    assert 'href="/en/accounts/2fa/totp/activate/"' in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_a_second_factor_removed_since_the_form_was_read_refuses_the_signature(persona):
    """The request reads the delegate's second factors once, for every check it makes, and reads
    them again on the next request."""
    user, client = persona("delegate_of_x")
    assert client.get(ENDORSE).status_code == HTTPStatus.OK
    Authenticator.objects.filter(user=user).delete()  # removed in another tab
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Set up two-factor authentication before acting for your state." in response.content.decode()
    assert open_rows("gender-at-the-centre") == set()


def test_endorsing_needs_a_recent_reauthentication(persona):
    user, _client = persona("delegate_of_x")
    client = sign_in(Client(), user, reauthenticated=False)
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/en/accounts/reauthenticate/")
    assert open_rows("gender-at-the-centre") == set()


def test_the_step_up_before_endorsing_is_the_password_or_the_second_factor_never_an_emailed_code(persona, mailoutbox):
    user, _client = persona("delegate_of_x")
    client = sign_in(Client(), user, reauthenticated=False)
    page = client.get("/en/accounts/reauthenticate/").content.decode()
    assert 'name="password"' in page
    assert "/en/accounts/reauthenticate/code/" not in page
    assert client.post("/en/accounts/reauthenticate/code/", {"email": user.email}).status_code == HTTPStatus.FORBIDDEN
    deliver()
    assert mailoutbox == []


def test_a_revocation_takes_effect_on_the_next_request(persona):
    user, client = persona("delegate_of_x")
    assert client.get(ENDORSE).status_code == HTTPStatus.OK
    Accreditation.objects.filter(user=user).update(status=Accreditation.Status.REVOKED)
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert open_rows("gender-at-the-centre") == set()


def test_withdrawal_keeps_the_row_and_a_later_endorsement_opens_a_new_period(persona, anonymous):
    _user, client = persona("delegate_of_x")
    client.post(ENDORSE, {"authority": "on", "text_version": 1})
    client.post("/en/initiatives/gender-at-the-centre/withdraw/", {"authority": "on", "reason": "Policy review."})
    client.post(ENDORSE, {"authority": "on", "text_version": 1, "statement": "Back again."})
    periods = Endorsement.objects.filter(initiative__slug="gender-at-the-centre", member_state__code="FRA")
    assert periods.count() == 2
    assert periods.in_force().get().statement == "Back again."
    page = anonymous.get("/en/initiatives/gender-at-the-centre/").content.decode()
    assert "Withdrawn endorsements" in page
    assert "Policy review." in page
    history = anonymous.get("/en/states/fra/").content.decode()
    assert history.count("Gender at the Centre") >= 3  # in force, and twice in the history


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_an_email_failure_never_loses_the_endorsement(persona, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingMailServer"
    user, client = persona("delegate_of_x")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FOUND
    assert open_rows("gender-at-the-centre") == {"FRA"}
    deliver()
    waiting = DBTaskResult.objects.get(task_path="alliance.background.send_email", args_kwargs__kwargs__to=user.email)
    assert waiting.status == "READY" and waiting.run_after > timezone.now()  # tried again later
    assert "mail server down" in waiting.traceback
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=waiting.pk).update(run_after=timezone.now())
    deliver()
    deliver()
    assert user.email in [address for message in mail.outbox for address in message.to]


def test_the_delegate_never_waits_for_the_mail_server(persona, settings, django_capture_on_commit_callbacks):
    user, client = persona("delegate_of_x")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FOUND  # answered before any mail server was asked
    assert open_rows("gender-at-the-centre") == {"FRA"}
    assert mail.outbox == []
    deliver()
    assert user.email in [address for message in mail.outbox for address in message.to]


def test_the_receipt_shows_the_endorsement_but_never_the_signer(persona, anonymous):
    user, client = persona("delegate_of_x")
    client.post(ENDORSE, {"authority": "on", "text_version": 1, "statement": "For the record."})
    row = Endorsement.objects.get(initiative__slug="gender-at-the-centre")
    page = anonymous.get(f"/en/endorsements/{row.reference}/").content.decode()
    assert "France" in page
    assert "For the record." in page
    assert "Online, by an accredited delegate" in page
    assert user.email not in page


def test_csrf_is_enforced_on_endorse(persona):
    user, _client = persona("delegate_of_x")
    client = sign_in(Client(enforce_csrf_checks=True), user)
    response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert open_rows("gender-at-the-centre") == set()


def test_the_initiative_page_offers_the_delegate_the_right_action(persona):
    _user, client = persona("delegate_of_x")
    assert 'href="/en/initiatives/gender-at-the-centre/endorse/">' in client.get(
        "/en/initiatives/gender-at-the-centre/"
    ).content.decode().replace("\n", "").replace("  ", "")
    page = client.get("/en/initiatives/paris-call/").content.decode()
    assert "Withdraw the endorsement of France" in page


def test_the_emails_about_an_endorsement_the_secretariat_recorded_say_so(
    register, mailoutbox, django_capture_on_commit_callbacks
):
    staff = UserFactory(email="staff@secretariat.example", is_staff=True)
    senegal = MemberState.objects.get(code="SEN")
    delegate = accredit(UserFactory(email="delegate@sen.example"), "SEN")
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    with django_capture_on_commit_callbacks(execute=True):
        endorsing.record_endorsement(
            initiative=initiative,
            member_state=senegal,
            endorsed_on=datetime.date(2020, 2, 3),
            recorded_by=staff,
            source_note="Note verbale No. 12/2020",
        )
    deliver()
    made = mailoutbox[-1].body
    assert "The secretariat recorded, from a document, that Senegal endorsed" in made
    assert "Source: Note verbale No. 12/2020" in made
    assert "accredited delegate" not in made  # no delegate acted
    with django_capture_on_commit_callbacks(execute=True):
        endorsing.record_withdrawal(
            initiative=initiative,
            member_state=senegal,
            withdrawn_on=datetime.date(2021, 1, 4),
            recorded_by=staff,
            reason="Note verbale No. 1/2021",
        )
    deliver()
    withdrawn = mailoutbox[-1].body
    assert "The secretariat recorded, from a document, that Senegal withdrew its endorsement" in withdrawn
    assert "accredited delegate" not in withdrawn
    assert {address for message in mailoutbox for address in message.to} == {
        delegate.user.email,
        "secretariat@alliance.example",
    }


def test_an_endorsement_takes_the_same_few_queries_every_time(
    persona, settings, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """Hundreds of delegates sign within minutes in the General Assembly's high-level week: the user,
    the accreditation, the user's second factors (read once for our rule and allauth's step-up
    check), the initiative (its signing window read from that row), the two rows written (the
    one-open-endorsement constraint refuses a second period in force), its transparency log entry
    (the appends' turn, then the entry, which takes the next index), the task that tells the state's
    delegates (the worker writes and sends the emails), and the transaction's two statements.
    Without Redis, the session is read from the database too."""
    _user, client = persona("delegate_of_x")
    assert client.get(ENDORSE).status_code == HTTPStatus.OK  # the delegate reads the form first
    queries = 11 if settings.SESSION_ENGINE.endswith("cached_db") else 12
    if connection.vendor != "postgresql":
        queries -= 1  # SQLite has one writer at a time: appends need no turn
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(queries):
        response = client.post(ENDORSE, {"authority": "on", "text_version": 1})
    assert response.status_code == HTTPStatus.FOUND


def test_each_delegate_of_the_state_is_told_in_their_own_language(persona, django_capture_on_commit_callbacks):
    user, client = persona("delegate_of_x")
    user.language = "fr"  # as signing in on the French pages sets it
    user.save(update_fields=["language"])
    colleague = UserFactory(email="colleague@mission.example", language="ar")
    accredit(colleague, "FRA")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    deliver()
    told = {message.to[0]: message for message in mail.outbox}
    assert set(told) == {user.email, "colleague@mission.example", "secretariat@alliance.example"}
    assert "Registre de l’Alliance" in told[user.email].subject  # in French, though they endorsed on an English page
    assert "سجل" in told["colleague@mission.example"].subject  # Arabic, whatever the signer's language
    assert "Alliance register" in told["secretariat@alliance.example"].subject
