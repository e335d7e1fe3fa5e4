"""Load the reference data kept in `reference/` (states, themes, initiatives, events, listed
endorsements). Loading twice changes nothing; a changed file updates rows in place."""

from __future__ import annotations

import csv
import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import pgettext_lazy

from initiatives.endorsing import record_listed_endorsement
from initiatives.models import DatePrecision, Event, Initiative, ReportedFigure, Theme, TranslationStatus
from initiatives.texts import TRANSLATED
from members.models import MemberState

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"
# The English and French texts were written from the sources and checked against them; the
# other languages are machine-assisted until the secretariat reviews them.
REVIEWED_LANGUAGES = {"en", "fr"}
# The provenance notes of the listed endorsements in reference/endorsements.csv, for the
# catalogues: receipts and the API show them in the reader's language (a test keeps this list
# and the file in step). Notes the secretariat writes later are shown as written.
SOURCE_NOTES = (
    pgettext_lazy(
        "source note",
        "Listed in the October 2020 list (46 States) and in the October 2021 list (50 States and the EU).",
    ),
    pgettext_lazy("source note", "First listed in the October 2021 list (50 States and the EU)."),
    pgettext_lazy(
        "source note",
        "Date first listed on the official Paris Call website (its source repository), not the date of signature; "
        "2019-09-16 is the import of the list that existed before.",
    ),
    pgettext_lazy("source note", "announced joining (43rd signatory)"),
    pgettext_lazy(
        "source note", "announced joining at 2nd Summit (UNGA77); State Dept release said 45 endorsing countries"
    ),
    pgettext_lazy("source note", "announced joining at 2nd Summit (UNGA77)"),
    pgettext_lazy("source note", "joined"),
    pgettext_lazy("source note", 'joined "a few days" before 2022-11-14'),
    pgettext_lazy("source note", "announced by PM Edi Rama at Paris Peace Forum"),
    pgettext_lazy("source note", "announced by Brazilian MFA (51st signatory)"),
    pgettext_lazy("source note", "announced at 3rd Summit, Paris (52 states)"),
)


def _language_columns(field: str, texts: dict[str, str]) -> dict[str, str]:
    """{"en": "…", "fr": "…"} → {"title_en": "…", "title_fr": "…"} for the site's languages."""
    columns = {}
    for code, _name in settings.LANGUAGES:
        key = code.replace("-", "_")
        if key in texts or code in texts:
            columns[f"{field}_{key}"] = texts.get(key, texts.get(code, ""))
    return columns


def _upsert(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[Any, str]:
    """Create the row, or update only the fields that differ. Returns the row and what happened."""
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        return model._default_manager.create(**lookup, **values), "created"
    changed = [field for field, value in values.items() if getattr(row, field) != value]
    for field in changed:
        setattr(row, field, values[field])
    if changed:
        row.save(update_fields=changed)
    return row, "updated" if changed else "unchanged"


def _set_m2m(manager: Any, wanted: list[Any]) -> bool:
    if {obj.pk for obj in manager.all()} == {obj.pk for obj in wanted}:
        return False
    manager.set(wanted)
    return True


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _read_json(name: str) -> Any:
    return json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))


def _read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_states(tally: Counter[str]) -> None:
    for row in _read_csv("states.csv"):
        names = {key.removeprefix("name_"): value for key, value in row.items() if key.startswith("name_")}
        _row, outcome = _upsert(
            MemberState,
            {"code": row["code"]},
            {
                "iso2": row["iso2"],
                "kind": row["kind"],
                "regional_group": row["regional_group"],
                "un_member_since": _date(row["un_member_since"]),
                "source": row["source"],
                "other_names": [name for name in row["other_names"].split("|") if name],
                "name": names["en"],
                **_language_columns("name", names),
            },
        )
        tally[f"states {outcome}"] += 1


