"""Text versions, translations before opening, and two editors changing the same initiative."""

import importlib
from http import HTTPStatus

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import formats, timezone, translation

from initiatives.models import Initiative
from initiatives.publishing import PublishingRefused, save_initiative
from tests.conftest import turn_on_mfa
from tests.factories import UserFactory
from tests.members.test_admin_roles import _form_data


@pytest.fixture
def editor(register):
    user = UserFactory(email="editor@secretariat.example", is_staff=True, is_superuser=True)
    turn_on_mfa(user)
    client = Client()
    client.force_login(user)
    return client


def change_url(initiative: Initiative, language: str = "en") -> str:
    return f"/{language}/admin/initiatives/initiative/{initiative.pk}/change/"


def edit(client: Client, initiative: Initiative, *, path_language: str = "en", **changes):
    url = change_url(initiative, path_language)
    data = _form_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def test_a_changed_commitment_of_an_open_initiative_asks_whether_it_is_material(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    response = edit(editor, initiative, commitment_en=initiative.commitment_en + " And more.")
    assert response.status_code == HTTPStatus.OK
    assert "Say whether this change to the commitment is material." in response.content.decode()
    initiative.refresh_from_db()
    assert not initiative.commitment_en.endswith("And more.")


def test_a_material_change_makes_a_new_version_shown_with_its_differences(editor, anonymous):
    initiative = Initiative.objects.get(slug="climate-and-security")
    old = initiative.commitment_en
    new_texts = {
        f"commitment_{code}": getattr(initiative, f"commitment_{code}") + " (2)" for code in ("fr", "es", "ar", "ru")
    }
    response = edit(
        editor,
        initiative,
        commitment_en=old.replace("By endorsing", "By formally endorsing"),
        commitment_zh_hans=initiative.commitment_zh_hans + "（2）",
        material_change="material",
        **new_texts,
    )
    assert response.status_code == HTTPStatus.FOUND
    initiative.refresh_from_db()
    assert initiative.text_version == 2
    assert initiative.translation_status["commitment"]["en"] == "reviewed"
    page = anonymous.get("/en/initiatives/climate-and-security/versions/").content.decode()
    assert f"Version 2, since {formats.date_format(timezone.localdate(), 'DATE_FORMAT')}" in page
    # The first text dates from the launch, not from when the register recorded it.
    assert f"Version 1, since {formats.date_format(initiative.launched_on, 'DATE_FORMAT')}" in page
    assert "By<ins> formally</ins> endorsing" in page


def test_a_new_version_needs_the_changed_commitment_in_every_language(editor, anonymous):
    initiative = Initiative.objects.get(slug="climate-and-security")
    old_french = initiative.commitment_fr
    response = edit(
        editor,
        initiative,
        commitment_en=initiative.commitment_en + " And more.",
        commitment_fr=old_french + " Et davantage.",
        material_change="material",
    )
    assert (
        "Commitment still unchanged in: Spanish, Arabic, Simplified Chinese, Russian. "
        "Change it in those languages too, or mark the change as editorial." in response.content.decode()
    )
    initiative.refresh_from_db()
    assert (initiative.text_version, initiative.commitment_fr) == (1, old_french)  # nothing saved


def test_a_material_change_without_a_changed_commitment_is_explained(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    response = edit(editor, initiative, summary_en=initiative.summary_en + " More.", material_change="material")
    page = response.content.decode()
    assert "The commitment has not changed, so there is no new text version" in page
    assert "mark the change as editorial" not in page
    initiative.refresh_from_db()
    assert initiative.text_version == 1
    assert not initiative.summary_en.endswith(" More.")  # nothing saved


def test_the_languages_still_to_change_are_named_in_the_staff_members_language(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    response = edit(
        editor,
        initiative,
        path_language="fr",
        commitment_en=initiative.commitment_en + " And more.",
        commitment_fr=initiative.commitment_fr + " Et davantage.",
        material_change="material",
    )
    assert (
        "Engagement encore inchangé en\u00a0: espagnol, arabe, chinois simplifié, russe." in response.content.decode()
    )


def test_saving_untouched_texts_changes_no_text_and_reviews_no_translation(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    status_before, summary_ar = initiative.translation_status, initiative.summary_ar
    assert "machine_assisted" in str(status_before)
    data = _form_data(editor.get(change_url(initiative)))
    # As a browser sends a text area: every line break as CRLF.
    data = {name: value.replace("\n", "\r\n") if isinstance(value, str) else value for name, value in data.items()}
    assert editor.post(change_url(initiative), data).status_code == HTTPStatus.FOUND
    initiative.refresh_from_db()
    assert initiative.translation_status == status_before
    assert initiative.summary_ar == summary_ar
    latest = initiative.history.latest()
    assert latest.diff_against(latest.prev_record).changed_fields == ["revision"]


def test_an_editorial_change_keeps_the_version(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    edit(editor, initiative, commitment_en=initiative.commitment_en + " ", material_change="editorial")
    initiative.refresh_from_db()
    assert initiative.text_version == 1


def test_an_initiative_opens_only_with_its_texts_in_six_languages(editor):
    initiative = Initiative.objects.get(slug="climate-and-security")
    Initiative.objects.filter(pk=initiative.pk).update(
        status=Initiative.Status.DRAFT, commitment_ar="", title_zh_hans=""
    )
    initiative.refresh_from_db()
    response = edit(editor, initiative, status="open")
    page = response.content.decode()
    assert "An initiative is published only once these texts exist: title [zh-hans], commitment [ar]." in page
    initiative.refresh_from_db()
    assert initiative.status == Initiative.Status.DRAFT
    listing = editor.get("/en/admin/initiatives/initiative/").content.decode()
    assert "title [zh-hans], commitment [ar]" in listing


def test_an_open_initiative_keeps_its_texts_in_six_languages_whatever_writes_it(register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    title_ar = initiative.title_ar
    for blank in ("", "   "):  # written with no form and no clean(): the database refuses
        with pytest.raises(IntegrityError, match="published_initiative_has_every_text"), transaction.atomic():
            Initiative.objects.filter(pk=initiative.pk).update(title_ar=blank)
    initiative.refresh_from_db()
    assert initiative.title_ar == title_ar
    initiative.summary_ru = "   "
    with pytest.raises(PublishingRefused, match=r"these texts exist: summary \[ru\]"):
        save_initiative(initiative=initiative)


def test_the_second_of_two_editors_is_refused_and_told_what_changed(register):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    first, second = Client(), Client()
    for client, email in ((first, "first@secretariat.example"), (second, "second@secretariat.example")):
        user = UserFactory(email=email, is_staff=True, is_superuser=True)
        turn_on_mfa(user)
        client.force_login(user)
    first_form = _form_data(first.get(change_url(initiative)))
    second_form = _form_data(second.get(change_url(initiative)))
    first_form["summary_en"] = "Summary by the first editor."
    assert first.post(change_url(initiative), first_form).status_code == HTTPStatus.FOUND
    second_form["summary_en"] = "Summary by the second editor."
    response = second.post(change_url(initiative), second_form)
    page = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "first@secretariat.example saved this initiative at" in page
    assert "(changed: summary [en])" in page  # as the form labels the field, not its column name
    initiative.refresh_from_db()
    assert initiative.summary_en == "Summary by the first editor."


def test_missing_texts_are_named_in_the_staff_members_language(register):
    initiative = Initiative.objects.get(slug="climate-and-security")
    initiative.title_zh_hans = ""
    with translation.override("fr"):
        assert initiative.missing_to_open() == ["titre [zh-hans]"]


def test_texts_stored_with_crlf_line_breaks_are_normalised_once(editor):
    from django.apps import apps

    to_lf = importlib.import_module("initiatives.migrations.0006_texts_with_lf_line_breaks").to_lf
    initiative = Initiative.objects.get(slug="climate-and-security")
    Initiative.objects.filter(pk=initiative.pk).update(commitment_fr="Premier alinéa.\r\n\r\nSecond alinéa.")
    to_lf(apps, None)
    initiative.refresh_from_db()
    assert initiative.commitment_fr == "Premier alinéa.\n\nSecond alinéa."
