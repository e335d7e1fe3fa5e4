"""The register's longest tables, written in Python: a page lists up to 193 rows, and the template
language spends most of a page's time resolving variables row by row."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from html import escape

from django import template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import DatePrecision, Endorsement, PageRow

register = template.Library()


@lru_cache(maxsize=8192)
def _date(day: datetime.date, precision: str, language: str) -> SafeString:
    # `language` is part of the cache key: the format and the words follow the active language.
    if precision == DatePrecision.DAY:
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), formats.date_format(day, "DATE_FORMAT"))
    if precision == DatePrecision.MONTH:
        return format_html(
            '<time datetime="{}">{}</time>', day.strftime("%Y-%m"), formats.date_format(day, "YEAR_MONTH_FORMAT")
        )
    return format_html("{}", _("listed by %(date)s") % {"date": formats.date_format(day, "DATE_FORMAT")})


@lru_cache(maxsize=8192)
def _url(language: str, name: str, argument: str) -> str:
    # The URL conf never changes while the process runs; the language is its prefix.
    return reverse(name, args=[argument])


@register.simple_tag
def endorsement_date(row: Endorsement | PageRow) -> SafeString:
    """The date of an endorsement as precisely as its source supports: a day, a month, or "listed by"."""
    return _date(row.endorsed_on, row.date_precision, get_language())


@register.simple_tag
def endorsement_rows(rows: Iterable[PageRow], state_names: dict[int, str]) -> SafeString:
    """The rows of the register table: state, date, how it was given (with its source), reference.

    `state_names`: each state's name by primary key, from members.directory."""
    language = get_language()
    channels = {value: escape(str(label)) for value, label in Endorsement.Channel.choices}
    lines = []
    for row in rows:
        channel = channels[row.channel]
        if row.source_url:
            channel = f'<a href="{escape(row.source_url)}" rel="external noopener">{channel}</a>'
        state_url = _url(language, "initiatives:state", row.member_state.code.lower())
        receipt_url = _url(language, "initiatives:receipt", row.reference)
        lines.append(
            f'<tr><th scope="row"><a href="{escape(state_url)}">{escape(state_names[row.member_state_id])}</a></th>'
            f"<td>{_date(row.endorsed_on, row.date_precision, language)}</td><td>{channel}</td>"
            f'<td><a href="{escape(receipt_url)}"><code>{escape(row.reference)}</code></a></td></tr>'
        )
    return mark_safe("\n".join(lines))  # nosec  # noqa: S308 - every value above is escaped
