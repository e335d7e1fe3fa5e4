"""The reference data kept in `reference/` (states, themes, initiatives, events, listed
endorsements): it seeds a register, and updates one only when asked.

`load_reference_data()` seeds: it creates what the register lacks and never changes a row that
exists, so a restart (`make serve` loads it) keeps every change the secretariat made.
`update_reference_data()` brings changed files into a running register: it lists each difference
and, when told to apply them, writes them through the same rules as the admin (an initiative's
texts through `initiatives.publishing`, a new text version when the commitment changes in every
language), each in the audit trail. A listed endorsement whose date or source differs is only
reported: the register corrects an endorsement explicitly, never by reloading a file."""

from __future__ import annotations

import csv
import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import pgettext_lazy

from alliance import caching
from initiatives import publishing, transparency
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


@dataclass
class Reconciliation:
    """What loading the files did, or would do: a tally, and each difference found."""

    update: bool  # False: seed only (create what is missing, change nothing)
    tally: Counter[str] = field(default_factory=Counter)
    differences: list[str] = field(default_factory=list)

    def row(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        save: Any = None,
    ) -> tuple[Any, bool]:
        """The row, created when missing; an existing row's differing fields are listed and, when
        updating, set and saved (by `save(row, changed)` if given). Returns the row and whether it
        was created."""
        label = model._meta.model_name
        row = model._default_manager.filter(**lookup).first()
        key = ", ".join(str(value) for value in lookup.values())
        if row is None:
            row = model(**lookup, **values)
            if save:
                save(row, [])
            else:
                row.save()
            self.tally[f"{label} created"] += 1
            self.differences.append(f"{label} {key}: created")
            return row, True
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        for name in changed:
            self.differences.append(f"{label} {key}: {name}: {getattr(row, name)!r} → {values[name]!r}")
        if changed and self.update:
            for name in changed:
                setattr(row, name, values[name])
            if save:
                save(row, changed)
            else:
                row.save(update_fields=changed)
            self.tally[f"{label} updated"] += 1
        else:
            self.tally[f"{label} {'differs' if changed else 'unchanged'}"] += 1
        return row, False

    def m2m(self, row: Any, name: str, wanted: list[Any], *, created: bool) -> None:
        manager = getattr(row, name)
        if {obj.pk for obj in manager.all()} == {obj.pk for obj in wanted}:
            return
        if not created:
            label = row._meta.model_name
            self.differences.append(f"{label} {row}: {name} differ")
        if created or self.update:
            manager.set(wanted)


def _date(text: str) -> datetime.date | None:
    return datetime.date.fromisoformat(text) if text else None


def _read_json(name: str) -> Any:
    return json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))


