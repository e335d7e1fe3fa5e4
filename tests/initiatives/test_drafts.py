"""Drafts proposed by a state and their co-sponsors (issue #18, items 1 and 2), for every persona.

France (FRA) leads the draft, Germany (DEU) is invited to co-sponsor it, Italy (ITA) takes no part.
"""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives import coalitions
from initiatives.models import Initiative, Sponsorship, Theme
from members.models import Accreditation, MemberState, User
from tests.conftest import accredit, deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
TITLE = "Appel pour des océans protégés"
COMMITMENT = "L'État s'engage à protéger un tiers de ses eaux."
LANGUAGES = ["en", "fr", "es", "ar", "zh_hans", "ru"]
CAST = ["anonymous", "signed_in", "lead", "invited", "outsider", "revoked", "expired", "no_mfa", "editor", "admin"]
STATE_OF = {"lead": "FRA", "invited": "DEU", "outsider": "ITA"}  # the delegates who may act for a state
STAFF_NEVER_ACT = "Secretariat staff cannot act for a state."
NOT_ACCREDITED = "Only a delegate with an approved, unexpired accreditation may act for a state."
REFUSED = {
    "signed_in": NOT_ACCREDITED,
    "revoked": NOT_ACCREDITED,
    "expired": NOT_ACCREDITED,
    "no_mfa": "Set up two-factor authentication before acting for your state.",
    "editor": STAFF_NEVER_ACT,
    "admin": STAFF_NEVER_ACT,
}


def delegate(email: str, code: str, *, language: str = "en", mfa: bool = True) -> Accreditation:
    user = UserFactory(email=email, language=language)
    if mfa:
        turn_on_mfa(user)
    return accredit(user, code)


@pytest.fixture
def cast(register):
    """One persona by name: (user or None, a client signed in and freshly re-authenticated)."""

    def build(name: str) -> tuple[User | None, Client]:
        if name == "anonymous":
            return None, Client()
        user = UserFactory(email=f"{name}@example.org", is_staff=name in ("editor", "admin"))
        if name != "no_mfa":
            turn_on_mfa(user)
        if name in STATE_OF:
            accredit(user, STATE_OF[name])
        elif name == "no_mfa":
            accredit(user, "FRA")
        elif name == "revoked":
            accredit(user, "FRA", status=Accreditation.Status.REVOKED)
        elif name == "expired":
            accredit(user, "FRA", valid_until=timezone.localdate() - datetime.timedelta(days=1))
        elif name in ("editor", "admin"):
            # Accredited before joining the secretariat: staff still never act for a state.
            accredit(user, "FRA")
            user.groups.add(Group.objects.get(name="Secretariat editors" if name == "editor" else "Secretariat admins"))
        return user, sign_in(Client(), user)

    return build


def propose(proposer: Accreditation, **changes) -> Initiative:
    values = {
        "language": "fr",
        "title": TITLE,
        "summary": "Un résumé.",
        "commitment": COMMITMENT,
        "theme": Theme.objects.order_by("slug").first(),
        "kind": Initiative.Kind.CALL,
        "signing_opens_on": timezone.localdate() + datetime.timedelta(days=30),
        "signing_closes_on": None,
    }
    return coalitions.propose_draft(delegate=proposer, **{**values, **changes})


@pytest.fixture
def draft(register) -> Initiative:
    """France's draft, with Germany invited."""
    proposer = delegate("proposer@mfa.example", "FRA")
    initiative = propose(proposer)
    coalitions.invite_state(draft=initiative, delegate=proposer, member_state=MemberState.objects.get(code="DEU"))
    return initiative


def status_of(initiative: Initiative, code: str) -> tuple[str, str] | None:
    row = Sponsorship.objects.filter(initiative=initiative, member_state__code=code).first()
    return (row.role, row.status) if row else None


def url(initiative: Initiative, action: str = "") -> str:
    return f"/en/delegate/drafts/{initiative.pk}/" + (f"{action}/" if action else "")


