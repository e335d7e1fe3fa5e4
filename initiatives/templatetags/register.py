"""Tags of the register's pages: an endorsement's date, an initiative's title as written."""

from __future__ import annotations

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from initiatives.models import DatePrecision, Endorsement, Initiative

register = template.Library()


@register.simple_tag
def endorsement_date(row: Endorsement) -> SafeString:
    """The date of an endorsement as precisely as its source supports: a day, a month, or "listed by"."""
    day = row.endorsed_on
    if row.date_precision == DatePrecision.DAY:
        return format_html('<time datetime="{}">{}</time>', day.isoformat(), formats.date_format(day, "DATE_FORMAT"))
    if row.date_precision == DatePrecision.MONTH:
        return format_html(
            '<time datetime="{}">{}</time>', day.strftime("%Y-%m"), formats.date_format(day, "YEAR_MONTH_FORMAT")
        )
    return format_html("{}", _("listed by %(date)s") % {"date": formats.date_format(day, "DATE_FORMAT")})


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