def load_themes(tally: Counter[str]) -> None:
    for item in _read_json("themes.json"):
        _row, outcome = _upsert(
            Theme, {"slug": item["slug"]}, {"name": item["name"]["en"], **_language_columns("name", item["name"])}
        )
        tally[f"themes {outcome}"] += 1


def _translation_status(item: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each text's status per language code (zh-hans, not the JSON key zh_hans)."""
    status: dict[str, dict[str, str]] = {}
    for field in TRANSLATED:
        languages = [key.replace("_", "-") for key, text in item[field].items() if text]
        status[field] = {
            language: TranslationStatus.REVIEWED
            if language in REVIEWED_LANGUAGES
            else TranslationStatus.MACHINE_ASSISTED
            for language in languages
        }
    return status


def load_initiatives(tally: Counter[str]) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for item in _read_json("initiatives.json"):
        texts: dict[str, Any] = {}
        for field in TRANSLATED:
            texts[field] = item[field]["en"]
            texts.update(_language_columns(field, item[field]))
        initiative, outcome = _upsert(
            Initiative,
            {"slug": item["slug"]},
            {
                "kind": item["kind"],
                "theme": themes[item["theme"]],
                "status": Initiative.Status.OPEN,
                "launched_on": _date(item["launched_on"]),
                "signing_opens_on": _date(item.get("opened_on") or item["launched_on"]),
                "sources": item["sources"],
                "translation_status": item.get("translation_status") or _translation_status(item),
                **texts,
            },
        )
        if _set_m2m(initiative.lead_states, [states[code] for code in item["lead_states"]]) and outcome == "unchanged":
            outcome = "updated"
        tally[f"initiatives {outcome}"] += 1
        for figure in item["reported_figures"]:
            _row, outcome = _upsert(
                ReportedFigure,
                {"initiative": initiative, "as_of": _date(figure["as_of"]), "count": figure["count"]},
                {
                    "as_of_precision": figure["precision"],
                    "source_url": figure["source_url"],
                    "note": figure["note"]["en"],
                    **_language_columns("note", figure["note"]),
                },
            )
            tally[f"reported figures {outcome}"] += 1


def load_events(tally: Counter[str]) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    initiatives = {initiative.slug: initiative for initiative in Initiative.objects.all()}
    for item in _read_json("events.json"):
        texts: dict[str, Any] = {}
        for field in ("place", "title", "description"):
            texts[field] = item[field]["en"]
            texts.update(_language_columns(field, item[field]))
        event, outcome = _upsert(
            Event, {"slug": item["slug"]}, {"date": _date(item["date"]), "sources": item["sources"], **texts}
        )
        changed = _set_m2m(event.co_chairs, [states[code] for code in item["co_chairs"]])
        changed |= _set_m2m(event.initiatives, [initiatives[slug] for slug in item["initiatives"]])
        tally[f"events {'updated' if changed and outcome == 'unchanged' else outcome}"] += 1


def load_endorsements(tally: Counter[str]) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    initiatives = {initiative.slug: initiative for initiative in Initiative.objects.all()}
    for row in _read_csv("endorsements.csv"):
        endorsement, created = record_listed_endorsement(
            initiative=initiatives[row["initiative"]],
            member_state=states[row["state"]],
            endorsed_on=datetime.date.fromisoformat(row["endorsed_on"]),
            date_precision=DatePrecision(row["date_precision"]),
            source_url=row["source_url"],
            source_note=row["source_note"],
        )
        tally[f"endorsements {'created' if created else 'present'}"] += 1


@transaction.atomic
def load_reference_data() -> Counter[str]:
    """Load every reference file, in dependency order. Returns a tally of what happened.

    A translated model's base field (`title`) is written to the active language's column, so the
    default language is active while loading, whatever language the caller was using."""
    tally: Counter[str] = Counter()
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        load_states(tally)
        load_themes(tally)
        load_initiatives(tally)
        load_events(tally)
        load_endorsements(tally)
    return tally
