"""Import a historical list of endorsements (CSV or XLSX): read it, preview each row, then commit.

The preview writes nothing. It applies the register's rules (initiatives.endorsing._check_period,
which only reads) so that the secretariat sees, line by line, what a commit would create, what is
already in the register and what is wrong. The commit goes through `record_endorsement`, like
every other write.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from modeltranslation.utils import build_localized_fieldname

from alliance.text import BIDI_CONTROLS
from initiatives.endorsing import AlreadyEndorsed, EndorsementRefused, _check_period, record_endorsement
from initiatives.models import DatePrecision, Endorsement, Initiative
from members.collation import collation_key
from members.models import MemberState, User

REQUIRED_COLUMNS = ("initiative", "state", "endorsed_on", "source")
OPTIONAL_COLUMNS = ("statement", "date_precision", "source_note")
MAX_ROWS = 5000
MAX_STATEMENT_LENGTH = 2000  # Endorsement.statement's max_length, which only forms enforce
MAX_SOURCE_URL_LENGTH = 500  # Endorsement.source_url's column width

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
URL_PREFIXES = ("http://", "https://")

Outcome = Literal["create", "present", "error"]


class ImportFileError(Exception):
    """The file, or the commit of its rows, cannot go ahead; the message is shown to the user."""


@dataclass(frozen=True)
class PreviewRow:
    """What importing one line of the file would do."""

    line: int
    outcome: Outcome
    message: str
    initiative: Initiative | None
    member_state: MemberState | None
    endorsed_on: datetime.date | None
    source: str
    statement: str
    date_precision: DatePrecision = DatePrecision.DAY
    source_note: str = ""


# Reading the file


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """The file's data rows as (spreadsheet line number, {column: text}); the header is line 1.

    Column names are matched without regard to case or surrounding spaces; blank rows are skipped
    but still counted, so the line numbers are those a spreadsheet shows.
    """
    extension = PurePath(filename).suffix.lower()
    if extension == ".csv":
        table = _csv_table(data)
    elif extension == ".xlsx":
        table = _xlsx_table(data)
    else:
        raise ImportFileError(
            _('Only .csv and .xlsx files can be imported, not "%(name)s".') % {"name": PurePath(filename).name}
        )
    return _rows_from_table(table)


def _csv_table(data: bytes) -> list[tuple[int, list[str]]]:
    try:
        text = data.decode("utf-8-sig")  # drops the byte order mark Excel writes
    except UnicodeDecodeError:
        raise ImportFileError(_('The file is not UTF-8 text: save it as "CSV UTF-8" and try again.')) from None
    header = text.split("\n", 1)[0]
    # Spreadsheets set to French or German separate CSV fields with semicolons; the header tells.
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        # A record, not a physical line, is a spreadsheet row: a quoted field may span lines.
        return [(line, cells) for line, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)]
    except csv.Error as error:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": error}) from None


def _xlsx_table(data: bytes) -> list[tuple[int, list[str]]]:
    table: list[tuple[int, list[str]]] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ImportFileError(_("The file cannot be read as an XLSX workbook.")) from None
    try:
        sheet = workbook.worksheets[0]
        # Some programs write a wrong size into the sheet; read every row that is there instead.
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [_cell_text(value) for value in values]
            if any(cells):
                table.append((line, cells))
            if len(table) > MAX_ROWS + 1:
                break
    except (IndexError, KeyError, ValueError, TypeError, SyntaxError):
        # SyntaxError: the XML parser's error for a damaged sheet.
        raise ImportFileError(_("The file cannot be read as an XLSX workbook.")) from None
    finally:
        workbook.close()
    return table


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column_name(text: str) -> str:
    return "_".join(text.strip().lower().replace("-", " ").split())


def _rows_from_table(table: list[tuple[int, list[str]]]) -> list[tuple[int, dict[str, str]]]:
    data_rows = [(line, cells) for line, cells in table if any(cell.strip() for cell in cells)]
    if not data_rows or data_rows[0][0] != 1:
        raise ImportFileError(_("The first line must name the columns: initiative, state, endorsed_on, source."))
    header = [_column_name(cell) for cell in data_rows[0][1]]
    from_export = "source" not in header and "source_url" in header  # the admin's export, read back
    if from_export:
        header = ["state" if name == "state_code" and "state" not in header else name for name in header]
        header.append("source")
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise ImportFileError(
            ngettext(
                'The file has no "%(columns)s" column.',
                "These columns are missing: %(columns)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing)}
        )
    if len(data_rows) == 1:
        raise ImportFileError(_("The file has no rows under its header."))
    if len(data_rows) - 1 > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(max)s rows; split it into smaller files.")
            % {"max": formats.number_format(MAX_ROWS, force_grouping=True)}
        )
    rows = []
    for line, cells in data_rows[1:]:
        values: dict[str, str] = {}
        for name, cell in zip(header, cells, strict=False):
            if name and name not in values:
                values[name] = cell.strip()
        if from_export:
            # The export splits the source into a URL and a document reference; the import takes either.
            values["source"] = values.get("source_url", "")
            if not values["source"]:
                values["source"], values["source_note"] = values.get("source_note", ""), ""
        rows.append((line, {column: values.get(column, "") for column in (*header, *OPTIONAL_COLUMNS) if column}))
    return rows


# Previewing the rows


def preview(rows: list[tuple[int, dict[str, str]]]) -> list[PreviewRow]:
    """What importing each row would do, by the register's rules. Reads only."""
    initiatives = {initiative.slug: initiative for initiative in Initiative.objects.published()}
    states = _StateIndex()
    registered = _registered_endorsements([initiative.pk for initiative in initiatives.values()])
    first_line: dict[tuple[int, int], int] = {}
    return [_preview_row(line, values, initiatives, states, registered, first_line) for line, values in rows]


