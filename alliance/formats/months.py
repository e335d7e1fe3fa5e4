"""The month names that dates are written with (the `F` of DATE_FORMAT), in the register's own catalogues.

Django's Arabic catalogue gives only one set of names ("سبتمبر"), while UN documents in Arabic, and
the register's own texts, give both ("أيلول/سبتمبر"). The project's catalogues take precedence over
Django's, and listing the names here keeps them in those catalogues; the other languages keep
Django's names.
"""

from django.utils.translation import gettext_noop

MONTHS = (
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
)
