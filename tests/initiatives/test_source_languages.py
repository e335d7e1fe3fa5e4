"""Provenance notes and cited sources read right in every language: the reference notes are
translated, and a source title in another language than the page's is marked with its language."""

import csv

from django.utils import translation

from initiatives.models import Endorsement
from initiatives.reference_data import REFERENCE_DIR, SOURCE_NOTES

PARIS_NOTE_EN = "Date first listed on the official Paris Call website"
PARIS_NOTE_FR = "Date de première inscription sur le site officiel de l’Appel de Paris"


def test_every_note_of_the_reference_file_is_in_the_catalogues():
    with (REFERENCE_DIR / "endorsements.csv").open(encoding="utf-8") as file:
        notes = {row["source_note"] for row in csv.DictReader(file) if row["source_note"]}
    with translation.override("en"):
        assert notes == {str(note) for note in SOURCE_NOTES}


def test_a_receipt_gives_the_reference_note_in_the_readers_language(register, anonymous):
    listed = Endorsement.objects.filter(initiative__slug="paris-call", member_state__code="FRA").get()
    english = anonymous.get(listed.get_absolute_url()).content.decode()
    french = anonymous.get(listed.get_absolute_url().replace("/en/", "/fr/", 1)).content.decode()
    assert PARIS_NOTE_EN in english
    assert PARIS_NOTE_FR in french
    assert PARIS_NOTE_EN not in french


def test_the_api_gives_the_note_in_the_requested_language(register, anonymous):
    rows = anonymous.get("/api/v1/endorsements", {"initiative": "paris-call", "state": "FRA", "lang": "fr"}).json()
    assert rows["items"][0]["source_note"].startswith(PARIS_NOTE_FR)


def test_a_note_the_secretariat_wrote_is_shown_as_written(register):
    row = Endorsement(source_note="Note verbale No. 123 of 2 March 2026")
    assert row.translated_source_note == "Note verbale No. 123 of 2 March 2026"
    assert Endorsement(source_note="").translated_source_note == ""


def test_source_titles_carry_their_language_when_it_is_not_the_pages(register, anonymous):
    french_title = "Appel à l’action pour renforcer le respect du droit international humanitaire"
    english_title = "A Call for action to bolster respect for international humanitarian law"
    english_page = anonymous.get("/en/initiatives/humanitarian-call-for-action/").content.decode()
    french_page = anonymous.get("/fr/initiatives/humanitarian-call-for-action/").content.decode()
    assert f'lang="fr">Alliance for Multilateralism website (French) – {french_title}' in english_page
    assert f'rel="external noopener">French Ministry for Europe and Foreign Affairs – {english_title}' in english_page
    assert f'lang="en">French Ministry for Europe and Foreign Affairs – {english_title}' in french_page
    assert f'rel="external noopener">Alliance for Multilateralism website (French) – {french_title}' in french_page