def _read_csv(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_states(plan: Reconciliation) -> None:
    for row in _read_csv("states.csv"):
        names = {key.removeprefix("name_"): value for key, value in row.items() if key.startswith("name_")}
        plan.row(
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


def load_themes(plan: Reconciliation) -> None:
    for item in _read_json("themes.json"):
        plan.row(Theme, {"slug": item["slug"]}, {"name": item["name"]["en"], **_language_columns("name", item["name"])})


def _translation_status(item: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Each text's status per language code (zh-hans, not the JSON key zh_hans)."""
    status: dict[str, dict[str, str]] = {}
    for name in TRANSLATED:
        languages = [key.replace("_", "-") for key, text in item[name].items() if text]
        status[name] = {
            language: TranslationStatus.REVIEWED
            if language in REVIEWED_LANGUAGES
            else TranslationStatus.MACHINE_ASSISTED
            for language in languages
        }
    return status


def _save_initiative(status: dict[str, dict[str, str]]) -> Any:
    """How the reconciliation saves an initiative: through the rules of publishing. A changed text
    takes the file's translation status; a commitment changed in every language is a new version."""

    def save(initiative: Initiative, changed: list[str]) -> None:
        for name in TRANSLATED:
            for code, _label in settings.LANGUAGES:
                if f"{name}_{code.replace('-', '_')}" in changed and code in status.get(name, {}):
                    initiative.translation_status.setdefault(name, {})[code] = status[name][code]
        edited_commitment = [name for name in changed if name.startswith("commitment_")]
        material = len(edited_commitment) == len(settings.LANGUAGES) if edited_commitment else None
        publishing.save_initiative(initiative=initiative, changed=changed, material=material, by_a_person=False)

    return save


def load_initiatives(plan: Reconciliation) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    themes = {theme.slug: theme for theme in Theme.objects.all()}
    for item in _read_json("initiatives.json"):
        texts: dict[str, Any] = {}
        for name in TRANSLATED:
            texts[name] = item[name]["en"]
            texts.update(_language_columns(name, item[name]))
        status = item.get("translation_status") or _translation_status(item)
        values = {
            "kind": item["kind"],
            "theme": themes[item["theme"]],
            "launched_on": _date(item["launched_on"]),
            "signing_opens_on": _date(item.get("opened_on") or item["launched_on"]),
            "sources": item["sources"],
            **texts,
        }
        existing = Initiative.objects.filter(slug=item["slug"]).exists()
        if not existing:  # the lifecycle is the secretariat's once the initiative exists
            values |= {"status": Initiative.Status.OPEN, "translation_status": status}
        initiative, created = plan.row(Initiative, {"slug": item["slug"]}, values, save=_save_initiative(status))
        plan.m2m(initiative, "lead_states", [states[code] for code in item["lead_states"]], created=created)
        if not (created or plan.update):
            continue  # figures are the secretariat's to delete once the initiative exists
        for figure in item["reported_figures"]:
            plan.row(
                ReportedFigure,
                {"initiative": initiative, "as_of": _date(figure["as_of"]), "count": figure["count"]},
                {
                    "as_of_precision": figure["precision"],
                    "source_url": figure["source_url"],
                    "note": figure["note"]["en"],
                    **_language_columns("note", figure["note"]),
                },
            )


def load_events(plan: Reconciliation) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    initiatives = {initiative.slug: initiative for initiative in Initiative.objects.all()}
    for item in _read_json("events.json"):
        texts: dict[str, Any] = {}
        for name in ("place", "title", "description"):
            texts[name] = item[name]["en"]
            texts.update(_language_columns(name, item[name]))
        event, created = plan.row(
            Event, {"slug": item["slug"]}, {"date": _date(item["date"]), "sources": item["sources"], **texts}
        )
        plan.m2m(event, "co_chairs", [states[code] for code in item["co_chairs"]], created=created)
        plan.m2m(event, "initiatives", [initiatives[slug] for slug in item["initiatives"]], created=created)


def load_endorsements(plan: Reconciliation) -> None:
    states = {state.code: state for state in MemberState.objects.all()}
    initiatives = {initiative.slug: initiative for initiative in Initiative.objects.all()}
    for row in _read_csv("endorsements.csv"):
        listed: dict[str, Any] = {
            "endorsed_on": datetime.date.fromisoformat(row["endorsed_on"]),
            "date_precision": DatePrecision(row["date_precision"]),
            "source_url": row["source_url"],
            "source_note": row["source_note"],
        }
        endorsement, created = record_listed_endorsement(
            initiative=initiatives[row["initiative"]], member_state=states[row["state"]], **listed
        )
        plan.tally[f"endorsement {'created' if created else 'present'}"] += 1
        differing = [name for name, value in listed.items() if getattr(endorsement, name) != value]
        if differing:
            plan.differences.append(
                f"endorsement {endorsement.reference} ({row['initiative']}, {row['state']}): "
                f"{', '.join(differing)} differ in the file; not changed (record a correction)"
            )


def _reconcile(plan: Reconciliation) -> Reconciliation:
    """Every reference file, in dependency order.

    A translated model's base field (`title`) is written to the active language's column, so the
    default language is active while loading, whatever language the caller was using."""
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        load_states(plan)
        load_themes(plan)
        load_initiatives(plan)
        load_events(plan)
        load_endorsements(plan)
    # Also when nothing changed: `make serve` loads the data at each release, whose templates may differ.
    caching.register_changed()
    return plan


@transaction.atomic
def load_reference_data() -> Counter[str]:
    """Seed the register: create what it lacks, change nothing that exists. Returns a tally.

    A register that existed before its transparency log starts it with what it holds."""
    tally = _reconcile(Reconciliation(update=False)).tally
    tally["log entry appended"] += transparency.start_the_log()
    return tally


class _Preview(Exception):
    """Rolls back a dry run of the update."""


def update_reference_data(*, apply: bool) -> Reconciliation:
    """Bring the files' changes into the register (`apply`), or list them without writing anything."""
    try:
        with transaction.atomic():
            plan = _reconcile(Reconciliation(update=True))
            if not apply:
                raise _Preview
    except _Preview:
        pass
    return plan