def assert_refused_before_the_draft(name: str, response) -> None:
    """Those who may not act for a state never reach a draft, whatever they ask."""
    if name == "anonymous":
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/en/accounts/login/")
    else:
        assert response.status_code == HTTPStatus.FORBIDDEN
        assert REFUSED[name] in response.content.decode()
        assert TITLE not in response.content.decode()


# --- The role × action matrix ------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_only_delegates_of_the_states_taking_part_read_a_draft(cast, draft, name):
    _user, client = cast(name)
    response = client.get(url(draft))
    page = response.content.decode()
    if name in ("lead", "invited"):
        assert response.status_code == HTTPStatus.OK
        assert TITLE in page and COMMITMENT.replace("'", "&#x27;") in page
        assert '<article class="draft-text" lang="fr" dir="ltr"' in page  # read in the language it is written in
        assert "France" in page and "Germany" in page
        assert ("Invite a co-sponsor" in page) is (name == "lead")
        assert ("Accept the invitation" in page) is (name == "invited")
    elif name == "outsider":
        assert response.status_code == HTTPStatus.NOT_FOUND  # as if it did not exist
        assert TITLE not in page
    else:
        assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("name", CAST)
def test_any_active_delegate_with_a_second_factor_proposes_a_draft_for_their_own_state(cast, name, mailoutbox):
    _user, client = cast(name)
    before = Initiative.objects.count()
    opens = timezone.localdate() + datetime.timedelta(days=10)
    response = client.post(
        "/en/delegate/drafts/new/",
        {
            "language": "ar",
            "title": "نداء من أجل المحيطات",
            "summary": "ملخص.",
            "commitment": "تلتزم الدولة بحماية المحيطات.",
            "theme": Theme.objects.order_by("slug").first().pk,
            "kind": "call",
            "signing_opens_on": opens.isoformat(),
            "authority": "on",
            "member_state": MemberState.objects.get(code="DEU").pk,  # smuggled in: ignored
        },
    )
    if name in STATE_OF:
        draft = Initiative.objects.get(title_ar="نداء من أجل المحيطات")
        assert draft.status == Initiative.Status.DRAFT
        assert (draft.signing_opens_on, draft.signing_closes_on, draft.launched_on) == (opens, None, opens)
        assert draft.written_in() == ["ar"]
        assert draft.translation_status == {
            "title": {"ar": "reviewed"},
            "summary": {"ar": "reviewed"},
            "commitment": {"ar": "reviewed"},
        }
        lead = Sponsorship.objects.get(initiative=draft)
        assert (lead.member_state.code, lead.role, lead.status) == (STATE_OF[name], "lead", "accepted")
        assert lead.decided_by == _user
        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"] == url(draft)
        page = client.get(url(draft)).content.decode()
        assert '<h1><span lang="ar" dir="rtl">نداء من أجل المحيطات</span></h1>' in page  # the page is in English
        assert "Your draft is saved." in page
    else:
        assert Initiative.objects.count() == before
        assert_refused_before_the_draft(name, response)
    deliver()
    assert mailoutbox == []  # nobody is told of a draft before an invitation


