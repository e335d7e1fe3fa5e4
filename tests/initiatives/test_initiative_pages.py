import datetime
import re
from html import escape
from http import HTTPStatus

import pytest
from django.core.cache import cache

from initiatives.models import Initiative
from members.models import MemberState
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory


def test_initiatives_page_lists_the_six_seed_initiatives(register, anonymous):
    response = anonymous.get("/en/initiatives/")
    assert response.status_code == HTTPStatus.OK
    for initiative in Initiative.objects.all():
        assert initiative.title_en in response.content.decode()
    assert "6 initiatives" in response.content.decode()


def test_initiatives_can_be_searched_by_title_in_another_language(register, anonymous):
    response = anonymous.get("/en/initiatives/", {"q": "cyberespace"})
    page = response.content.decode()
    assert "Paris Call for Trust and Security in Cyberspace" in page
    assert "1 initiative" in page
    assert "Humanitarian Call" not in page


def test_initiatives_can_be_filtered_by_theme_and_status(register, anonymous):
    page = anonymous.get("/en/initiatives/", {"theme": "cyberspace", "status": "open"}).content.decode()
    assert "Paris Call for Trust" in page
    assert "1 initiative" in page
    assert "0 initiatives" in anonymous.get("/en/initiatives/", {"status": "closed"}).content.decode()


def test_a_bad_filter_value_is_explained_and_lists_nothing_wrong(register, anonymous):
    response = anonymous.get("/en/initiatives/", {"theme": "no-such-theme"})
    assert response.status_code == HTTPStatus.OK
    assert "Select a valid choice" in response.content.decode()
    assert "6 initiatives" in response.content.decode()


def test_paris_call_page_names_the_81_recorded_states_with_the_source(register, anonymous):
    response = anonymous.get("/en/initiatives/paris-call/")
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    endorsers = MemberState.objects.filter(endorsements__initiative__slug="paris-call")
    assert endorsers.count() == 81
    for state in endorsers:
        assert f">{escape(state.name_en)}</a>" in page
    assert "https://github.com/ambanum/pariscall.international" in page
    assert "listed by 16 September 2019" in page
    assert "Eastern European States" in page


def test_humanitarian_call_page_names_50_states_and_the_eu(register, anonymous):
    page = anonymous.get("/en/initiatives/humanitarian-call-for-action/").content.decode()
    assert ">European Union</a>" in page
    assert "Organisations and other participants" in page
    assert ">Chad</a>" in page
    assert "<dd>51</dd>" in page  # recorded endorsements: 50 states and the EU


def test_an_initiative_without_a_list_shows_the_reported_figures_with_date_and_source(register, anonymous):
    page = anonymous.get("/en/initiatives/lethal-autonomous-weapons/").content.decode()
    assert "No endorsement of this initiative is recorded" in page
    assert ">82</td>" in page
    assert "26 September 2019" in page
    assert "onu.delegfrance.org" in page


def test_a_withdrawn_endorsement_is_shown_with_its_date(register, anonymous):
    row = EndorsementFactory(
        initiative=Initiative.objects.get(slug="gender-at-the-centre"),
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=datetime.date(2020, 3, 1),
        withdrawn_on=datetime.date(2021, 5, 4),
        withdrawal_reason="Superseded by a national plan.",
    )
    page = anonymous.get("/en/initiatives/gender-at-the-centre/").content.decode()
    assert "Withdrawn endorsements" in page
    assert "4 May 2021" in page
    assert "Superseded by a national plan." in page
    assert row.reference in page


def test_the_initiative_page_is_served_in_french(register, anonymous):
    page = anonymous.get("/fr/initiatives/paris-call/").content.decode()
    assert "Appel de Paris pour la confiance et la sécurité dans le cyberespace" in page
    assert '<html lang="fr" dir="ltr">' in page
    assert ">Allemagne</a>" in page


@pytest.mark.parametrize("slug", ["no-such-initiative", "draft-one"])
def test_unknown_and_draft_initiatives_are_not_found(register, anonymous, slug):
    InitiativeFactory(slug="draft-one", status=Initiative.Status.DRAFT, signing_opens_on=None)
    assert anonymous.get(f"/en/initiatives/{slug}/").status_code == HTTPStatus.NOT_FOUND