def _preview_row(
    line: int,
    values: dict[str, str],
    initiatives: dict[str, Initiative],
    states: _StateIndex,
    registered: dict[tuple[int, int], list[Endorsement]],
    first_line: dict[tuple[int, int], int],
) -> PreviewRow:
    problems: list[str] = []

    slug = values.get("initiative", "")
    initiative = initiatives.get(slug.lower())
    if not slug:
        problems.append(_("the initiative is missing"))
    elif initiative is None:
        problems.append(_('unknown initiative "%(slug)s"') % {"slug": slug})

    member_state, problem = states.find(values.get("state", ""))
    if problem:
        problems.append(problem)

    precision, problem = _date_precision(values.get("date_precision", ""))
    if problem:
        problems.append(problem)
    endorsed_on, problem = _endorsement_date(values.get("endorsed_on", ""), precision)
    if problem:
        problems.append(problem)

    source = values.get("source", "")
    if not source:
        problems.append(_("no source: give a URL or a document reference"))
    elif _is_url(source) and not _valid_url(source):
        problems.append(_('the source "%(source)s" is not a valid URL') % {"source": source})

    statement = values.get("statement", "")
    if len(statement) > MAX_STATEMENT_LENGTH:
        problems.append(
            _("the statement is longer than %(max)s characters")
            % {"max": formats.number_format(MAX_STATEMENT_LENGTH, force_grouping=True)}
        )

    if any(BIDI_CONTROLS.search(values.get(column, "")) for column in ("source", "statement", "source_note")):
        problems.append(_("a text holds a control character that changes the direction in which it is displayed"))

    if initiative is not None and member_state is not None:
        key = (initiative.pk, member_state.pk)
        if key in first_line:
            problems.append(_("duplicate of line %(line)s") % {"line": first_line[key]})
        else:
            first_line[key] = line

    def row(outcome: Outcome, message: str) -> PreviewRow:
        return PreviewRow(
            line=line,
            outcome=outcome,
            message=message,
            initiative=initiative,
            member_state=member_state,
            endorsed_on=endorsed_on,
            source=source,
            statement=statement,
            date_precision=precision or DatePrecision.DAY,
            source_note=values.get("source_note", ""),
        )

    if problems:
        return row("error", "; ".join(problems))
    assert initiative is not None and member_state is not None and endorsed_on is not None
    present = _already_registered(registered.get((initiative.pk, member_state.pk), []), endorsed_on)
    if present:
        return row("present", present)
    if values.get("withdrawn_on"):  # an exported period that has ended: recording it would reopen it
        return row(
            "error",
            _("withdrawn on %(date)s: an import records endorsements in force; record this period in the admin")
            % {"date": values["withdrawn_on"]},
        )
    try:
        _check_period(initiative=initiative, member_state=member_state, endorsed_on=endorsed_on)
    except AlreadyEndorsed as error:
        return row("present", _since(error.endorsement))
    except EndorsementRefused as error:
        return row("error", str(error))
    return row("create", "")


def _registered_endorsements(initiative_ids: list[int]) -> dict[tuple[int, int], list[Endorsement]]:
    """Every period already recorded for these initiatives, by (initiative, state): one query."""
    periods: dict[tuple[int, int], list[Endorsement]] = defaultdict(list)
    for endorsement in Endorsement.objects.filter(initiative__in=initiative_ids).order_by("endorsed_on"):
        periods[endorsement.initiative_id, endorsement.member_state_id].append(endorsement)
    return periods


def _already_registered(periods: list[Endorsement], endorsed_on: datetime.date) -> str:
    """Why the row is already in the register (a period in force, or one from that very day), or ""."""
    for endorsement in periods:
        if endorsement.withdrawn_on is None:
            return _since(endorsement)
    for endorsement in periods:
        if endorsement.endorsed_on == endorsed_on and endorsement.withdrawn_on is not None:
            return _("already in the register from %(start)s until its withdrawal on %(end)s") % {
                "start": _date(endorsement.endorsed_on),
                "end": _date(endorsement.withdrawn_on),
            }
    return ""