@pytest.mark.parametrize("name", CAST)
def test_only_the_lead_states_delegates_invite_a_co_sponsor(cast, draft, name, mailoutbox):
    _user, client = cast(name)
    delegate("spain@mfa.example", "ESP")
    response = client.post(
        url(draft, "invite"), {"member_state": MemberState.objects.get(code="ESP").pk, "authority": "on"}
    )
    deliver()
    if name == "lead":
        row = Sponsorship.objects.get(initiative=draft, member_state__code="ESP")
        assert (row.role, row.status, row.invited_by) == ("co_sponsor", "invited", _user)
        assert response["Location"] == url(draft)
        assert [message.to for message in mailoutbox] == [["spain@mfa.example"]]
    else:
        assert status_of(draft, "ESP") is None
        assert mailoutbox == []
        if name == "invited":
            assert response.status_code == HTTPStatus.CONFLICT
            assert "Only the delegates of the lead state invite co-sponsors." in response.content.decode()
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("action", ["accept", "decline"])
@pytest.mark.parametrize("name", CAST)
def test_only_the_invited_states_delegates_answer_its_invitation(cast, draft, name, action, mailoutbox):
    _user, client = cast(name)
    lead_delegate = delegate("paris@mfa.example", "FRA", language="fr")
    response = client.post(url(draft, action), {"authority": "on", "member_state": "FRA"})
    deliver()
    if name == "invited":
        row = Sponsorship.objects.get(initiative=draft, member_state__code="DEU")
        assert row.status == ("accepted" if action == "accept" else "declined")
        assert (row.decided_by, row.decided_at is not None) == (_user, True)
        assert response["Location"] == (url(draft) if action == "accept" else "/en/delegate/drafts/")
        # The lead state's delegates are told, in their language.
        told = [message for message in mailoutbox if lead_delegate.user.email in message.to]
        assert len(told) == 1
        assert f"/fr/delegate/drafts/{draft.pk}/" in told[0].body
        assert "Allemagne" in told[0].subject  # Germany, named in French
    else:
        assert status_of(draft, "DEU") == ("co_sponsor", "invited")
        assert status_of(draft, "FRA") == ("lead", "accepted")
        assert mailoutbox == []
        if name == "lead":
            assert response.status_code == HTTPStatus.CONFLICT
            assert "Your state has no invitation to this draft waiting for an answer." in response.content.decode()
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.fixture
def co_sponsored(draft) -> Initiative:
    """The draft, with Germany's invitation accepted by one of its delegates."""
    coalitions.accept_invitation(draft=draft, delegate=delegate("berlin@mfa.example", "DEU"))
    return draft


@pytest.mark.parametrize("name", CAST)
def test_only_a_co_sponsors_delegates_leave_the_draft(cast, co_sponsored, name):
    _user, client = cast(name)
    response = client.post(url(co_sponsored, "leave"), {"authority": "on"})
    if name == "invited":  # Germany's delegate, now of a co-sponsor
        assert status_of(co_sponsored, "DEU") == ("co_sponsor", "left")
        assert response["Location"] == "/en/delegate/drafts/"
        assert client.get(url(co_sponsored)).status_code == HTTPStatus.NOT_FOUND  # it reads the draft no more
    else:
        assert status_of(co_sponsored, "DEU") == ("co_sponsor", "accepted")
        if name == "lead":
            assert response.status_code == HTTPStatus.CONFLICT
            assert "Only a co-sponsor leaves a draft" in response.content.decode()
            assert status_of(co_sponsored, "FRA") == ("lead", "accepted")
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("name", CAST)
def test_only_the_lead_states_delegates_hand_the_lead_to_a_co_sponsor(cast, co_sponsored, name, mailoutbox):
    _user, client = cast(name)
    deliver()  # the news of Germany's acceptance, sent to France
    mailoutbox.clear()
    germany = MemberState.objects.get(code="DEU")
    response = client.post(url(co_sponsored, "lead"), {"member_state": germany.pk, "authority": "on"})
    deliver()
    if name == "lead":
        assert status_of(co_sponsored, "DEU") == ("lead", "accepted")
        assert status_of(co_sponsored, "FRA") == ("co_sponsor", "accepted")  # France stays a co-sponsor
        assert response["Location"] == url(co_sponsored)
        assert "berlin@mfa.example" in [address for message in mailoutbox for address in message.to]
        assert any("Germany now leads a draft initiative" in message.subject for message in mailoutbox)
    else:
        assert status_of(co_sponsored, "FRA") == ("lead", "accepted")
        assert status_of(co_sponsored, "DEU") == ("co_sponsor", "accepted")
        assert mailoutbox == []
        if name == "invited":
            assert response.status_code == HTTPStatus.CONFLICT
            assert "Only the delegates of the lead state hand over the lead." in response.content.decode()
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


