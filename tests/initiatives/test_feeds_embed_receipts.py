"""Atom feeds, the embeddable counter, the coverage meter and the receipt verification page."""

import datetime
import json
import re
import xml.etree.ElementTree as ET
from http import HTTPStatus

from django.utils import timezone

from initiatives.endorsing import record_endorsement
from initiatives.models import Endorsement, Initiative
from initiatives.receipts import signed_receipt
from members.models import MemberState
from tests.factories import UserFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[str]:
    feed = ET.fromstring(response.content)
    return [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]


def test_feeds_list_endorsements_and_withdrawals(persona, anonymous):
    _user, client = persona("delegate_of_x")
    client.post("/en/initiatives/paris-call/withdraw/", {"authority": "on", "reason": "Review."})
    titles = entries(anonymous.get("/en/feeds/initiatives/paris-call/"))
    assert titles[0] == "France withdrew its endorsement of Paris Call for Trust and Security in Cyberspace"
    assert len(titles) == 50  # the latest changes only
    state = entries(anonymous.get("/en/feeds/states/fra/"))
    assert len(state) == 3  # two endorsements and one withdrawal
    assert "France endorsed Paris Call for Trust and Security in Cyberspace" in state
    assert anonymous.get("/en/feeds/endorsements/")["Content-Type"].startswith("application/atom+xml")
    opened = entries(anonymous.get("/fr/feeds/initiatives/"))
    assert "Appel de Paris pour la confiance et la sécurité dans le cyberespace" in opened
    assert anonymous.get("/en/feeds/states/xyz/").status_code == HTTPStatus.NOT_FOUND


def test_a_same_day_withdrawal_is_the_newest_entry_and_ids_are_absolute_and_language_neutral(
    persona, anonymous, settings
):
    _user, client = persona("delegate_of_x")
    client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    client.post("/en/initiatives/gender-at-the-centre/withdraw/", {"authority": "on", "reason": "Review."})
    feed = ET.fromstring(anonymous.get("/en/feeds/initiatives/gender-at-the-centre/").content)
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert titles[0].startswith("France withdrew its endorsement")
    assert titles[1].startswith("France endorsed")
    ids = [entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")]
    reference = Endorsement.objects.get(initiative__slug="gender-at-the-centre").reference
    assert ids == [
        f"{settings.SITE_URL}/api/v1/receipts/{reference}#withdrawn",
        f"{settings.SITE_URL}/api/v1/receipts/{reference}#endorsed",
    ]
    french = ET.fromstring(anonymous.get("/fr/feeds/initiatives/gender-at-the-centre/").content)
    assert [entry.find(f"{ATOM}id").text for entry in french.findall(f"{ATOM}entry")] == ids


def test_only_the_embed_page_may_be_framed(register, anonymous):
    embed = anonymous.get("/fr/embed/initiatives/paris-call/")
    assert embed.status_code == HTTPStatus.OK
    assert "X-Frame-Options" not in embed
    assert "<strong>81</strong>" in embed.content.decode()
    assert anonymous.get("/fr/initiatives/paris-call/")["X-Frame-Options"] == "DENY"


def test_coverage_counts_un_members_against_the_majority_line(register, anonymous):
    page = anonymous.get("/en/initiatives/paris-call/").content.decode()
    un_members = Endorsement.objects.filter(initiative__slug="paris-call", member_state__kind="un_member").count()
    assert f"<strong>{un_members}</strong> of the 193 UN member states" in page
    assert "a majority is 97." in page
    # "Not recorded", not "not yet endorsed": the register may lack a state's endorsement.
    assert f"{193 - un_members} UN member states are not recorded as endorsing" in page
    not_yet = page.split("are not recorded as endorsing")[1].split("</details>")[0]
    assert ">Brazil</a>" in not_yet
    assert ">France</a>" not in not_yet
    assert re.search(
        r"<th scope=\"row\">African States</th><td class=\"number\">\d+</td><td class=\"number\">54</td>", page
    )


def test_the_home_page_shows_the_alliance_coverage_and_map(register, anonymous):
    page = anonymous.get("/en/").content.decode()
    assert "Is multilateralism backed by a majority?" in page
    assert 'class="world-map"' in page
    assert "<title>France: endorses</title>" in page


def test_the_verify_page_accepts_the_original_and_rejects_a_tampered_receipt(register, anonymous):
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="FRA")
    document = signed_receipt(row)
    page = anonymous.post("/en/receipts/verify/", {"receipt": json.dumps(document)}).content.decode()
    assert f"Valid: receipt {row.reference} was signed by the register" in page
    document["receipt"]["endorsed_on"] = "2018-01-01"
    page = anonymous.post("/en/receipts/verify/", {"receipt": json.dumps(document)}).content.decode()
    assert "Not valid" in page
    page = anonymous.post("/en/receipts/verify/", {"receipt": "{not json"}).content.decode()
    assert "This is not valid JSON." in page
    assert "BEGIN PUBLIC KEY" in anonymous.get("/en/receipts/verify/").content.decode()


def test_the_receipt_page_links_to_the_signed_json(register, anonymous):
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="FRA")
    page = anonymous.get(f"/en/endorsements/{row.reference}/").content.decode()
    assert f'href="/api/v1/receipts/{row.reference}"' in page


def test_a_back_dated_record_reaches_the_top_of_the_feeds_dated_when_it_was_recorded(register, anonymous):
    initiative = Initiative.objects.get(slug="paris-call")
    record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="BRA"),
        endorsed_on=datetime.date(2019, 1, 15),  # years before the newest listed endorsements
        recorded_by=UserFactory(is_staff=True),
        source_note="Note verbale of 15 January 2019",
        announce=False,
    )
    for path in ("/en/feeds/endorsements/", "/en/feeds/initiatives/paris-call/"):
        entry = ET.fromstring(anonymous.get(path).content).find(f"{ATOM}entry")
        assert entry.find(f"{ATOM}title").text == "Brazil endorsed Paris Call for Trust and Security in Cyberspace"
        updated = datetime.datetime.fromisoformat(entry.find(f"{ATOM}updated").text)
        assert updated.date() == timezone.now().date()  # when the register learned it
        assert "Endorsed on 15 January 2019." in entry.find(f"{ATOM}summary").text
