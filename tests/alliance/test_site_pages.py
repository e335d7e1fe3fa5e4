import re
from http import HTTPStatus

from django.db import DatabaseError

from initiatives.models import Endorsement


def test_root_redirects_to_the_language_the_browser_asks_for(db, anonymous):
    response = anonymous.get("/", headers={"accept-language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/fr/"
    assert anonymous.get("/", headers={"accept-language": "de"})["Location"] == "/en/"


def test_home_page_counts_the_register(register, anonymous):
    page = anonymous.get("/en/").content.decode()
    endorsing = (
        Endorsement.objects.in_force().filter(member_state__kind="un_member").values("member_state").distinct().count()
    )
    assert endorsing > 81
    assert f"<dd>{endorsing}</dd>" in page
    assert f"<dd>{round(100 * endorsing / 193)}%</dd>" in page
    assert "Share of the 193 UN member states" in page
    assert "<dd>6</dd>" in page
    assert "Protect, preserve and advance international law" in page


def test_home_page_in_french(register, anonymous):
    page = anonymous.get("/fr/").content.decode()
    assert re.search(r"<dd>\d+\u00a0%</dd>", page)  # French sets a space before the percent sign
    assert '<html lang="fr" dir="ltr">' in page
    assert "Protéger, préserver et faire avancer le droit international" in page


def test_about_page_lists_the_three_ambitions_and_the_sources(register, anonymous):
    page = anonymous.get("/en/about/").content.decode()
    assert page.count("<li>", page.index('class="ambitions"'), page.index("</ol>")) == 3
    assert "Reform and modernise existing international institutions" in page
    assert "Unicode CLDR" in page


def test_events_page_lists_the_2019_ministerial_with_its_seven_co_chairs(register, anonymous):
    page = anonymous.get("/en/events/").content.decode()
    assert "26 September 2019" in page
    assert "2 April 2019" in page
    start = page.index('id="2019-09-26-ministerial-new-york"')
    section = page[start : page.index("</li>", start)]
    assert "Building the Network" in section
    for name in ["France", "Germany", "Canada", "Chile", "Ghana", "Mexico", "Singapore"]:
        assert f">{name}</a>" in section
    assert page.index("23 September 2021") < page.index("26 September 2019")


def test_language_switcher_keeps_the_page_and_the_query_and_remembers_the_choice(register, anonymous):
    page = anonymous.get("/en/initiatives/", {"theme": "cyberspace"}).content.decode()
    link = "/language/fr/?next=%2Fen%2Finitiatives%2F%3Ftheme%3Dcyberspace"
    assert f'href="{link}" hreflang="fr" lang="fr"' in page
    response = anonymous.get(link)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/fr/initiatives/?theme=cyberspace"
    assert response.cookies["django_language"].value == "fr"
    assert anonymous.get("/", headers={"accept-language": "en"})["Location"] == "/fr/"


def test_language_switcher_refuses_to_redirect_elsewhere(db, anonymous):
    response = anonymous.get("/language/ar/", {"next": "https://evil.example/phish"})
    assert response["Location"] == "/ar/"
    assert anonymous.get("/language/de/", {"next": "/en/"}).status_code == HTTPStatus.NOT_FOUND


def test_every_page_lists_its_hreflang_alternates(register, anonymous):
    page = anonymous.get("/en/states/fra/").content.decode()
    for code in ["en", "fr", "es", "ar", "zh-hans", "ru"]:
        assert f'<link rel="alternate" hreflang="{code}" href="http://testserver/{code}/states/fra/">' in page


def test_arabic_pages_are_right_to_left(register, anonymous):
    assert '<html lang="ar" dir="rtl">' in anonymous.get("/ar/").content.decode()


def test_healthz_answers_200_with_the_database(db, anonymous):
    response = anonymous.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_healthz_answers_503_without_the_database(db, anonymous, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise DatabaseError("connection refused")

    monkeypatch.setattr("alliance.views.connection", Unreachable())
    response = anonymous.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["database"] == "down"


def test_a_missing_page_answers_a_translated_404(db, anonymous):
    response = anonymous.get("/fr/initiatives/nothing-here/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "<h1>Page introuvable</h1>" in response.content.decode()


def test_dates_are_written_as_un_documents_write_them_in_each_language(register, anonymous):
    launched = {
        "en": "12 November 2018",
        "fr": "12 novembre 2018",
        "ar": "12 تشرين الثاني/نوفمبر 2018",  # both month names, as the register's Arabic texts write them
        "ru": "12 ноября 2018 г.",
        "zh-hans": "2018年11月12日",
    }
    for language, date in launched.items():
        page = anonymous.get(f"/{language}/initiatives/paris-call/").content.decode()
        assert f'<time datetime="2018-11-12">{date}</time>' in page, language