# --- Forged requests and bad input -------------------------------------------------------------


def test_a_forged_invitation_for_another_states_draft_changes_nothing(cast, draft):
    """Italy's delegate posts to France's draft, naming France or Germany in the form."""
    _user, client = cast("outsider")
    for action, data in (
        ("accept", {"authority": "on", "member_state": MemberState.objects.get(code="DEU").pk}),
        ("decline", {"authority": "on", "initiative": draft.pk}),
        ("invite", {"member_state": MemberState.objects.get(code="ITA").pk, "authority": "on"}),
        ("lead", {"member_state": MemberState.objects.get(code="ITA").pk, "authority": "on"}),
        ("leave", {"authority": "on"}),
    ):
        assert client.post(url(draft, action), data).status_code == HTTPStatus.NOT_FOUND
    assert list(Sponsorship.objects.filter(initiative=draft).values_list("member_state__code", "role", "status")) == [
        ("DEU", "co_sponsor", "invited"),
        ("FRA", "lead", "accepted"),
    ]


def test_the_lead_cannot_hand_the_lead_to_a_state_that_has_not_accepted(cast, draft):
    _user, client = cast("lead")
    coalitions.accept_invitation(draft=draft, delegate=delegate("berlin@mfa.example", "DEU"))
    coalitions.invite_state(
        draft=draft,
        delegate=Accreditation.objects.get(user__email="proposer@mfa.example"),
        member_state=MemberState.objects.get(code="ESP"),
    )
    for code in ("ESP", "ITA", "FRA"):  # invited only, never asked, itself
        response = client.post(
            url(draft, "lead"), {"member_state": MemberState.objects.get(code=code).pk, "authority": "on"}
        )
        assert response.status_code == HTTPStatus.OK
        assert 'aria-invalid="true"' in response.content.decode()
        assert "Select a valid choice." in response.content.decode()
    assert status_of(draft, "FRA") == ("lead", "accepted")
    with pytest.raises(coalitions.DraftRefused, match="accepted to co-sponsor"):
        coalitions.hand_over_lead(
            draft=draft,
            delegate=Accreditation.objects.get(user__email="proposer@mfa.example"),
            to_state=MemberState.objects.get(code="ESP"),
        )


def test_an_invitation_goes_only_to_un_member_states_not_yet_taking_part(cast, draft):
    _user, client = cast("lead")
    proposer = Accreditation.objects.get(user__email="proposer@mfa.example")
    organisation = MemberState.objects.exclude(kind=MemberState.Kind.UN_MEMBER).first()
    page = client.get(url(draft, "invite")).content.decode()
    assert f'value="{organisation.pk}"' not in page
    assert ">Germany</option>" not in page and ">France</option>" not in page and ">Italy</option>" in page
    response = client.post(
        url(draft, "invite"), {"member_state": MemberState.objects.get(code="DEU").pk, "authority": "on"}
    )
    assert response.status_code == HTTPStatus.OK
    assert 'id="id_member_state_error"' in response.content.decode()
    for state, message in (
        (organisation, "among the UN member states"),
        (MemberState.objects.get(code="DEU"), "already invited"),
    ):
        with pytest.raises(coalitions.DraftRefused, match=message):
            coalitions.invite_state(draft=draft, delegate=proposer, member_state=state)
    assert Sponsorship.objects.filter(initiative=draft).count() == 2


