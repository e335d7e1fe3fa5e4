import json
import shutil
from collections import Counter

import pytest
from django.utils import translation

from initiatives import reference_data
from initiatives.models import Endorsement, Event, Initiative, ReportedFigure, Theme
from members.models import MemberState

SEED_SLUGS = {
    "humanitarian-call-for-action",
    "paris-call",
    "information-and-democracy",
    "gender-at-the-centre",
    "climate-and-security",
    "lethal-autonomous-weapons",
}
SOURCE_DOCUMENT = (
    "https://onu.delegfrance.org/l-alliance-pour-le-multilateralisme-pour-une-cooperation-internationale-renovee"
)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (MemberState, Theme, Initiative, ReportedFigure, Event, Endorsement)
    }


def test_reference_data_holds_the_193_un_members_in_five_groups_and_the_eu(register):
    un_members = MemberState.objects.un_members()
    assert un_members.count() == 193
    assert Counter(un_members.values_list("regional_group", flat=True)) == {
        "african": 54,
        "asia_pacific": 54,
        "eastern_european": 23,
        "latin_american_caribbean": 33,
        "western_european_others": 29,
    }
    eu = MemberState.objects.get(code="EUU")
    assert eu.kind == MemberState.Kind.ORGANISATION
    assert eu.name_fr == "Union européenne"
    france = MemberState.objects.get(code="FRA")
    assert (france.name_en, france.name_fr, france.name_ar, france.name_zh_hans) == (
        "France",
        "France",
        "فرنسا",
        "法国",
    )
    assert str(france.un_member_since) == "1945-10-24"
    # English names are the UN's short names; the other languages keep CLDR's (no UN list offline).
    korea = MemberState.objects.get(code="PRK")
    assert (korea.name_en, korea.name_fr) == ("Democratic People's Republic of Korea", "Corée du Nord")
    assert MemberState.objects.get(code="GBR").name_en == "United Kingdom of Great Britain and Northern Ireland"


def test_reference_data_holds_the_six_initiatives_with_the_reported_figures(register):
    assert set(Initiative.objects.values_list("slug", flat=True)) == SEED_SLUGS
    from_source_document = ReportedFigure.objects.filter(source_url=SOURCE_DOCUMENT, as_of="2019-09-26")
    assert dict(from_source_document.values_list("initiative__slug", "count")) == {
        "humanitarian-call-for-action": 43,
        "paris-call": 17,
        "information-and-democracy": 34,
        "gender-at-the-centre": 13,
        "climate-and-security": 48,
        "lethal-autonomous-weapons": 82,
    }
    for initiative in Initiative.objects.all():
        assert initiative.title_fr and initiative.summary_fr and initiative.commitment_fr
        assert initiative.sources


def test_listed_endorsements_come_only_from_published_lists_each_with_a_source(register):
    counts = Counter(Endorsement.objects.values_list("initiative__slug", flat=True))
    assert counts["paris-call"] == 81
    assert counts["humanitarian-call-for-action"] == 51  # 50 states and the EU
    assert counts["gender-at-the-centre"] == 0
    assert counts["climate-and-security"] == 0
    assert counts["lethal-autonomous-weapons"] == 0
    assert not Endorsement.objects.filter(source_url="").exists()
    assert Endorsement.objects.filter(
        initiative__slug="humanitarian-call-for-action", member_state__code="EUU"
    ).exists()


def test_loading_twice_changes_nothing(register):
    before = row_counts()
    tally = reference_data.load_reference_data()
    assert row_counts() == before
    assert not any(key.endswith(("created", "updated")) for key in tally), tally


def test_a_changed_data_file_updates_rows_instead_of_duplicating_them(register, tmp_path, monkeypatch):
    changed = tmp_path / "reference"
    shutil.copytree(reference_data.REFERENCE_DIR, changed)
    initiatives = json.loads((changed / "initiatives.json").read_text())
    initiatives[0]["title"]["fr"] = "Titre corrigé"
    (changed / "initiatives.json").write_text(json.dumps(initiatives))
    endorsements = (changed / "endorsements.csv").read_text().replace("2019-11-19", "2019-11-20")
    (changed / "endorsements.csv").write_text(endorsements)
    before = row_counts()
    monkeypatch.setattr(reference_data, "REFERENCE_DIR", changed)

    reference_data.load_reference_data()

    assert row_counts() == before
    assert Initiative.objects.get(slug=initiatives[0]["slug"]).title_fr == "Titre corrigé"
    guinea = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="GIN")
    assert str(guinea.endorsed_on) == "2019-11-20"


@pytest.mark.django_db
def test_the_load_command_prints_what_it_did():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_reference_data", stdout=out)
    # The test database holds the reference data already: a second load changes nothing.
    assert "states unchanged: 194" in out.getvalue()
    assert "endorsements present: 140" in out.getvalue()


def test_each_language_keeps_its_own_texts_whatever_language_is_active_when_loading(db):
    with translation.override("fr"):  # e.g. a caller that was serving a French page
        reference_data.load_reference_data()
    paris_call = Initiative.objects.get(slug="paris-call")
    assert paris_call.title_fr.startswith("Appel de Paris")
    assert paris_call.title_en.startswith("Paris Call")
