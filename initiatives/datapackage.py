"""The public record as a Frictionless Data Package (https://datapackage.org): each CSV file of the
API with its Table Schema (types, descriptions, keys), the licence, the sources and the date.

The field descriptions are also the data page's field guide (`/<lang>/data/`), in the reader's
language: one text for both, so the guide cannot drift from the files.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from initiatives.models import DatePrecision, Endorsement, Initiative
from members.models import MemberState

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The register's data derives from npm world-countries (ISO codes, regional groups: ODbL 1.0, a
# share-alike licence), so the register publishes it under the same licence (data/README.md).
LICENCE = {
    "name": "ODbL-1.0",
    "title": "Open Data Commons Open Database License (ODbL) v1.0",
    "path": "https://opendatacommons.org/licenses/odbl/1-0/",
}

# Where the states' facts come from (reference/states.csv); each initiative and each endorsement
# names its own sources, which the package lists too.
STATE_SOURCES = [
    {
        "title": "United Nations – Member States (names in English, admission dates)",
        "path": "https://www.un.org/en/about-us/member-states",
    },
    {
        "title": "United Nations DGACM – Regional groups of Member States",
        "path": "https://www.un.org/dgacm/en/content/regional-groups",
    },
    {
        "title": "Unicode CLDR – names in French, Spanish, Arabic, Chinese and Russian (Unicode License)",
        "path": "https://cldr.unicode.org/",
    },
    {
        "title": "world-countries 5.1.0 (mledoze/countries) – ISO codes and UN regional groups (ODbL 1.0)",
        "path": "https://github.com/mledoze/countries",
    },
    {"title": "iso-codes (Debian) – ISO 3166-1 codes", "path": "https://salsa.debian.org/iso-codes-team/iso-codes"},
]


TYPE_LABELS = {
    "string": pgettext_lazy("the type of a field", "text"),
    "integer": _("whole number"),
    "date": _("date (YYYY-MM-DD)"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: string, integer, date
    description: StrOrPromise
    constraints: dict[str, Any] = field(default_factory=dict)

    @property
    def type_label(self) -> StrOrPromise:
        return TYPE_LABELS[self.type]

    def schema(self) -> dict[str, Any]:
        described: dict[str, Any] = {"name": self.name, "type": self.type, "description": str(self.description)}
        if self.type == "date":
            described["format"] = "%Y-%m-%d"
        if self.constraints:
            described["constraints"] = self.constraints
        return described


@dataclass(frozen=True)
class Table:
    name: str  # the resource's name and its file's, without .csv
    title: StrOrPromise
    description: StrOrPromise
    columns: list[Column]
    primary_key: str
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column: "table.column"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [column.schema() for column in self.columns],
            "primaryKey": [self.primary_key],
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [name], "reference": {"resource": target.split(".")[0], "fields": [target.split(".")[1]]}}
                for name, target in self.foreign_keys.items()
            ]
        return schema


def _values(choices: type[Any]) -> dict[str, Any]:
    return {"enum": list(choices.values)}


STATE_CODE = Column(
    "state", "string", _("The state's ISO 3166-1 alpha-3 code (EUU: the European Union)."), {"pattern": "[A-Z]{3}"}
)
KIND = Column(
    "kind",
    "string",
    _("un_member: a UN member state; observer: an observer state; organisation: an organisation such as the EU."),
    _values(MemberState.Kind),
)
REGIONAL_GROUP = Column(
    "regional_group",
    "string",
    _(
        "The state's UN regional group: african, asia_pacific, eastern_european, latin_american_caribbean or "
        "western_european_others; empty for an organisation."
    ),
    _values(MemberState.RegionalGroup),
)
STATE_NAME = Column("state_name", "string", _("The state's short name in the file's language."))

INITIATIVES = Table(
    "initiatives",
    _("Initiatives"),
    _("Each published initiative of the Alliance, with the number of states that endorse it."),
    [
        Column("slug", "string", _("The initiative's fixed identifier, as in its page's address."), {"required": True}),
        Column("title", "string", _("Its title in the file's language.")),
        Column("summary", "string", _("Its summary in the file's language.")),
        Column(
            "kind",
            "string",
            _("What kind of text it is: call, declaration, partnership or initiative."),
            _values(Initiative.Kind),
        ),
        Column(
            "status",
            "string",
            _(
                "upcoming: not yet open for endorsement; open: open for endorsement; closed: closed (its signing "
                "window has ended, or the secretariat closed it)."
            ),
            {"enum": [value for value in Initiative.Phase.values if value != Initiative.Phase.DRAFT]},
        ),
        Column("theme", "string", _("The identifier of its theme.")),
        Column("launched_on", "date", _("The day it was launched.")),
        Column("launch_place", "string", _("Where it was launched.")),
        Column(
            "text_version",
            "integer",
            _("The version of the text states endorse; it goes up when the text changes in substance."),
            {"minimum": 1},
        ),
        Column("lead_states", "string", _("The alpha-3 codes of the states that lead it, separated by semicolons.")),
        Column(
            "endorsing_states",
            "integer",
            _("How many states and organisations endorse it, on the file's day."),
            {"minimum": 0},
        ),
        Column("url", "string", _("The address of the initiative's page on this site.")),
    ],
    primary_key="slug",
)

STATES = Table(
    "states",
    _("States"),
    _("The 193 UN member states and the other participants (the European Union), with their UN regional group."),
    [
        Column("code", "string", STATE_CODE.description, {"required": True, "pattern": "[A-Z]{3}"}),
        Column("iso2", "string", _("The state's ISO 3166-1 alpha-2 code.")),
        Column("name", "string", _("The state's short name in the file's language.")),
        KIND,
        REGIONAL_GROUP,
        Column("un_member_since", "date", _("The day it became a member of the United Nations.")),
        Column(
            "endorsed_initiatives",
            "integer",
            _("How many initiatives it endorses, on the file's day."),
            {"minimum": 0},
        ),
        Column("url", "string", _("The address of the state's page on this site.")),
    ],
    primary_key="code",
)

ENDORSEMENTS = Table(
    "endorsements",
    _("Endorsements"),
    _(
        "One row per period of endorsement: a state that withdrew and endorsed again has two rows. "
        "Rows are never deleted."
    ),
    [
        Column("reference", "string", _("The endorsement's public reference, as on its receipt."), {"required": True}),
        Column("initiative", "string", _("The slug of the endorsed initiative.")),
        STATE_CODE,
        STATE_NAME,
        REGIONAL_GROUP,
        Column("endorsed_on", "date", _("The day the endorsement began, as precise as date_precision says.")),
        Column(
            "date_precision",
            "string",
            _(
                "day: the exact day; month: only the month is known, and the month's last day is given; by: the "
                "state was first seen on a list on that day, and may have endorsed earlier."
            ),
            _values(DatePrecision),
        ),
        Column(
            "channel",
            "string",
            _(
                "online: endorsed on this site by an accredited delegate of the state; recorded: recorded by the "
                "secretariat from a document or a published list; co_sponsor: confirmed by an accredited delegate "
                "of a co-sponsoring state before the initiative opened, and recorded when it opened."
            ),
            _values(Endorsement.Channel),
        ),
        Column("text_version", "integer", _("The version of the initiative's text that was endorsed."), {"minimum": 1}),
        Column("statement", "string", _("The state's public statement, if it made one.")),
        Column("source_url", "string", _("Where the endorsement is published (for recorded endorsements).")),
        Column("source_note", "string", _("What the source says, and how the date was read from it.")),
        Column("withdrawn_on", "date", _("The day the endorsement was withdrawn; empty while it is in force.")),
        Column("withdrawal_reason", "string", _("The reason given for the withdrawal.")),
        Column("receipt_url", "string", _("The address of the endorsement's page on this site.")),
    ],
    primary_key="reference",
    foreign_keys={"initiative": "initiatives.slug", "state": "states.code"},
)


ENDORSED_SINCE = _("The first day of the state's endorsement in force of this initiative; empty when it has none.")


def matrix_table(initiatives: list[Initiative]) -> Table:
    """The matrix's table: a column per published initiative, between the state's and the count."""
    return _matrix([Column(initiative.slug, "date", ENDORSED_SINCE) for initiative in initiatives])


def _matrix(initiative_columns: list[Column]) -> Table:
    return Table(
        "matrix",
        _("States and initiatives"),
        _("Every state against every published initiative, on the file's day."),
        [
            Column("state", "string", STATE_CODE.description, {"required": True, "pattern": "[A-Z]{3}"}),
            STATE_NAME,
            KIND,
            REGIONAL_GROUP,
            *initiative_columns,
            Column("endorsed_initiatives", "integer", _("How many initiatives the state endorses."), {"minimum": 0}),
        ],
        primary_key="state",
        foreign_keys={"state": "states.code"},
    )


def guide_tables() -> list[Table]:
    """The tables the data page explains; the matrix's initiative columns stand for one per initiative."""
    return [INITIATIVES, STATES, ENDORSEMENTS, _matrix([Column(str(_("<initiative slug>")), "date", ENDORSED_SINCE)])]