def test_a_state_that_declined_may_be_invited_again_and_reads_the_draft_again(cast, draft):
    germany = delegate("berlin@mfa.example", "DEU")
    proposer = Accreditation.objects.get(user__email="proposer@mfa.example")
    coalitions.decline_invitation(draft=draft, delegate=germany)
    assert list(Initiative.objects.drafts_visible_to(germany.member_state)) == []
    coalitions.invite_state(draft=draft, delegate=proposer, member_state=germany.member_state)
    row = Sponsorship.objects.get(initiative=draft, member_state=germany.member_state)
    assert (row.status, row.decided_by, row.decided_at) == ("invited", None, None)
    assert list(Initiative.objects.drafts_visible_to(germany.member_state)) == [draft]
    # Each step is in the audit trail, with who took it.
    assert [(record.status, record.history_type) for record in row.history.order_by("history_id")] == [
        ("invited", "+"),
        ("declined", "~"),
        ("invited", "~"),
    ]


def test_the_lead_state_leaves_only_after_handing_the_lead_over(co_sponsored):
    proposer = Accreditation.objects.get(user__email="proposer@mfa.example")
    with pytest.raises(coalitions.DraftRefused, match="hand the lead to a co-sponsor before leaving"):
        coalitions.leave_draft(draft=co_sponsored, delegate=proposer)
    coalitions.hand_over_lead(draft=co_sponsored, delegate=proposer, to_state=MemberState.objects.get(code="DEU"))
    coalitions.leave_draft(draft=co_sponsored, delegate=proposer)
    assert status_of(co_sponsored, "FRA") == ("co_sponsor", "left")
    assert status_of(co_sponsored, "DEU") == ("lead", "accepted")


def test_an_opened_initiative_takes_no_more_coalition_steps(co_sponsored):
    every_text = {f"{field}_{code}": "…" for field in ("title", "summary", "commitment") for code in LANGUAGES}
    Initiative.objects.filter(pk=co_sponsored.pk).update(status=Initiative.Status.CLOSED, **every_text)
    proposer = Accreditation.objects.get(user__email="proposer@mfa.example")
    with pytest.raises(coalitions.DraftRefused, match="no longer a draft"):
        coalitions.invite_state(draft=co_sponsored, delegate=proposer, member_state=MemberState.objects.get(code="ESP"))
    with pytest.raises(coalitions.DraftRefused, match="no longer a draft"):
        coalitions.leave_draft(draft=co_sponsored, delegate=Accreditation.objects.get(user__email="berlin@mfa.example"))
    assert list(Initiative.objects.drafts_visible_to(proposer.member_state)) == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "   "}, "title", "This field is required."),
        ({"signing_opens_on": "2001-01-01"}, "signing_opens_on", "cannot open in the past"),
        ({"signing_closes_on": "2001-01-01"}, "signing_closes_on", "must close after it opens"),
        ({"language": "de"}, "language", "Select a valid choice."),
        ({"authority": ""}, "authority", "This field is required."),
        ({"title": "Un appel\u202e caché"}, "title", ""),
    ],
)
def test_a_bad_proposal_saves_nothing_and_says_why_next_to_the_field(cast, changes, field, message):
    _user, client = cast("lead")
    before = Initiative.objects.count()
    data = {
        "language": "fr",
        "title": TITLE,
        "summary": "Un résumé.",
        "commitment": COMMITMENT,
        "theme": Theme.objects.order_by("slug").first().pk,
        "kind": "call",
        "signing_opens_on": (timezone.localdate() + datetime.timedelta(days=5)).isoformat(),
        "authority": "on",
        **changes,
    }
    response = client.post("/en/delegate/drafts/new/", data)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert Initiative.objects.count() == before
    assert f'<div class="field__error" id="id_{field}_error">' in page
    assert (
        f'aria-describedby="id_{field}_error' in page
        or f'aria-describedby="id_{field}_helptext id_{field}_error"' in page
    )
    assert message in page


