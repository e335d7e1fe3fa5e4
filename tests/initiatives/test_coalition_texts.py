"""Agreeing a draft's text and opening it (issue #18, items 3 and 4), for every persona.

France (FRA) leads the draft, Germany (DEU) co-sponsors it, Italy (ITA) takes no part; in the
matrix, "invited" is Germany's delegate (Germany accepted: its delegates take part).
"""

import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from initiatives import coalitions, publishing
from initiatives.models import Amendment, DraftComment, Endorsement, Initiative, LogEntry, Sponsorship, Theme
from initiatives.reference_data import load_reference_data
from members.models import Accreditation, MemberState
from tests.conftest import deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory
from tests.initiatives.test_drafts import (
    CAST,
    COMMITMENT,
    STATE_OF,
    TITLE,
    assert_refused_before_the_draft,
    delegate,
    propose,
    url,
)
from tests.members.test_admin_roles import _form_data

PASSAGE = "un tiers de ses eaux"
REPLACEMENT = "la moitié de ses eaux"
AMENDED = COMMITMENT.replace(PASSAGE, REPLACEMENT)
COMMENT = "Nous préférons une formulation plus ambitieuse."
LANGUAGES = ["en", "fr", "es", "ar", "zh-hans", "ru"]


def proposer() -> Accreditation:
    return Accreditation.objects.get(user__email="proposer@mfa.example")


def berlin() -> Accreditation:
    return Accreditation.objects.get(user__email="berlin@mfa.example")


def amend(initiative: Initiative, by: Accreditation, **changes) -> Amendment:
    values = {
        "text": "commitment",
        "language": "fr",
        "passage": PASSAGE,
        "replacement": REPLACEMENT,
        "explanation": "Plus ambitieux.",
    }
    return coalitions.propose_amendment(draft=initiative, delegate=by, **{**values, **changes})


def translate_everything(initiative: Initiative) -> None:
    """The secretariat completes the languages the states did not write in (as in the admin)."""
    initiative.refresh_from_db()
    changed = []
    for field in ("title", "summary", "commitment"):
        for code in LANGUAGES:
            column = build_localized_fieldname(field, code)
            if not getattr(initiative, column):
                setattr(initiative, column, f"{field} ({code})")
                changed.append(column)
    publishing.save_initiative(initiative=initiative, changed=changed)


ENGLISH = {"title_en": "Protected oceans", "summary_en": "A summary.", "commitment_en": "The State commits."}


def open_in_the_admin(client: Client, initiative: Initiative, **changes):
    path = f"/en/admin/initiatives/initiative/{initiative.pk}/change/"
    data = _form_data(client.get(path))
    today = timezone.localdate().isoformat()
    data.update({"status": "open", "signing_opens_on": today, "launched_on": today, **changes})
    return client.post(path, data)


@pytest.fixture
def secretariat(register) -> Client:
    from django.contrib.auth.models import Group

    from tests.conftest import sign_in

    user = UserFactory(email="editor@secretariat.example", is_staff=True)
    user.groups.add(Group.objects.get(name="Secretariat editors"))
    turn_on_mfa(user)
    return sign_in(Client(), user)


# --- The role × action matrix: agreeing the text ----------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_only_the_states_that_joined_propose_an_amendment(cast, co_sponsored, name, mailoutbox):
    _user, client = cast(name)
    delegate("paris@mfa.example", "FRA")
    deliver()
    mailoutbox.clear()
    response = client.post(
        url(co_sponsored, "amend"),
        {"text": "commitment", "language": "fr", "passage": PASSAGE, "replacement": REPLACEMENT, "authority": "on"},
    )
    deliver()
    rows = Amendment.objects.filter(initiative=co_sponsored)
    if name in ("lead", "invited"):
        row = rows.get()
        assert (row.member_state.code, row.status, row.proposed_by, row.based_on_version) == (
            STATE_OF[name],
            "proposed",
            _user,
            1,
        )
        assert response["Location"] == url(co_sponsored) + "#amendments-title"
        # The lead state's delegates hear of a co-sponsor's amendment, not of their own.
        told = [address for message in mailoutbox for address in message.to]
        assert ("paris@mfa.example" in told) is (name == "invited")
        page = client.get(url(co_sponsored)).content.decode()
        assert f"<del>{PASSAGE}</del> <ins>{REPLACEMENT}</ins>" in page
    else:
        assert rows.count() == 0
        if name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


