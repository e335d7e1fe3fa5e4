"""The one CSV writer of the register, for the admin's exports and the public open data alike.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return
before one) as a formula, and statements, reasons and source notes are text anyone accredited
or on the staff may type. As OWASP recommends ("CSV Injection"), such a cell is written with a
leading apostrophe, which spreadsheets show as text and never run.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """A value as an inert CSV cell: dates in ISO 8601, lists joined by `;`, formulas neutralised."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = ";".join(str(item) for item in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(
    *, filename: str, columns: Sequence[str], rows: Iterable[Sequence[object]], byte_order_mark: bool = False
) -> HttpResponse:
    """A CSV download. The byte order mark lets Excel read Arabic and Chinese names as UTF-8."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if byte_order_mark:
        response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows([cell(value) for value in row] for row in rows)
    return response