def test_the_database_holds_one_lead_and_one_row_per_state(draft):
    france, germany = MemberState.objects.get(code="FRA"), MemberState.objects.get(code="DEU")
    rows = Sponsorship.objects.filter(initiative=draft)
    with pytest.raises(IntegrityError, match="sponsorship_answer_has_its_author"), transaction.atomic():
        rows.filter(member_state=germany).update(status="accepted")  # by nobody
    # PostgreSQL names the constraint; SQLite names its columns.
    one_row = "one_sponsorship_per_state|initiatives_sponsorship.initiative_id, initiatives_sponsorship.member_state_id"
    with pytest.raises(IntegrityError, match=one_row), transaction.atomic():
        Sponsorship.objects.create(initiative=draft, member_state=france, invited_at=timezone.now())
    with pytest.raises(IntegrityError, match="lead_has_accepted"), transaction.atomic():
        rows.filter(member_state=france).update(status="left")  # the lead leaves without handing over
    coalitions.accept_invitation(draft=draft, delegate=delegate("berlin@mfa.example", "DEU"))
    one_lead = "one_lead_per_initiative|UNIQUE constraint failed: initiatives_sponsorship.initiative_id$"
    with pytest.raises(IntegrityError, match=one_lead), transaction.atomic():
        rows.filter(member_state=germany).update(role="lead")
    assert sorted(rows.values_list("member_state__code", "role", "status")) == [
        ("DEU", "co_sponsor", "accepted"),
        ("FRA", "lead", "accepted"),
    ]


# --- Never public before it opens --------------------------------------------------------------


def test_a_draft_and_its_invitations_are_seen_by_no_one_outside_the_coalition(cast, draft, anonymous):
    published = Initiative.objects.published().count()
    for path in (
        "/en/",
        "/en/initiatives/",
        f"/en/initiatives/?q={TITLE[:5]}",
        "/en/states/fra/",
        "/en/states/deu/",
        "/fr/",
    ):
        response = anonymous.get(path)
        assert response.status_code == HTTPStatus.OK, path
        assert TITLE not in response.content.decode() and draft.slug not in response.content.decode(), path
    for path in (
        f"/en/initiatives/{draft.slug}/",
        f"/en/initiatives/{draft.slug}/versions/",
        f"/en/embed/initiatives/{draft.slug}/",
    ):
        assert anonymous.get(path).status_code == HTTPStatus.NOT_FOUND, path
    listing = anonymous.get("/api/v1/initiatives").json()
    assert draft.slug not in [item["slug"] for item in listing["items"]]
    assert listing["count"] == published == 6
    assert anonymous.get(f"/api/v1/initiatives/{draft.slug}").status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get(f"/api/v1/initiatives/{draft.slug}.csv").status_code == HTTPStatus.NOT_FOUND
    assert draft.slug not in anonymous.get("/api/v1/initiatives.csv").content.decode()
    assert TITLE not in anonymous.get("/en/feeds/initiatives/").content.decode()
    assert anonymous.get(f"/en/feeds/initiatives/{draft.slug}/").status_code == HTTPStatus.NOT_FOUND
    assert anonymous.get(url(draft)).status_code == HTTPStatus.FOUND  # to sign in

    _user, outsider = cast("outsider")
    for path in ("/en/delegate/", "/en/delegate/drafts/"):
        page = outsider.get(path).content.decode()
        assert TITLE not in page and "Germany" not in page, path
    for action in ("", "invite", "accept", "decline", "leave", "lead"):
        assert outsider.get(url(draft, action)).status_code == HTTPStatus.NOT_FOUND


def test_the_invited_states_delegate_sees_the_invitation_on_their_delegate_page(cast, draft):
    _user, client = cast("invited")
    page = client.get("/en/delegate/").content.decode()
    assert "Germany is invited to co-sponsor a draft:" in page
    assert f'<a href="{url(draft)}"><span lang="fr" dir="ltr">{TITLE}</span></a>' in page
    drafts = client.get("/en/delegate/drafts/").content.decode()
    assert "Invitations to answer" in drafts and TITLE in drafts


def test_a_state_that_declined_no_longer_reads_the_draft(cast, draft):
    _user, client = cast("invited")
    client.post(url(draft, "decline"), {"authority": "on"})
    assert client.get(url(draft)).status_code == HTTPStatus.NOT_FOUND
    assert TITLE not in client.get("/en/delegate/drafts/").content.decode()
    assert TITLE not in client.get("/en/delegate/").content.decode()


