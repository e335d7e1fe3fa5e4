"""The texts of an initiative: their translations, and the versions of the text states endorse."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from modeltranslation.utils import build_localized_fieldname

from initiatives.models import Initiative, TranslationStatus
from initiatives.translation import InitiativeTranslationOptions

TRANSLATED: tuple[str, ...] = tuple(InitiativeTranslationOptions.fields)  # as registered with modeltranslation


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def statuses(initiative: Initiative) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each translated text (by its name in the reader's language) with, per language, "missing",
    "machine_assisted" or "reviewed"."""
    table = []
    for field in TRANSLATED:
        known = initiative.translation_status.get(field, {})
        row = []
        for code in languages():
            present = initiative.has_text(field, code)
            row.append((code, known.get(code, TranslationStatus.REVIEWED) if present else "missing"))
        table.append((Initiative.text_label(field), row))
    return table


@dataclass(frozen=True)
class WrittenText:
    """An initiative's title, summary and commitment in one language."""

    language: str
    title: str
    summary: str
    commitment: str


def written(initiative: Initiative) -> list[WrittenText]:
    """Its texts in each language its title is written in, in the site's order: a draft proposed by
    a state may have one language only, and a reader sees each as written, never a fallback."""

    def text(field: str, code: str) -> str:
        return str(getattr(initiative, build_localized_fieldname(field, code)) or "")

    return [
        WrittenText(code, text("title", code), text("summary", code), text("commitment", code))
        for code in initiative.written_in()
    ]


def mark_edited(initiative: Initiative, changed: list[str]) -> None:
    """A text a person has edited in a language counts as reviewed in that language."""
    status = {field: dict(values) for field, values in initiative.translation_status.items()}
    for field in TRANSLATED:
        for code in languages():
            if build_localized_fieldname(field, code) in changed:
                status.setdefault(field, {})[code] = TranslationStatus.REVIEWED
    initiative.translation_status = status


def commitment_unchanged_in(changed: list[str]) -> list[str]:
    """The languages whose commitment is not among the changed form fields."""
    return [code for code in languages() if build_localized_fieldname("commitment", code) not in changed]


def commitment_changed(changed: list[str]) -> bool:
    return len(commitment_unchanged_in(changed)) < len(languages())


@dataclass(frozen=True)
class TextVersion:
    number: int
    since: datetime.date
    commitment: str
    changes: SafeString | None


def _records_by_version(
    initiative: Initiative, *, published: bool
) -> tuple[dict[int, Any], dict[int, datetime.datetime]]:
    """The audit trail's last record of each `text_version` (which holds that version's texts) and
    when each version was first seen. `published`: only records of the initiative once published;
    the versions its states agreed while it was a draft stay theirs (`draft_versions`)."""
    records = initiative.history.order_by("history_date", "history_id")  # type: ignore[attr-defined]
    if published:
        records = records.exclude(status=Initiative.Status.DRAFT)
    last: dict[int, Any] = {}
    first_seen: dict[int, datetime.datetime] = {}
    for record in records:
        last[record.text_version] = record
        first_seen.setdefault(record.text_version, record.history_date)
    return last, first_seen


def versions(initiative: Initiative, language: str) -> list[TextVersion]:
    """Each published version of the commitment, newest first, with what changed from the one before.

    Read from the audit trail. The first version dates from the initiative's launch, not from when
    the register first recorded it; each later one from the day it was saved.
    """
    column = build_localized_fieldname("commitment", language)
    fallback = build_localized_fieldname("commitment", settings.MODELTRANSLATION_DEFAULT_LANGUAGE)
    last, first_seen = _records_by_version(initiative, published=True)
    result, previous = [], None
    for index, number in enumerate(sorted(last)):
        text = getattr(last[number], column) or getattr(last[number], fallback) or ""
        changes: SafeString | None = word_diff(previous, text) if previous is not None else None
        since = initiative.launched_on if index == 0 else timezone.localdate(first_seen[number])
        result.append(TextVersion(number, since, text, changes))
        previous = text
    return list(reversed(result))


@dataclass(frozen=True)
class TextChange:
    """One text of a draft version in one language, with what changed from the version before."""

    label: str
    language: str
    text: str
    changes: SafeString | None  # None: unchanged, or the first version


@dataclass(frozen=True)
class DraftVersion:
    number: int
    since: datetime.datetime
    texts: list[TextChange]

    @property
    def changed(self) -> list[TextChange]:
        return [text for text in self.texts if text.changes is not None]


DRAFT_TEXTS = ("title", "summary", "commitment")


def draft_versions(initiative: Initiative) -> list[DraftVersion]:
    """Every version of a draft, newest first: its title, summary and commitment in each language
    they are written in, and the words each accepted amendment changed (for the states taking part)."""
    last, first_seen = _records_by_version(initiative, published=False)
    result: list[DraftVersion] = []
    previous: dict[tuple[str, str], str] = {}
    for number in sorted(last):
        record, rows = last[number], []
        for field in DRAFT_TEXTS:
            for code in languages():
                text = str(getattr(record, build_localized_fieldname(field, code)) or "")
                before = previous.get((field, code))
                if not text.strip() and not before:
                    continue
                changes = word_diff(before or "", text) if before is not None and before != text else None
                rows.append(TextChange(Initiative.text_label(field), code, text, changes))
                previous[(field, code)] = text
        result.append(DraftVersion(number, first_seen[number], rows))
    return list(reversed(result))


# Beyond this many pairs of words to compare, the changed stretch shows as removed, then added:
# a comparison's cost grows with the product of the two stretches' lengths.
WORD_DIFF_BUDGET = 1_000_000


def word_diff(old: str, new: str) -> SafeString:
    """The new text with removed words in <del> and added words in <ins>, everything escaped.

    Only the stretch between the first and the last word that differ is compared (an amendment
    changes one passage of a text that may be long), within WORD_DIFF_BUDGET."""
    before, after = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    if start and before[start - 1].isspace():
        start -= 1  # the space before a change goes with it ("By<ins> formally</ins> endorsing")
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    removed, added = before[start : len(before) - end], after[start : len(after) - end]
    parts: list[str] = [escape("".join(after[:start]))]
    opcodes: Sequence[tuple[str, int, int, int, int]] = [("replace", 0, len(removed), 0, len(added))]
    if len(removed) * len(added) <= WORD_DIFF_BUDGET:
        opcodes = difflib.SequenceMatcher(a=removed, b=added, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(removed[i1:i2]))}</del>")
        if tag in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(added[j1:j2]))}</ins>")
        if tag == "equal":
            parts.append(escape("".join(added[j1:j2])))
    parts.append(escape("".join(after[len(after) - end :])))
    # Every piece above is escaped; only <del> and <ins> are markup.
    return mark_safe("".join(parts))  # nosec  # noqa: S308