def test_an_invited_state_reads_but_does_not_amend_or_comment(cast, draft):
    _user, client = cast("invited")  # Germany has not answered yet
    response = client.post(
        url(draft, "amend"),
        {"text": "commitment", "language": "fr", "passage": PASSAGE, "replacement": REPLACEMENT, "authority": "on"},
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "Only the states that lead or co-sponsor this draft" in response.content.decode()
    response = client.post(url(draft, "comment"), {"text": COMMENT})
    assert response.status_code == HTTPStatus.CONFLICT
    assert not Amendment.objects.exists() and not DraftComment.objects.exists()


@pytest.mark.parametrize("decision", ["accept", "reject"])
@pytest.mark.parametrize("name", CAST)
def test_only_the_lead_state_decides_an_amendment_with_a_reason(
    cast, co_sponsored, name, decision, anonymous, mailoutbox
):
    _user, client = cast(name)
    amendment = amend(co_sponsored, berlin())
    deliver()
    mailoutbox.clear()
    path = url(co_sponsored, f"amendments/{amendment.pk}/{decision}")
    response = client.post(path, {"reason": "Accord des capitales.", "authority": "on"})
    deliver()
    amendment.refresh_from_db()
    co_sponsored.refresh_from_db()
    if name == "lead":
        assert response["Location"] == url(co_sponsored) + "#amendments-title"
        assert (amendment.status, amendment.decided_by, amendment.decision_reason) == (
            "accepted" if decision == "accept" else "rejected",
            _user,
            "Accord des capitales.",
        )
        # Germany's delegate hears of the decision.
        assert [message.to for message in mailoutbox] == [["berlin@mfa.example"]]
        if decision == "accept":
            assert (co_sponsored.text_version, co_sponsored.commitment_fr, amendment.made_version) == (2, AMENDED, 2)
            history = co_sponsored.history.latest()
            assert (history.history_user, history.text_version) == (_user, 2)
        else:
            assert (co_sponsored.text_version, co_sponsored.commitment_fr, amendment.made_version) == (
                1,
                COMMITMENT,
                None,
            )
    else:
        assert (amendment.status, co_sponsored.text_version, co_sponsored.commitment_fr) == ("proposed", 1, COMMITMENT)
        assert mailoutbox == []
        if name == "invited":
            assert response.status_code == HTTPStatus.CONFLICT
            assert "Only the delegates of the lead state decide on amendments." in response.content.decode()
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("name", CAST)
def test_only_the_states_that_joined_comment_and_the_comments_stay_private(cast, co_sponsored, name):
    _user, client = cast(name)
    response = client.post(url(co_sponsored, "comment"), {"text": COMMENT})
    if name in ("lead", "invited"):
        row = DraftComment.objects.get()
        assert (row.member_state.code, row.author, row.text, row.text_version) == (STATE_OF[name], _user, COMMENT, 1)
        assert COMMENT in client.get(url(co_sponsored)).content.decode()
        assert row.history.get().history_user == _user  # in the audit trail
    else:
        assert not DraftComment.objects.exists()
        if name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("name", CAST)
def test_every_version_and_its_differences_are_read_by_the_states_taking_part_only(cast, co_sponsored, name):
    coalitions.accept_amendment(amendment=amend(co_sponsored, berlin()), delegate=proposer(), reason="D'accord.")
    _user, client = cast(name)
    response = client.get(url(co_sponsored, "versions"))
    page = response.content.decode()
    if name in ("lead", "invited"):
        assert response.status_code == HTTPStatus.OK
        assert "Version 2, since" in page and "Version 1, since" in page
        assert "<del>un</del><ins>la</ins> <del>tiers</del><ins>moitié</ins>" in page
    elif name == "outsider":
        assert response.status_code == HTTPStatus.NOT_FOUND
    else:
        assert_refused_before_the_draft(name, response)
    assert "la moitié" not in page or name in ("lead", "invited")


def test_the_versions_of_a_long_draft_are_compared_in_the_time_of_a_page(cast):
    """A draft's text has no length limit and a word comparison's cost grew with the square of the
    text: 10,000 repeated words kept a server busy for half a minute on each request for the page."""
    user, client = cast("lead")
    paris = Accreditation.objects.get(user=user)
    long = propose(paris, commitment="L'État s'engage à " + "protéger " * 10_000 + "ses eaux.")
    proposed = amend(long, paris, passage="ses eaux.", replacement="toutes ses eaux.")
    coalitions.accept_amendment(amendment=proposed, delegate=paris, reason="D'accord.")
    started = time.monotonic()
    response = client.get(url(long, "versions"))
    assert time.monotonic() - started < 2
    assert response.status_code == HTTPStatus.OK
    assert "protéger protéger<ins> toutes</ins> ses eaux." in response.content.decode()


# --- The rules of amendments --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"passage": "deux tiers"}, "not in the current version of the text, word for word"),
        ({"passage": "s"}, "appears more than once"),
        ({"passage": PASSAGE, "replacement": PASSAGE}, "nothing would change"),
        ({"language": "en"}, "in a language it is written in"),
        ({"text": "body"}, "the title, the summary or the commitment"),
    ],
)
def test_an_amendment_names_one_precise_passage_of_the_current_text(co_sponsored, changes, message):
    with pytest.raises(coalitions.DraftRefused, match=message):
        amend(co_sponsored, berlin(), **changes)
    assert not Amendment.objects.exists()