# --- Re-authentication, the statement of authority, and the emails -----------------------------


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_an_answer_with_a_stale_session_records_nothing_and_is_not_replayed(cast, draft, action):
    user, _fresh = cast("invited")
    stale = sign_in(Client(), user, reauthenticated=False)
    planted = stale.post(url(draft, action), {"authority": "on"})
    assert planted.status_code == HTTPStatus.FOUND
    assert planted["Location"].startswith("/en/accounts/reauthenticate/")
    assert status_of(draft, "DEU") == ("co_sponsor", "invited")
    # The delegate confirms their password: the kept POST is not run.
    after = stale.post(
        f"/en/accounts/reauthenticate/?next={url(draft, action)}", {"password": PASSWORD, "next": url(draft, action)}
    )
    assert after["Location"] == url(draft, action)
    assert status_of(draft, "DEU") == ("co_sponsor", "invited")
    assert 'name="authority" required' in stale.get(url(draft, action)).content.decode()  # the form, to send again
    stale.post(url(draft, action), {"authority": "on"})
    assert status_of(draft, "DEU") == ("co_sponsor", "accepted" if action == "accept" else "declined")


@pytest.mark.parametrize("action", ["accept", "decline", "leave"])
def test_a_decision_without_the_statement_of_authority_records_nothing(cast, draft, action):
    _user, client = cast("invited")
    if action == "leave":
        coalitions.accept_invitation(draft=draft, delegate=Accreditation.objects.get(user__email="invited@example.org"))
    before = status_of(draft, "DEU")
    response = client.post(url(draft, action), {})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert status_of(draft, "DEU") == before
    assert '<div class="field__error" id="id_authority_error">' in page
    assert 'aria-invalid="true" aria-describedby="id_authority_error"' in page


def test_the_invited_states_delegates_are_told_each_in_their_own_language(register, mailoutbox):
    proposer = delegate("proposer@mfa.example", "FRA")
    delegate("cairo@mfa.example", "EGY", language="ar")
    delegate("le-caire@mfa.example", "EGY", language="fr")
    delegate("no-second-factor@mfa.example", "EGY", mfa=False)  # active: told, though they must set up MFA to act
    revoked = accredit(UserFactory(email="revoked@mfa.example"), "EGY", status=Accreditation.Status.REVOKED)
    staff = UserFactory(email="former@secretariat.example", is_staff=True)
    accredit(staff, "EGY")
    draft = propose(proposer)
    _row, told = coalitions.invite_state(
        draft=draft, delegate=proposer, member_state=MemberState.objects.get(code="EGY")
    )
    assert told == 3
    assert mailoutbox == []  # sent by the worker, after the commit
    deliver()
    by_address = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_address) == ["cairo@mfa.example", "le-caire@mfa.example", "no-second-factor@mfa.example"]
    assert revoked.user.email not in by_address and staff.email not in by_address
    arabic, french = by_address["cairo@mfa.example"], by_address["le-caire@mfa.example"]
    assert "مصر" in arabic.subject and "فرنسا" in arabic.subject  # Egypt and France, named in Arabic
    assert f"/ar/delegate/drafts/{draft.pk}/" in arabic.body
    assert "Égypte" in french.subject and f"/fr/delegate/drafts/{draft.pk}/" in french.body
    assert TITLE in arabic.body and TITLE in french.body  # the title as it is written


def test_a_state_without_an_accredited_delegate_is_invited_and_the_lead_is_told_so(cast, draft, mailoutbox):
    _user, client = cast("lead")
    response = client.post(
        url(draft, "invite"), {"member_state": MemberState.objects.get(code="ESP").pk, "authority": "on"}, follow=True
    )
    assert "Spain is invited. It has no accredited delegate yet: tell its mission." in response.content.decode()
    assert status_of(draft, "ESP") == ("co_sponsor", "invited")
    deliver()
    assert mailoutbox == []