def _since(endorsement: Endorsement) -> str:
    return _("already in the register since %(date)s") % {"date": _date(endorsement.endorsed_on)}


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _date_precision(text: str) -> tuple[DatePrecision | None, str]:
    if not text:
        return DatePrecision.DAY, ""
    try:
        return DatePrecision(text.lower()), ""
    except ValueError:
        return None, _('unknown date precision "%(value)s": write day, month or by') % {"value": text}


def _endorsement_date(text: str, precision: DatePrecision | None) -> tuple[datetime.date | None, str]:
    if not text:
        return None, _("the date is missing")
    try:
        day = _parse_date(text)
    except ValueError:  # well written, but no such day
        return None, _('"%(value)s" is not a day of the calendar') % {"value": text}
    if day is None:
        return None, _('bad date "%(value)s": write YYYY-MM-DD or DD/MM/YYYY') % {"value": text}
    if precision == DatePrecision.MONTH:
        # The register stores a month-only date as the month's last day (DatePrecision.MONTH).
        day = day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if day > timezone.localdate():
        return day, _("the date %(date)s is in the future") % {"date": _date(day)}
    return day, ""


def _parse_date(text: str) -> datetime.date | None:
    """The day `text` names, None when it is not written as a date; ValueError when no such day exists."""
    if ISO_DATE.match(text):
        return datetime.date.fromisoformat(text)
    match = DAY_MONTH_YEAR.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        return datetime.date(year, month, day)
    return None


def _is_url(source: str) -> bool:
    return source.lower().startswith(URL_PREFIXES)


def _valid_url(source: str) -> bool:
    if len(source) > MAX_SOURCE_URL_LENGTH:
        return False
    try:
        URLValidator(schemes=["http", "https"])(source)
    except ValidationError:
        return False
    return True


class _StateIndex:
    """Finds a state by its alpha-3 code or by its name in any of the site's languages.

    Names match by their collation key in their own language, so case, accents, apostrophes,
    hyphens and spaces do not matter ("cote d'ivoire" finds Côte d’Ivoire); Chinese names match
    by their pinyin. Each language has its own index, so a Latin name is never compared with pinyin.
    """

    def __init__(self) -> None:
        self.by_code: dict[str, MemberState] = {}
        self.by_name: dict[str, dict[str, set[MemberState]]] = {}
        languages = [code for code, _name in settings.LANGUAGES]
        for language in languages:
            self.by_name[language] = defaultdict(set)
        for state in MemberState.objects.all():
            self.by_code[state.code] = state
            for language in languages:
                name = getattr(state, build_localized_fieldname("name", language)) or ""
                if name:
                    self.by_name[language][_name_key(name, language)].add(state)
            for name in state.other_names:  # English names other than the UN's ("United Kingdom")
                self.by_name["en"][_name_key(name, "en")].add(state)

    def find(self, text: str) -> tuple[MemberState | None, str]:
        """The state, or None and what is wrong."""
        if not text:
            return None, _("the state is missing")
        if text.upper() in self.by_code:
            return self.by_code[text.upper()], ""
        found: set[MemberState] = set()
        for language, names in self.by_name.items():
            found |= names.get(_name_key(text, language), set())
        if len(found) == 1:
            return found.pop(), ""
        if found:
            return None, _('"%(name)s" could be %(states)s: give the alpha-3 code') % {
                "name": text,
                "states": ", ".join(sorted(state.code for state in found)),
            }
        return None, _('unknown state "%(name)s"') % {"name": text}


def _name_key(name: str, language: str) -> str:
    return "".join(collation_key(name, language)[0].split())


# Committing


def commit(rows: list[PreviewRow], *, recorded_by: User) -> int:
    """Record the rows the preview would create, all or none. Returns how many were created.

    A row that the register refuses now (another user recorded it since the preview) rolls
    every row back.
    """
    created = 0
    with transaction.atomic():
        for row in rows:
            if row.outcome != "create":
                continue
            assert row.initiative is not None and row.member_state is not None and row.endorsed_on is not None
            is_url = _is_url(row.source)
            notes = [row.source] if not is_url else []
            if row.source_note:
                notes.append(row.source_note)
            try:
                record_endorsement(
                    initiative=row.initiative,
                    member_state=row.member_state,
                    endorsed_on=row.endorsed_on,
                    recorded_by=recorded_by,
                    source_url=row.source if is_url else "",
                    source_note="\n".join(notes),
                    statement=row.statement,
                    date_precision=row.date_precision,
                    announce=False,  # a historical list is not news: no email per row
                )
            except EndorsementRefused as error:
                raise ImportFileError(
                    _("Line %(line)s was refused: %(reason)s Nothing was imported.")
                    % {"line": row.line, "reason": error}
                ) from error
            created += 1
    return created