def test_an_amendment_whose_passage_another_changed_cannot_be_accepted(co_sponsored):
    first = amend(co_sponsored, berlin())
    second = amend(co_sponsored, proposer(), replacement="les deux tiers de ses eaux")
    coalitions.accept_amendment(amendment=first, delegate=proposer(), reason="Oui.")
    with pytest.raises(coalitions.DraftRefused, match="not in the current version"):
        coalitions.accept_amendment(amendment=second, delegate=proposer(), reason="Oui.")
    second.refresh_from_db()
    assert second.status == "proposed"
    coalitions.reject_amendment(amendment=second, delegate=proposer(), reason="Dépassé par la version 2.")
    with pytest.raises(coalitions.DraftRefused, match="already been decided"):
        coalitions.accept_amendment(amendment=second, delegate=proposer(), reason="Oui.")
    with pytest.raises(coalitions.DraftRefused, match="Give the reason"):
        coalitions.reject_amendment(
            amendment=amend(co_sponsored, berlin(), passage="protéger"), delegate=proposer(), reason=" "
        )
    assert [(row.status, row.history_type) for row in first.history.order_by("history_id")] == [
        ("proposed", "+"),
        ("accepted", "~"),
    ]


def test_an_amendment_making_the_title_longer_than_a_title_is_refused_when_proposed_and_when_accepted(
    cast, co_sponsored
):
    _user, lead = cast("lead")
    with pytest.raises(coalitions.DraftRefused, match="300 characters"):
        amend(co_sponsored, berlin(), text="title", passage="Appel", replacement="A" * 300)
    # Each fits alone; once the first is accepted, the second would make the title too long.
    first = amend(co_sponsored, berlin(), text="title", passage="Appel", replacement="A" * 200)
    second = amend(co_sponsored, berlin(), text="title", passage="protégés", replacement="P" * 150)
    coalitions.accept_amendment(amendment=first, delegate=proposer(), reason="Oui.")
    response = lead.post(url(co_sponsored, f"amendments/{second.pk}/accept"), {"reason": "Oui.", "authority": "on"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "300 characters" in response.content.decode()
    second.refresh_from_db()
    co_sponsored.refresh_from_db()
    assert (second.status, co_sponsored.text_version) == ("proposed", 2)
    assert co_sponsored.title_fr == TITLE.replace("Appel", "A" * 200)


# --- Submitting and confirming -------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_only_the_lead_state_submits_the_text_once_every_amendment_is_decided(
    cast, co_sponsored, name, mailoutbox, settings
):
    _user, client = cast(name)
    pending = amend(co_sponsored, berlin())
    if name == "lead":
        response = client.post(url(co_sponsored, "submit"), {"authority": "on"})
        assert response.status_code == HTTPStatus.CONFLICT
        assert "Accept or reject every proposed amendment before submitting" in response.content.decode()
    coalitions.reject_amendment(amendment=pending, delegate=proposer(), reason="Non.")
    deliver()
    mailoutbox.clear()
    response = client.post(url(co_sponsored, "submit"), {"authority": "on"})
    deliver()
    co_sponsored.refresh_from_db()
    lead = Sponsorship.objects.get(initiative=co_sponsored, role="lead")
    if name == "lead":
        assert (co_sponsored.submitted_by, co_sponsored.submitted_version, co_sponsored.submitted_in) == (
            _user,
            1,
            ["fr"],
        )
        assert (lead.confirmed_version, lead.confirmed_by) == (1, _user)  # the lead's submission is its confirmation
        told = {address: message for message in mailoutbox for address in message.to}
        assert "confirm its text" in told["berlin@mfa.example"].subject
        assert "submitted a draft initiative for review" in told["secretariat@alliance.example"].subject
        assert f"/admin/initiatives/initiative/{co_sponsored.pk}/change/" in told["secretariat@alliance.example"].body
        with pytest.raises(coalitions.DraftRefused, match="no longer amended"):
            amend(co_sponsored, berlin())
    else:
        assert (co_sponsored.submitted_at, lead.confirmed_version) == (None, None)
        assert mailoutbox == []
        if name == "invited":
            assert response.status_code == HTTPStatus.CONFLICT
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


@pytest.mark.parametrize("name", CAST)
def test_only_a_co_sponsor_confirms_the_submitted_text_with_the_endorsing_statement(cast, co_sponsored, name):
    _user, client = cast(name)
    assert client.post(url(co_sponsored, "confirm"), {"authority": "on"}).status_code in (
        HTTPStatus.CONFLICT,
        HTTPStatus.NOT_FOUND,
        HTTPStatus.FORBIDDEN,
        HTTPStatus.FOUND,
    )  # nothing to confirm before the submission
    assert Sponsorship.objects.get(initiative=co_sponsored, member_state__code="DEU").confirmed_version is None
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    if name == "invited":
        form = client.get(url(co_sponsored, "confirm")).content.decode()
        assert "I confirm that I am authorised to endorse this text on behalf of my state" in form
        assert client.post(url(co_sponsored, "confirm"), {}).status_code == HTTPStatus.OK  # the statement is required
        assert Sponsorship.objects.get(initiative=co_sponsored, member_state__code="DEU").confirmed_version is None
    response = client.post(url(co_sponsored, "confirm"), {"authority": "on"})
    germany = Sponsorship.objects.get(initiative=co_sponsored, member_state__code="DEU")
    if name == "invited":
        assert (germany.confirmed_version, germany.confirmed_by) == (1, _user)
        assert response["Location"] == url(co_sponsored)
    else:
        assert germany.confirmed_version is None
        if name == "lead":
            assert response.status_code == HTTPStatus.CONFLICT
        elif name == "outsider":
            assert response.status_code == HTTPStatus.NOT_FOUND
        else:
            assert_refused_before_the_draft(name, response)


def test_the_lead_does_not_change_hands_once_the_text_is_submitted(cast, co_sponsored, secretariat, anonymous):
    """Handed over after submitting, the new lead could never confirm the text (a lead does not) and
    the page would say it submitted what another state did."""
    _user, lead = cast("lead")
    germany = MemberState.objects.get(code="DEU")
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    response = lead.post(url(co_sponsored, "lead"), {"member_state": germany.pk, "authority": "on"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "the lead no longer changes" in response.content.decode()
    with pytest.raises(coalitions.DraftRefused, match="the lead no longer changes"):
        coalitions.hand_over_lead(draft=co_sponsored, delegate=proposer(), to_state=germany)
    assert Sponsorship.objects.get(initiative=co_sponsored, member_state=germany).role == "co_sponsor"
    coalitions.confirm_text(draft=co_sponsored, delegate=berlin())
    translate_everything(co_sponsored)
    assert open_in_the_admin(secretariat, co_sponsored).status_code == HTTPStatus.FOUND
    page = anonymous.get(f"/en/initiatives/{co_sponsored.slug}/").content.decode()
    assert "France submitted the agreed text" in page and "Germany submitted" not in page


def test_the_delegate_space_lists_a_submitted_text_until_the_state_confirms_it(cast, co_sponsored):
    _user, berlin_client = cast("invited")
    _lead, paris_client = cast("lead")
    assert "None: no submitted text is waiting" in berlin_client.get("/en/delegate/drafts/").content.decode()
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    waiting = berlin_client.get("/en/delegate/drafts/").content.decode()
    assert "Submitted texts to confirm" in waiting and "version 1, submitted to the secretariat" in waiting
    assert "Submitted; waiting for your state's confirmation" in waiting
    lead_page = paris_client.get("/en/delegate/drafts/").content.decode()  # the lead confirmed by submitting
    assert "None: no submitted text is waiting" in lead_page and "your state has confirmed the text" in lead_page
    berlin_client.post(url(co_sponsored, "confirm"), {"authority": "on"})
    confirmed = berlin_client.get("/en/delegate/drafts/").content.decode()
    assert "None: no submitted text is waiting" in confirmed and "your state has confirmed the text" in confirmed


def test_the_dashboard_counts_the_drafts_awaiting_review_with_a_link_to_them(secretariat, co_sponsored):
    page = secretariat.get("/en/admin/").content.decode()
    assert 'href="/en/admin/initiatives/initiative/?coalition=submitted">Drafts awaiting review</a>' in page
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    listing = secretariat.get("/en/admin/initiatives/initiative/?coalition=submitted").content.decode()
    assert TITLE in listing and "Paris Call" not in listing
    assert '<td class="secretariat-count">1</td>' in secretariat.get("/en/admin/").content.decode()


# --- Opening: one domain function on every path ------------------------------------------------


def test_a_forged_admin_post_opening_a_draft_not_submitted_is_refused_and_changes_nothing(secretariat, co_sponsored):
    response = open_in_the_admin(secretariat, co_sponsored, **ENGLISH)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "its lead state has not submitted it to the secretariat: it cannot be published yet." in page
    co_sponsored.refresh_from_db()
    assert co_sponsored.status == "draft"
    assert not Endorsement.objects.filter(initiative=co_sponsored).exists()
    assert not LogEntry.objects.filter(initiative=co_sponsored).exists()
    # Forged without the texts the admin requires: the refusal still says why.
    response = open_in_the_admin(secretariat, co_sponsored)
    assert "its lead state has not submitted it to the secretariat" in response.content.decode()
    co_sponsored.refresh_from_db()
    assert co_sponsored.status == "draft"
    # The same rule on another path: the domain function itself.
    co_sponsored.status, co_sponsored.signing_opens_on = Initiative.Status.OPEN, timezone.localdate()
    with pytest.raises(publishing.PublishingRefused, match="has not submitted it"):
        publishing.save_initiative(initiative=co_sponsored)


def test_the_secretariat_does_not_rewrite_a_states_draft_but_completes_its_languages(secretariat, co_sponsored):
    path = f"/en/admin/initiatives/initiative/{co_sponsored.pk}/change/"
    data = _form_data(secretariat.get(path))
    response = secretariat.post(path, {**data, **ENGLISH})
    assert "its states are still agreeing its text" in response.content.decode()
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    data = _form_data(secretariat.get(path))
    response = secretariat.post(path, {**data, **ENGLISH, "commitment_fr": "Un autre engagement."})
    assert "leave the submitted ones as they are" in response.content.decode()
    english = {**ENGLISH, "commitment_en": "The State commits to protect a third of its waters."}
    response = secretariat.post(path, {**data, **english})
    assert response.status_code == HTTPStatus.FOUND
    co_sponsored.refresh_from_db()
    assert (co_sponsored.commitment_fr, co_sponsored.text_version) == (COMMITMENT, 1)
    assert co_sponsored.commitment_en == "The State commits to protect a third of its waters."
    response = open_in_the_admin(
        secretariat, co_sponsored, signing_opens_on=(timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    )
    assert "opens on the first day of its signing window" in response.content.decode()
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = open_in_the_admin(secretariat, co_sponsored, signing_opens_on=yesterday, signing_closes_on=yesterday)
    assert "its signing window cannot have closed already" in response.content.decode()
    co_sponsored.refresh_from_db()
    assert (co_sponsored.status, Endorsement.objects.filter(initiative=co_sponsored).count()) == ("draft", 0)


def test_opening_publishes_the_sponsors_that_confirmed_and_their_endorsements(
    secretariat, co_sponsored, anonymous, mailoutbox
):
    spain = delegate("madrid@mfa.example", "ESP")
    coalitions.invite_state(draft=co_sponsored, delegate=proposer(), member_state=spain.member_state)
    coalitions.accept_invitation(draft=co_sponsored, delegate=spain)  # joins but never confirms
    coalitions.comment_on_draft(draft=co_sponsored, delegate=berlin(), text=COMMENT)
    coalitions.accept_amendment(amendment=amend(co_sponsored, berlin()), delegate=proposer(), reason="D'accord.")
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    coalitions.confirm_text(draft=co_sponsored, delegate=berlin())
    translate_everything(co_sponsored)
    deliver()
    mailoutbox.clear()
    response = open_in_the_admin(secretariat, co_sponsored)
    assert response.status_code == HTTPStatus.FOUND
    co_sponsored.refresh_from_db()
    assert (co_sponsored.status, co_sponsored.text_version, co_sponsored.launched_on) == (
        "open",
        2,
        timezone.localdate(),
    )
    assert sorted(co_sponsored.lead_states.values_list("code", flat=True)) == ["DEU", "FRA"]
    rows = Endorsement.objects.filter(initiative=co_sponsored).order_by("member_state__code")
    assert [(row.member_state.code, row.channel, row.text_version, row.endorsed_on) for row in rows] == [
        ("DEU", "co_sponsor", 2, timezone.localdate()),
        ("FRA", "co_sponsor", 2, timezone.localdate()),
    ]
    assert [row.signed_by.email for row in rows] == ["berlin@mfa.example", "proposer@mfa.example"]
    # In the transparency log, as any endorsement: webhooks and subscriptions read it.
    kinds = list(LogEntry.objects.filter(initiative=co_sponsored).values_list("kind", flat=True))
    assert kinds == ["initiative.open"]
    logged = LogEntry.objects.filter(endorsement__in=rows).values_list("kind", flat=True)
    assert list(logged) == ["endorsement.recorded", "endorsement.recorded"]
    deliver()
    assert {address for message in mailoutbox for address in message.to} >= {
        "berlin@mfa.example",
        "proposer@mfa.example",
        "secretariat@alliance.example",
    }

    page = anonymous.get(f"/en/initiatives/{co_sponsored.slug}/").content.decode()
    assert "How the coalition formed" in page
    assert "France proposed the draft." in page and "Germany joined as a co-sponsor." in page
    assert "Germany confirmed the agreed text." in page and "France submitted the agreed text" in page
    assert "Spain joined" not in page and "Spain confirmed" not in page  # joined, never confirmed: not listed
    assert COMMENT not in page and "Plus ambitieux" not in page and "berlin@mfa.example" not in page
    receipt = anonymous.get(rows[0].get_absolute_url()).content.decode()
    assert "As a co-sponsor" in receipt and "berlin@mfa.example" not in receipt
    # The public versions start at the version opened: the draft's versions stay the states'.
    versions = anonymous.get(f"/en/initiatives/{co_sponsored.slug}/versions/").content.decode()
    assert "Version 2, since" in versions and "Version 1" not in versions
    api = anonymous.get(f"/api/v1/initiatives/{co_sponsored.slug}").json()
    assert sorted(api["lead_states"]) == ["DEU", "FRA"]
    listed = anonymous.get(f"/api/v1/endorsements?initiative={co_sponsored.slug}").json()
    assert sorted(item["state"] for item in listed["items"]) == ["DEU", "FRA"]
    assert {item["channel"] for item in listed["items"]} == {"co_sponsor"}
    # The coalition takes no more steps; the comments stay the states'.
    with pytest.raises(coalitions.DraftRefused, match="no longer a draft"):
        coalitions.comment_on_draft(draft=co_sponsored, delegate=berlin(), text="Encore.")
    assert DraftComment.objects.filter(initiative=co_sponsored).count() == 1


def test_a_text_typed_in_a_browser_on_several_lines_is_amended_across_them_and_opened(cast, secretariat):
    """A browser sends a text area's line breaks as CRLF; stored so, no passage quoted across them
    (sent as CRLF too, read as LF) was ever found, and the admin, which reads LF, counted the
    submitted text as changed and refused to open the draft."""
    user, client = cast("lead")
    paris = Accreditation.objects.get(user=user)
    response = client.post(
        "/en/delegate/drafts/new/",
        {
            "language": "fr",
            "title": TITLE,
            "summary": "Un résumé.\r\nSur deux lignes.",
            "commitment": "L'État s'engage :\r\n- à protéger un tiers de ses eaux.",
            "theme": Theme.objects.order_by("slug").first().pk,
            "kind": "call",
            "signing_opens_on": timezone.localdate().isoformat(),
            "authority": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    draft = Initiative.objects.get(sponsorships__member_state__code="FRA", status="draft")
    response = client.post(
        url(draft, "amend"),
        {
            "text": "commitment",
            "language": "fr",
            "passage": "s'engage :\r\n- à protéger",
            "replacement": "s'engage :\r\n- à protéger et à restaurer",
            "authority": "on",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    coalitions.accept_amendment(amendment=Amendment.objects.get(initiative=draft), delegate=paris, reason="Oui.")
    coalitions.submit_draft(draft=draft, delegate=paris)
    translate_everything(draft)
    assert open_in_the_admin(secretariat, draft).status_code == HTTPStatus.FOUND
    draft.refresh_from_db()
    assert draft.status == "open"
    assert draft.commitment_fr == "L'État s'engage :\n- à protéger et à restaurer un tiers de ses eaux."


def test_an_amendment_adding_blanks_around_a_text_does_not_keep_the_draft_from_opening(secretariat, co_sponsored):
    """The admin reads a text without the blanks around it: kept in a submitted text, they read as
    a change to it, and every attempt to open the draft was refused."""
    with pytest.raises(coalitions.DraftRefused, match="nothing would change"):
        amend(co_sponsored, berlin(), passage="ses eaux.", replacement="ses eaux.\n")
    proposed = amend(co_sponsored, berlin(), passage="ses eaux.", replacement="ses eaux. Et plus. ")
    coalitions.accept_amendment(amendment=proposed, delegate=proposer(), reason="Oui.")
    # A lone CR (a browser sends every line break as CRLF, which the admin reads as LF) is a line break.
    proposed = amend(co_sponsored, berlin(), passage="Et plus.", replacement="Et plus.\rEncore.")
    coalitions.accept_amendment(amendment=proposed, delegate=proposer(), reason="Oui.")
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    coalitions.confirm_text(draft=co_sponsored, delegate=berlin())
    translate_everything(co_sponsored)
    assert open_in_the_admin(secretariat, co_sponsored).status_code == HTTPStatus.FOUND
    co_sponsored.refresh_from_db()
    assert (co_sponsored.status, co_sponsored.commitment_fr) == ("open", COMMITMENT + " Et plus.\nEncore.")


def test_a_line_break_in_a_title_is_refused_as_a_browser_would_drop_it_in_the_admin(cast, co_sponsored):
    """A title is edited in an input of one line, which drops line breaks: a title with one (unseen
    on the draft's page, where it reads as a space) would read as changed there, and the admin would
    refuse every attempt to open the draft."""
    _user, client = cast("invited")  # Germany's delegate
    response = client.post(
        url(co_sponsored, "amend"),
        {"text": "title", "language": "fr", "passage": "Appel pour", "replacement": "Appel\r\npour", "authority": "on"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "A title is one line" in response.content.decode()
    assert not Amendment.objects.exists()
    with pytest.raises(coalitions.DraftRefused, match="A title is one line"):
        propose(proposer(), title="Appel\npour des océans")


def test_an_amendment_emptying_the_commitment_is_refused_when_proposed_and_when_accepted(co_sponsored):
    """Emptied, the commitment was no longer "written" in its language, so no amendment could write it
    again, and the secretariat may not write a state's text: the draft could never open."""
    with pytest.raises(coalitions.DraftRefused, match="The text would be empty"):
        amend(co_sponsored, berlin(), passage=COMMITMENT, replacement="")
    # Each leaves words alone; accepted one after the other, the second would leave none.
    first = amend(co_sponsored, berlin(), passage="L'État s'engage à ", replacement="")
    second = amend(co_sponsored, proposer(), passage="protéger un tiers de ses eaux.", replacement="")
    coalitions.accept_amendment(amendment=first, delegate=proposer(), reason="Oui.")
    with pytest.raises(coalitions.DraftRefused, match="The text would be empty"):
        coalitions.accept_amendment(amendment=second, delegate=proposer(), reason="Oui.")
    co_sponsored.refresh_from_db()
    assert co_sponsored.commitment_fr == "protéger un tiers de ses eaux."


def test_no_draft_text_comment_amendment_or_invitation_reaches_outsiders_before_opening(cast, co_sponsored, anonymous):
    coalitions.comment_on_draft(draft=co_sponsored, delegate=berlin(), text=COMMENT)
    amend(co_sponsored, berlin())
    secrets = (TITLE, COMMENT, REPLACEMENT, co_sponsored.slug)
    for path in (
        "/en/",
        "/en/initiatives/",
        "/en/states/fra/",
        "/en/states/deu/",
        "/en/feeds/initiatives/",
        "/en/feeds/endorsements/",
        "/api/v1/initiatives",
        "/api/v1/endorsements",
        "/api/v1/initiatives.csv",
        "/api/v1/log/entries?start=0&end=1000",
    ):
        body = anonymous.get(path).content.decode()
        assert not any(secret in body for secret in secrets), path
    _user, outsider = cast("outsider")
    for action in ("", "versions", "amend", "submit", "confirm", f"amendments/{Amendment.objects.get().pk}/accept"):
        response = outsider.get(url(co_sponsored, action))
        assert response.status_code == HTTPStatus.NOT_FOUND, action
    assert outsider.post(url(co_sponsored, "comment"), {"text": "Intrus."}).status_code == HTTPStatus.NOT_FOUND
    for path in ("/en/delegate/", "/en/delegate/drafts/"):
        body = outsider.get(path).content.decode()
        assert not any(secret in body for secret in secrets), path
    for action in ("", "versions"):
        assert anonymous.get(url(co_sponsored, action)).status_code == HTTPStatus.FOUND  # to sign in
    assert DraftComment.objects.count() == 1


def test_a_revoked_delegates_confirmation_step_is_refused(co_sponsored):
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    germany = berlin()
    Accreditation.objects.filter(pk=germany.pk).update(status=Accreditation.Status.REVOKED)
    germany.refresh_from_db()
    with pytest.raises(coalitions.DraftRefused, match="not approved or has expired"):
        coalitions.confirm_text(draft=co_sponsored, delegate=germany)
    with pytest.raises(coalitions.DraftRefused, match="not approved or has expired"):
        coalitions.comment_on_draft(draft=co_sponsored, delegate=germany, text=COMMENT)


def test_a_state_that_left_after_confirming_is_not_published(secretariat, co_sponsored):
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    coalitions.confirm_text(draft=co_sponsored, delegate=berlin())
    coalitions.leave_draft(draft=co_sponsored, delegate=berlin())
    translate_everything(co_sponsored)
    assert open_in_the_admin(secretariat, co_sponsored).status_code == HTTPStatus.FOUND
    assert list(co_sponsored.lead_states.values_list("code", flat=True)) == ["FRA"]
    assert list(Endorsement.objects.filter(initiative=co_sponsored).values_list("member_state__code", flat=True)) == [
        "FRA"
    ]
    assert MemberState.objects.get(code="DEU").endorsements.filter(initiative=co_sponsored).count() == 0


def test_co_sponsor_endorsements_reach_webhooks_and_subscribers_like_any_endorsement(
    secretariat, co_sponsored, mailoutbox, settings
):
    from django.db.models import Max

    from subscriptions import notices
    from tests.subscriptions.conftest import subscribed
    from webhooks.deliveries import fan_out
    from webhooks.models import Delivery, Endpoint

    settings.NOTICE_GATHER_SECONDS = 0
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # a closed local port: each attempt fails at once
    subscribed("reader@example.org")  # follows every endorsement and withdrawal
    endpoint = Endpoint.objects.create(
        url="http://127.0.0.1:9/hooks",
        events=["endorsement.recorded", "initiative.opened"],
        owner_email="tech@partner.example",
        cursor=LogEntry.objects.aggregate(last=Max("index"))["last"],
    )
    coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    coalitions.confirm_text(draft=co_sponsored, delegate=berlin())
    translate_everything(co_sponsored)
    assert open_in_the_admin(secretariat, co_sponsored).status_code == HTTPStatus.FOUND
    fan_out()
    sent = Delivery.objects.filter(endpoint=endpoint).order_by("log_entry__index")
    assert [row.event for row in sent] == ["initiative.opened", "endorsement.recorded", "endorsement.recorded"]
    bodies = [row.body for row in sent[1:]]
    assert all('"channel": "co_sponsor"' in body or '"channel":"co_sponsor"' in body for body in bodies)
    assert not any("berlin@mfa.example" in body or "proposer@mfa.example" in body for body in bodies)
    notices.send_notices()
    deliver()
    notice = next(message for message in mailoutbox if message.to == ["reader@example.org"])
    assert "France endorsed" in notice.body and "Germany endorsed" in notice.body
    assert "berlin@mfa.example" not in notice.body


@pytest.mark.parametrize("action", ["confirm", "amend"])
def test_a_commitment_with_a_stale_session_records_nothing_and_is_not_replayed(cast, co_sponsored, action):
    from tests.conftest import sign_in

    user, _fresh = cast("invited")
    if action == "confirm":
        coalitions.submit_draft(draft=co_sponsored, delegate=proposer())
    stale = sign_in(Client(), user, reauthenticated=False)
    data = {"authority": "on", "text": "commitment", "language": "fr", "passage": PASSAGE, "replacement": "x"}
    planted = stale.post(url(co_sponsored, action), data)
    assert planted["Location"].startswith("/en/accounts/reauthenticate/")
    germany = Sponsorship.objects.get(initiative=co_sponsored, member_state__code="DEU")
    assert (germany.confirmed_version, Amendment.objects.count()) == (None, 0)


def test_the_secretariat_reads_comments_and_amendments_and_changes_none(cast, co_sponsored):
    comment = coalitions.comment_on_draft(draft=co_sponsored, delegate=berlin(), text=COMMENT)
    amendment = amend(co_sponsored, berlin())
    for name in ("editor", "admin"):
        _user, client = cast(name)
        for model, row in (("draftcomment", comment), ("amendment", amendment)):
            base = f"/en/admin/initiatives/{model}/"
            assert "Germany" in client.get(base).content.decode()
            change = client.get(f"{base}{row.pk}/change/")
            assert change.status_code == HTTPStatus.OK
            assert 'name="text"' not in change.content.decode() and 'name="passage"' not in change.content.decode()
            assert "berlin@mfa.example" in client.get(f"{base}{row.pk}/history/").content.decode()
            assert client.post(f"{base}{row.pk}/change/", {"text": "x"}).status_code == HTTPStatus.FORBIDDEN
            assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
            assert client.get(f"{base}add/").status_code == HTTPStatus.FORBIDDEN
    comment.refresh_from_db()
    amendment.refresh_from_db()
    assert (comment.text, amendment.status) == (COMMENT, "proposed")


def test_an_empty_comment_saves_nothing_and_says_why_next_to_the_field(cast, co_sponsored):
    _user, client = cast("lead")
    response = client.post(url(co_sponsored, "comment"), {"text": "   "})
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert '<div class="field__error" id="id_text_error">' in page
    assert not DraftComment.objects.exists()


def test_the_draft_pages_queries_do_not_grow_with_comments_and_amendments(cast, co_sponsored):
    from tests.initiatives.test_drafts import queries

    _user, client = cast("lead")
    client.get("/en/delegate/")  # the session's first request records it in the list of sessions
    coalitions.comment_on_draft(draft=co_sponsored, delegate=berlin(), text=COMMENT)
    amend(co_sponsored, berlin())
    few = (queries(client, url(co_sponsored)), queries(client, url(co_sponsored, "versions")))
    for index in range(6):
        coalitions.comment_on_draft(draft=co_sponsored, delegate=proposer(), text=f"{COMMENT} ({index})")
        amend(co_sponsored, berlin(), replacement=f"{REPLACEMENT} ({index})")
    coalitions.accept_amendment(amendment=Amendment.objects.first(), delegate=proposer(), reason="Oui.")
    many = (queries(client, url(co_sponsored)), queries(client, url(co_sponsored, "versions")))
    assert many == few


@pytest.mark.django_db(transaction=True)
def test_two_secretariat_members_opening_a_draft_at_once_open_it_once():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writes; the race needs PostgreSQL (CI runs it there).")
    load_reference_data()
    paris, berlin = delegate("proposer@mfa.example", "FRA"), delegate("berlin@mfa.example", "DEU")
    draft = propose(paris, signing_opens_on=timezone.localdate())
    coalitions.invite_state(draft=draft, delegate=paris, member_state=berlin.member_state)
    coalitions.accept_invitation(draft=draft, delegate=berlin)
    coalitions.submit_draft(draft=draft, delegate=paris)
    coalitions.confirm_text(draft=draft, delegate=berlin)
    translate_everything(draft)
    path = f"/en/admin/initiatives/initiative/{draft.pk}/change/"
    posts = []
    for email in ("one@secretariat.example", "two@secretariat.example"):
        user = UserFactory(email=email, is_staff=True, is_superuser=True)
        turn_on_mfa(user)
        client = sign_in(Client(), user)
        data = _form_data(client.get(path))  # both read the draft before either opens it
        today = timezone.localdate().isoformat()
        posts.append((client, {**data, "status": "open", "signing_opens_on": today, "launched_on": today}))
    start = threading.Barrier(len(posts))

    def open_it(post) -> int:
        client, data = post
        try:
            start.wait()
            return client.post(path, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        statuses = sorted(pool.map(open_it, posts))

    assert statuses == [HTTPStatus.OK, HTTPStatus.FOUND]  # the second is told another saved it first
    draft.refresh_from_db()
    assert draft.status == "open"
    rows = Endorsement.objects.filter(initiative=draft)
    assert sorted(rows.values_list("member_state__code", flat=True)) == ["DEU", "FRA"]
    assert list(LogEntry.objects.filter(initiative=draft).values_list("kind", flat=True)) == ["initiative.open"]
    assert sorted(draft.lead_states.values_list("code", flat=True)) == ["DEU", "FRA"]