def test_every_coalition_step_is_in_the_admin_for_the_secretariat_to_read_only(cast, co_sponsored):
    for name in ("editor", "admin"):
        _user, client = cast(name)
        row = Sponsorship.objects.get(initiative=co_sponsored, member_state__code="DEU")
        listing = client.get("/en/admin/initiatives/sponsorship/")
        assert listing.status_code == HTTPStatus.OK
        assert "Germany" in listing.content.decode()
        change = client.get(f"/en/admin/initiatives/sponsorship/{row.pk}/change/")
        assert change.status_code == HTTPStatus.OK
        assert 'name="status"' not in change.content.decode()  # read only
        history = client.get(f"/en/admin/initiatives/sponsorship/{row.pk}/history/").content.decode()
        assert "berlin@mfa.example" in history  # who accepted
        assert (
            client.post(f"/en/admin/initiatives/sponsorship/{row.pk}/change/", {"status": "left"}).status_code
            == HTTPStatus.FORBIDDEN
        )
        assert (
            client.post(f"/en/admin/initiatives/sponsorship/{row.pk}/delete/", {"post": "yes"}).status_code
            == HTTPStatus.FORBIDDEN
        )
        assert client.get("/en/admin/initiatives/sponsorship/add/").status_code == HTTPStatus.FORBIDDEN
        assert status_of(co_sponsored, "DEU") == ("co_sponsor", "accepted")
        assert TITLE in client.get(f"/en/admin/initiatives/initiative/{co_sponsored.pk}/change/").content.decode()


def test_the_secretariat_finds_a_draft_by_its_title_in_the_language_it_is_written_in(cast, register):
    proposer = delegate("proposer@mfa.example", "EGY")
    draft = propose(proposer, language="ar", title="نداء من أجل المحيطات")
    _user, client = cast("editor")
    page = client.get("/en/admin/initiatives/initiative/?status__exact=draft").content.decode()
    link = f'<a href="/en/admin/initiatives/initiative/{draft.pk}/change/?_changelist_filters=status__exact%3Ddraft">'
    assert f"{link}نداء من أجل المحيطات</a>" in page
    assert "Paris Call" in client.get("/en/admin/initiatives/initiative/").content.decode()  # others as before


def queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == HTTPStatus.OK
    return len(captured)


def test_the_draft_pages_queries_do_not_grow_with_the_states_asked(cast, draft):
    _user, client = cast("lead")
    client.get("/en/delegate/")  # the session's first request records it in the list of sessions
    proposer = Accreditation.objects.get(user__email="proposer@mfa.example")
    few = (queries(client, url(draft)), queries(client, "/en/delegate/drafts/"))
    for code in ("ESP", "ITA", "EGY", "BRA", "IND", "ZAF", "MEX"):
        coalitions.invite_state(draft=draft, delegate=proposer, member_state=MemberState.objects.get(code=code))
        propose(proposer, title=f"Un autre appel ({code})")
    many = (queries(client, url(draft)), queries(client, "/en/delegate/drafts/"))
    assert many == few
    assert "Mexico" in client.get(url(draft)).content.decode()


def test_a_draft_with_a_long_title_gets_an_address_that_fits(cast):
    _user, client = cast("lead")
    title = "A call for the protection of the high seas and their biodiversity beyond national jurisdiction by 2030"
    response = client.post(
        "/en/delegate/drafts/new/",
        {
            "language": "en",
            "title": title,
            "summary": "Summary.",
            "commitment": "The state commits to protect the high seas.",
            "theme": Theme.objects.order_by("slug").first().pk,
            "kind": "call",
            "signing_opens_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "authority": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    draft = Initiative.objects.get(title_en=title)
    assert len(draft.slug) <= 50
    assert draft.slug.startswith("a-call-for-the-protection-of-the-high-seas")