def sources() -> list[dict[str, str]]:
    """Every source the record cites: the initiatives' and the endorsements', then the states'."""
    found: dict[str, str] = {}
    for cited in Initiative.objects.published().order_by("launched_on", "slug").values_list("sources", flat=True):
        for source in cited or []:
            found.setdefault(source["url"], source.get("title") or source["url"])
    for url in (
        Endorsement.objects.filter(initiative__in=Initiative.objects.published())
        .exclude(source_url="")
        .order_by("source_url")
        .values_list("source_url", flat=True)
        .distinct()
    ):
        found.setdefault(url, url)
    return [{"title": title, "path": url} for url, title in found.items()] + STATE_SOURCES


def descriptor(
    *, tables: list[Table], paths: dict[str, str], on: datetime.date | None, cited: list[dict[str, str]]
) -> dict[str, Any]:
    """datapackage.json: `paths` gives each table's file (a name in the zip, or an address)."""
    day = on or timezone.localdate()
    return {
        "name": "alliance-for-multilateralism-register",
        "title": str(_("Register of the Alliance for Multilateralism")),
        "description": str(
            _(
                "Which states endorse the initiatives of the Alliance for Multilateralism, since when, and on what "
                "source, as the register stood at the end of %(day)s."
            )
            % {"day": day.isoformat()}
        ),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [LICENCE],
        "sources": cited,
        "resources": [
            {
                "name": table.name,
                "title": str(table.title),
                "description": str(table.description),
                "path": paths[table.name],
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table.schema(),
            }
            for table in tables
        ],
    }