def test_the_receipt_shows_the_state_initiative_date_and_source(register, anonymous):
    row = MemberState.objects.get(code="FRA").endorsements.get(initiative__slug="paris-call")
    page = anonymous.get(f"/en/endorsements/{row.reference}/").content.decode()
    assert "France" in page
    assert "Paris Call for Trust and Security in Cyberspace" in page
    assert row.source_url in page
    assert anonymous.get(f"/en/endorsements/{row.reference.lower()}/").status_code == HTTPStatus.MOVED_PERMANENTLY


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("es", "Llamamiento de París para la confianza y la seguridad en el ciberespacio"),
        ("ru", "Парижский призыв к доверию и безопасности в киберпространстве"),
        ("zh-hans", "网络空间信任与安全巴黎倡议"),
        ("ar", "نداء باريس من أجل الثقة والأمن في الفضاء الإلكتروني"),
    ],
)
def test_machine_assisted_translations_are_marked_with_a_link_to_the_english(register, anonymous, language, title):
    page = anonymous.get(f"/{language}/initiatives/paris-call/").content.decode()
    assert f"<h1>{title}</h1>" in page
    assert 'class="note translation-note"' in page
    assert 'href="/en/initiatives/paris-call/" hreflang="en"' in page


def test_reviewed_translations_carry_no_machine_assistance_note(register, anonymous):
    assert "translation-note" not in anonymous.get("/fr/initiatives/paris-call/").content.decode()
    assert "translation-note" not in anonymous.get("/en/initiatives/paris-call/").content.decode()


def test_an_initiative_without_recorded_endorsements_has_no_chart_and_says_none_are_recorded(register, anonymous):
    empty = anonymous.get("/en/initiatives/gender-at-the-centre/").content.decode()
    assert 'class="timeline"' not in empty  # empty axes would read as a measured zero
    assert "No endorsement of this initiative is recorded in the register." in empty
    assert "193 UN member states are not recorded as endorsing" in empty
    assert 'class="timeline"' in anonymous.get("/en/initiatives/paris-call/").content.decode()


def test_open_data_links_give_the_data_in_the_pages_language(register, anonymous):
    page = anonymous.get("/ar/initiatives/paris-call/").content.decode()
    csv_link = re.search(r'href="([^"]+)" type="text/csv"', page).group(1).replace("&amp;", "&")
    assert csv_link == "/api/v1/initiatives/paris-call.csv?lang=ar"
    assert "فرنسا" in anonymous.get(csv_link).content.decode()  # France, as the Arabic reader reads it
    state_page = anonymous.get("/zh-hans/states/fra/", {"as_of": "2020-01-01"}).content.decode()
    assert 'href="/api/v1/states/fra?lang=zh-hans&amp;as_of=2020-01-01" type="application/json"' in state_page


def test_after_a_restore_empties_the_cache_the_states_are_read_again(register, anonymous):
    page = "/en/initiatives/paris-call/"  # Norway is among its endorsers
    assert '<a href="/en/states/nor/">Norway</a>' in anonymous.get(page).content.decode()
    MemberState.objects.filter(code="NOR").update(name_en="Kingdom of Norway")  # no signal: the restored rows
    cache.clear()  # what `make restore` does after loading the dump
    assert '<a href="/en/states/nor/">Kingdom of Norway</a>' in anonymous.get(page).content.decode()


def test_a_new_state_is_listed_as_at_today(register, anonymous):
    """A page as at a day is read from the database whatever the cache holds."""
    page = "/en/initiatives/paris-call/"
    anonymous.get(page)
    newcomer = MemberStateFactory(code="XKX", name="Newland", kind=MemberState.Kind.OBSERVER, regional_group="")
    EndorsementFactory(initiative=Initiative.objects.get(slug="paris-call"), member_state=newcomer)
    response = anonymous.get(page, {"as_of": datetime.date.today().isoformat()})  # rendered, not from the cache
    assert response.status_code == HTTPStatus.OK
    assert '<a href="/en/states/xkx/">Newland</a>' in response.content.decode()
