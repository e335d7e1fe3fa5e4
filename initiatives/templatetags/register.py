"""The register's longest tables, written in Python: a page lists up to 193 rows, and the template
language spends most of a page's time resolving variables row by row."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import lru_cache
from html import escape

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from initiatives.models import DatePrecision, Endorsement, Initiative, PageRow, receipt_url
from members.models import state_url

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


@register.simple_tag
def endorsement_date(row: Endorsement | PageRow) -> SafeString:
    """The date of an endorsement as precisely as its source supports: a day, a month, or "listed by"."""
    return _date(row.endorsed_on, row.date_precision, get_language())


@register.simple_tag
def endorsement_rows(rows: Iterable[PageRow], state_names: dict[int, str]) -> SafeString:
    """The rows of the register table: state, date, how it was given (with its source), reference.

    `state_names`: each state's name by primary key, from members.directory."""
    language = get_language()
    lines = [
        _row(
            language,
            row.member_state.code,
            state_names[row.member_state_id],
            row.endorsed_on,
            row.date_precision,
            row.channel,
            row.source_url,
            row.reference,
        )
        for row in rows
    ]
    return mark_safe("\n".join(lines))  # nosec  # noqa: S308 - _row escapes every value


@lru_cache(maxsize=8192)  # a row reads the same until it changes, on every page that lists it
def _row(
    language: str,
    code: str,
    name: str,
    endorsed_on: datetime.date,
    precision: str,
    channel: str,
    source_url: str,
    reference: str,
) -> str:
    # `language` is part of the key: the URLs, the date and the channel's label follow it.
    how = escape(str(Endorsement.Channel(channel).label))
    if source_url:
        how = f'<a href="{escape(source_url)}" rel="external noopener">{how}</a>'
    return (
        f'<tr><th scope="row"><a href="{escape(state_url(code, language))}">{escape(name)}</a></th>'
        f"<td>{_date(endorsed_on, precision, language)}</td><td>{how}</td>"
        f'<td><a href="{escape(receipt_url(reference))}"><code>{escape(reference)}</code></a></td></tr>'
    )


@register.filter
def written_title(initiative: Initiative) -> str:
    """The title in the reader's language if it is written in it, else as it is written (a draft's)."""
    return initiative.title_as_written(get_language())


@register.simple_tag
def written_title_marked(initiative: Initiative) -> SafeString:
    """`written_title`, marked with its language when it is not the page's (a screen reader then
    reads it in its own voice, and Arabic runs right to left inside a page in English)."""
    language, written = get_language(), initiative.written_in()
    title = initiative.title_as_written(language)
    if language in written or not written:
        return format_html("{}", title)
    direction = "rtl" if get_language_info(written[0])["bidi"] else "ltr"
    return format_html('<span lang="{}" dir="{}">{}</span>', written[0], direction, title)
