"""The register as open data: a read-only JSON API (OpenAPI at /api/v1/openapi.json) and CSV twins."""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import BeforeValidator

from alliance.csv_files import csv_response
from initiatives import coverage, datapackage, matrix, receipts, transparency
from initiatives.models import Checkpoint, Correction, Endorsement, Initiative, LogEntry
from members.models import MemberState
from verifier.alliance_verify import consistency_proof, inclusion_proof

Language = Literal["en", "fr", "es", "ar", "zh-hans", "ru"]

api = NinjaAPI(
    title="Alliance for Multilateralism register",
    version="1",
    description=(
        "Which states endorse the initiatives of the Alliance for Multilateralism, since when, and on what "
        "source. Every endpoint takes `as_of=YYYY-MM-DD` (the register as it stood at the end of that day) "
        "and `lang` for texts. Lists answer `{count, items}` and page with `limit` and `offset`. "
        "Each list is also served as CSV at the same path with `.csv` appended. A wrong parameter gets 400 with "
        "`{detail: [problems]}` (a day is written YYYY-MM-DD); an unknown slug, code or reference gets 404 with "
        "`{detail}`. `/datapackage.zip` holds the whole public record as a Frictionless Data Package."
    ),
    urls_namespace="api",
)


@api.exception_handler(ValidationError)
def bad_parameters(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """Bad parameters are the client's: 400 with what was wrong, never a 500."""
    problems = [
        f"{'.'.join(str(part) for part in error.get('loc', ())[1:]) or 'request'}: {error.get('msg', 'invalid')}"
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": problems}, status=400)


# Schemas ---------------------------------------------------------------------------------------

SLUG = r"^[-a-zA-Z0-9_]+$"  # slugs and receipt references: no NUL, no slash, nothing PostgreSQL refuses


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would also read a number as seconds since 1970 ("0.0" as 1 January 1970)."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


Day = Annotated[datetime.date, BeforeValidator(_iso_day)]


class Page(Schema):
    limit: int = Field(100, ge=1, le=1000, description="At most this many items.")
    offset: int = Field(0, ge=0, le=1_000_000, description="Skip this many items.")


class Common(Schema):
    as_of: Day | None = Field(None, description="The register as it stood at the end of this day.")
    lang: Language = Field("en", description="Language of the texts.")


class ThemeOut(Schema):
    slug: str
    name: str


class FigureOut(Schema):
    count: int
    as_of: datetime.date
    as_of_precision: str
    note: str
    source_url: str


class InitiativeOut(Schema):
    slug: str
    title: str
    summary: str
    kind: str
    status: str
    theme: ThemeOut
    launched_on: datetime.date
    launch_place: str
    text_version: int
    lead_states: list[str]
    endorsing_states: int = Field(
        description="Endorsements in force (at `as_of` when given), by states and by organisations such as the EU."
    )
    url: str


class InitiativeDetailOut(InitiativeOut):
    body: str
    commitment: str
    reported_figures: list[FigureOut]
    sources: list[dict[str, str]]


class StateOut(Schema):
    code: str
    iso2: str
    name: str
    kind: str
    regional_group: str
    un_member_since: datetime.date | None
    endorsed_initiatives: int = Field(description="Initiatives endorsed (at `as_of` when given).")
    url: str


class GroupCoverageOut(Schema):
    group: str = Field(description="The UN regional group's code.")
    label: str
    endorsing: int = Field(description="Its member states that endorse.")
    total: int = Field(description="Its member states.")


class CoverageOut(Schema):
    initiative: str | None = Field(description="The initiative's slug; null for the Alliance as a whole.")
    title: str
    endorsing: int = Field(
        description="UN member states that endorse it (for the Alliance: at least one initiative); "
        "organisations such as the EU are not counted."
    )
    total: int = Field(description="UN member states.")
    share: int = Field(description="endorsing / total, in per cent, rounded.")
    majority: int = Field(description="The smallest number of UN member states that is more than half of them.")
    groups: list[GroupCoverageOut]


class CoverageList(Schema):
    as_of: datetime.date | None
    items: list[CoverageOut]


class EndorsementOut(Schema):
    reference: str
    initiative: str
    state: str
    state_name: str
    regional_group: str
    endorsed_on: datetime.date
    date_precision: str
    channel: str
    text_version: int
    statement: str
    source_url: str
    source_note: str
    withdrawn_on: datetime.date | None
    withdrawal_reason: str
    receipt_url: str


class CorrectionOut(Schema):
    endorsement: str = Field(description="The corrected endorsement's reference.")
    initiative: str
    state: str
    corrected_at: datetime.datetime
    changes: dict[str, list[str]] = Field(description="Each corrected field: [value before, value after].")
    reason: str
    receipt_url: str


class CorrectionList(Schema):
    count: int
    items: list[CorrectionOut]


class StateDetailOut(StateOut):
    endorsements: list[EndorsementOut]


class InitiativeList(Schema):
    count: int
    items: list[InitiativeOut]


class StateList(Schema):
    count: int
    items: list[StateOut]


class EndorsementList(Schema):
    count: int
    items: list[EndorsementOut]


class EndorsementFilters(Common):
    initiative: str | None = Field(None, description="Initiative slug.", pattern=SLUG, max_length=100)
    state: str | None = Field(None, description="ISO 3166-1 alpha-3 code.", pattern=r"^[A-Za-z]{3}$")
    group: MemberState.RegionalGroup | None = Field(None, description="UN regional group.")
    channel: Endorsement.Channel | None = None
    since: Day | None = Field(None, description="Endorsed on or after this day.")
    until: Day | None = Field(None, description="Endorsed on or before this day.")


class MatrixFilters(Common):
    group: MemberState.RegionalGroup | None = Field(None, description="Only the states of this UN regional group.")


class InitiativePath(Schema):
    slug: str = Field(pattern=SLUG, max_length=100)


class StatePath(Schema):
    code: str = Field(description="ISO 3166-1 alpha-3 code.", pattern=r"^[A-Za-z]{3}$")


class ReceiptPath(Schema):
    reference: str = Field(pattern=SLUG, max_length=40)


class Message(Schema):
    detail: str


class Problems(Schema):
    """A refused request (400): what was wrong with each parameter."""

    detail: list[str] = Field(description="One line per problem: the parameter, then what is wrong with it.")


# Serialisation -----------------------------------------------------------------------------------


def _initiative(item: Initiative, lang: str, *, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": item.slug,
        "title": item.title,
        "summary": item.summary,
        "kind": item.kind,
        "status": item.phase,  # type: ignore[attr-defined]  # from the signing window too
        "theme": {"slug": item.theme.slug, "name": item.theme.name},
        "launched_on": item.launched_on,
        "launch_place": item.launch_place,
        "text_version": item.text_version,
        "lead_states": [state.code for state in item.lead_states.all()],
        "endorsing_states": item.endorsing_states,  # type: ignore[attr-defined]
        "url": reverse("initiatives:detail", args=[item.slug]),
    }
    if detail:
        data |= {
            "body": item.body,
            "commitment": item.commitment,
            "sources": item.sources,
            "reported_figures": [
                {
                    "count": figure.count,
                    "as_of": figure.as_of,
                    "as_of_precision": figure.as_of_precision,
                    "note": figure.note,
                    "source_url": figure.source_url,
                }
                for figure in item.reported_figures.all()
            ],
        }
    return data


def _state(state: MemberState) -> dict[str, Any]:
    return {
        "code": state.code,
        "iso2": state.iso2,
        "name": state.name,
        "kind": state.kind,
        "regional_group": state.regional_group,
        "un_member_since": state.un_member_since,
        "endorsed_initiatives": state.endorsed_initiatives,  # type: ignore[attr-defined]
        "url": reverse("initiatives:state", args=[state.code.lower()]),
    }


def _endorsement(row: Endorsement) -> dict[str, Any]:
    """A row of `Endorsement.objects.as_at()`: as it stood on that day (a later withdrawal had not happened yet)."""
    return {
        "reference": row.reference,
        "initiative": row.initiative.slug,
        "state": row.member_state.code,
        "state_name": row.member_state.name,
        "regional_group": row.member_state.regional_group,
        "endorsed_on": row.endorsed_on,
        "date_precision": row.date_precision,
        "channel": row.channel,
        "text_version": row.text_version,
        "statement": row.statement,
        "source_url": row.source_url,
        "source_note": row.translated_source_note,
        "withdrawn_on": row.withdrawn_as_at,  # type: ignore[attr-defined]
        "withdrawal_reason": row.withdrawal_reason_as_at,  # type: ignore[attr-defined]
        "receipt_url": reverse("initiatives:receipt", args=[row.reference]),
    }


def _initiatives(common: Common) -> QuerySet[Initiative]:
    rows: QuerySet[Initiative] = Initiative.objects.published().for_listing(common.as_of)
    return rows.prefetch_related("lead_states")


def _states(common: Common) -> QuerySet[MemberState]:
    rows: QuerySet[MemberState] = MemberState.objects.for_listing(common.as_of)
    return rows.order_by("code")


def _check_known(filters: EndorsementFilters) -> None:
    """A filter naming no initiative or no state is a mistake to report (404), not an empty answer."""
    if filters.initiative and not Initiative.objects.published().filter(slug=filters.initiative).exists():
        raise HttpError(404, f"No published initiative has the slug {filters.initiative!r}.")
    if filters.state and not MemberState.objects.filter(code=filters.state.upper()).exists():
        raise HttpError(404, f"No state has the code {filters.state.upper()!r}.")


def _endorsements(filters: EndorsementFilters) -> QuerySet[Endorsement]:
    rows = Endorsement.objects.as_at(filters.as_of).select_related("initiative", "member_state")
    rows = rows.order_by("endorsed_on", "reference")
    if filters.as_of:
        rows = rows.in_force_on(filters.as_of)
    if filters.initiative:
        rows = rows.filter(initiative__slug=filters.initiative)
    if filters.state:
        rows = rows.filter(member_state__code=filters.state.upper())
    if filters.group:
        rows = rows.filter(member_state__regional_group=filters.group)
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.since:
        rows = rows.filter(endorsed_on__gte=filters.since)
    if filters.until:
        rows = rows.filter(endorsed_on__lte=filters.until)
    return rows.filter(initiative__in=Initiative.objects.published())


def _page(rows: QuerySet[Any], page: Page, serialise: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    return {"count": rows.count(), "items": [serialise(row) for row in rows[page.offset : page.offset + page.limit]]}


def _csv(name: str, items: Iterable[dict[str, Any]], columns: list[str]) -> HttpResponse:
    return csv_response(
        filename=f"{name}.csv", columns=columns, rows=([item.get(column) for column in columns] for item in items)
    )


INITIATIVE_COLUMNS = list(InitiativeOut.model_fields)
STATE_COLUMNS = list(StateOut.model_fields)
ENDORSEMENT_COLUMNS = list(EndorsementOut.model_fields)


def _in(lang: str) -> translation.override:
    return translation.override(lang)


# Endpoints ---------------------------------------------------------------------------------------


def _coverage(slug: str | None, title: str, found: coverage.Coverage) -> dict[str, Any]:
    return {
        "initiative": slug,
        "title": title,
        "endorsing": found.endorsing,
        "total": found.total,
        "share": found.share,
        "majority": found.majority,
        "groups": [
            {"group": group.value, "label": str(group.label), "endorsing": group.endorsing, "total": group.total}
            for group in found.groups
        ],
    }


@api.get("/coverage", response={200: CoverageList, 400: Problems}, tags=["initiatives"])
def list_coverage(request: HttpRequest, common: Query[Common]) -> dict[str, Any]:
    """How many UN member states endorse each published initiative, and the Alliance as a whole, by
    regional group: the figures of the pages' coverage meters (at `as_of` when given)."""
    with _in(common.lang):
        un_members = list(MemberState.objects.un_members())
        rows = coverage.register_rows(None, common.as_of)
        by_initiative: dict[int, list[Endorsement]] = {}
        for row in rows:
            by_initiative.setdefault(row.initiative_id, []).append(row)

        def measured(rows: list[Endorsement]) -> coverage.Coverage:
            return coverage.coverage(rows, un_members, name=lambda state: state.name)

        items = [_coverage(None, _("The Alliance: at least one initiative"), measured(rows))]
        items += [
            _coverage(initiative.slug, initiative.title, measured(by_initiative.get(initiative.pk, [])))
            for initiative in _initiatives(common)
        ]
        return {"as_of": common.as_of, "items": items}


@api.get("/initiatives", response={200: InitiativeList, 400: Problems}, tags=["initiatives"])
def list_initiatives(request: HttpRequest, common: Query[Common], page: Query[Page]) -> dict[str, Any]:
    with _in(common.lang):
        return _page(_initiatives(common), page, lambda item: _initiative(item, common.lang))


@api.get("/initiatives.csv", tags=["initiatives"], response={200: None, 400: Problems})
def list_initiatives_csv(request: HttpRequest, common: Query[Common]) -> HttpResponse:
    with _in(common.lang):
        return _initiatives_csv(common)


def _initiatives_csv(common: Common) -> HttpResponse:
    rows = [_initiative(item, common.lang) for item in _initiatives(common)]
    return _csv("initiatives", ({**row, "theme": row["theme"]["slug"]} for row in rows), INITIATIVE_COLUMNS)


@api.get("/initiatives/{slug}.csv", tags=["initiatives"], response={200: None, 400: Problems, 404: Message})
def initiative_endorsements_csv(
    request: HttpRequest, path: Path[InitiativePath], common: Query[Common]
) -> HttpResponse:
    """The initiative's endorsements, as `/endorsements.csv?initiative=<slug>`."""
    slug = path.slug
    get_object_or_404(Initiative.objects.published(), slug=slug)
    filters = EndorsementFilters.model_validate({"initiative": slug, "as_of": common.as_of, "lang": common.lang})
    with _in(common.lang):
        rows = (_endorsement(row) for row in _endorsements(filters))
        return _csv(f"endorsements-{slug}", rows, ENDORSEMENT_COLUMNS)


@api.get("/initiatives/{slug}", response={200: InitiativeDetailOut, 400: Problems, 404: Message}, tags=["initiatives"])
def get_initiative(request: HttpRequest, path: Path[InitiativePath], common: Query[Common]) -> dict[str, Any]:
    with _in(common.lang):
        item = get_object_or_404(Initiative.objects.published().for_detail(common.as_of), slug=path.slug)
        return _initiative(item, common.lang, detail=True)


@api.get("/states", response={200: StateList, 400: Problems}, tags=["states"])
def list_states(request: HttpRequest, common: Query[Common], page: Query[Page]) -> dict[str, Any]:
    with _in(common.lang):
        return _page(_states(common), page, _state)


@api.get("/states.csv", tags=["states"], response={200: None, 400: Problems})
def list_states_csv(request: HttpRequest, common: Query[Common]) -> HttpResponse:
    with _in(common.lang):
        return _states_csv(common)


def _states_csv(common: Common) -> HttpResponse:
    return _csv("states", (_state(state) for state in _states(common)), STATE_COLUMNS)


@api.get("/states/{code}.csv", tags=["states"], response={200: None, 400: Problems, 404: Message})
def state_endorsements_csv(request: HttpRequest, path: Path[StatePath], common: Query[Common]) -> HttpResponse:
    """The state's endorsements, as `/endorsements.csv?state=<code>`."""
    state = get_object_or_404(MemberState, code=path.code.upper())
    filters = EndorsementFilters.model_validate({"state": state.code, "as_of": common.as_of, "lang": common.lang})
    with _in(common.lang):
        rows = (_endorsement(row) for row in _endorsements(filters))
        return _csv(f"endorsements-{state.code.lower()}", rows, ENDORSEMENT_COLUMNS)


@api.get("/states/{code}", response={200: StateDetailOut, 400: Problems, 404: Message}, tags=["states"])
def get_state(request: HttpRequest, path: Path[StatePath], common: Query[Common]) -> dict[str, Any]:
    with _in(common.lang):
        state = get_object_or_404(_states(common), code=path.code.upper())
        rows = _endorsements(
            EndorsementFilters.model_validate({"state": state.code, "as_of": common.as_of, "lang": common.lang})
        )
        return {**_state(state), "endorsements": [_endorsement(row) for row in rows]}


@api.get("/endorsements", response={200: EndorsementList, 400: Problems, 404: Message}, tags=["endorsements"])
def list_endorsements(request: HttpRequest, filters: Query[EndorsementFilters], page: Query[Page]) -> dict[str, Any]:
    """Every period of endorsement; with `as_of`, those in force at the end of that day, as they stood."""
    _check_known(filters)
    with _in(filters.lang):
        return _page(_endorsements(filters), page, _endorsement)


@api.get("/endorsements.csv", tags=["endorsements"], response={200: None, 400: Problems, 404: Message})
def list_endorsements_csv(request: HttpRequest, filters: Query[EndorsementFilters]) -> HttpResponse:
    _check_known(filters)
    with _in(filters.lang):
        return _endorsements_csv(filters)


def _endorsements_csv(filters: EndorsementFilters) -> HttpResponse:
    return _csv("endorsements", (_endorsement(row) for row in _endorsements(filters)), ENDORSEMENT_COLUMNS)


MATRIX_COLUMNS = ["state", "state_name", "kind", "regional_group"]


def _matrix_csv(table: matrix.Matrix) -> HttpResponse:
    """The matrix by state code: each initiative's slug names its column, between the state's and the count."""
    columns = [*MATRIX_COLUMNS, *(initiative.slug for initiative in table.initiatives), "endorsed_initiatives"]
    rows: list[list[object]] = [
        [
            row.state.code,
            row.name,
            row.state.kind,
            row.state.regional_group,
            *row.endorsed_since,
            row.endorsed_initiatives,
        ]
        for row in sorted(table.rows, key=lambda row: row.state.code)
    ]
    return csv_response(filename="matrix.csv", columns=columns, rows=rows)


@api.get("/matrix.csv", tags=["states"], response={200: None, 400: Problems})
def state_matrix_csv(request: HttpRequest, filters: Query[MatrixFilters]) -> HttpResponse:
    """Every state (or those of one regional group) against every published initiative: under each
    initiative's slug, the first day of the state's endorsement in force (at `as_of` when given),
    empty when it has none; the page `/<lang>/matrix/` shows the same table."""
    with _in(filters.lang):
        return _matrix_csv(matrix.matrix(filters.as_of, group=filters.group))


# The whole record as a Frictionless Data Package ------------------------------------------------


def _package_tables(initiatives: list[Initiative]) -> list[datapackage.Table]:
    return [
        datapackage.INITIATIVES,
        datapackage.STATES,
        datapackage.ENDORSEMENTS,
        datapackage.matrix_table(initiatives),
    ]


CSV_ENDPOINTS = {
    "initiatives": "list_initiatives_csv",
    "states": "list_states_csv",
    "endorsements": "list_endorsements_csv",
    "matrix": "state_matrix_csv",
}


@api.get("/datapackage.json", tags=["open data"], response={200: dict[str, Any], 400: Problems})
def data_package(request: HttpRequest, common: Query[Common]) -> dict[str, Any]:
    """The public record as a Frictionless Data Package (https://datapackage.org): the CSV files of
    this API with a Table Schema each (types, descriptions, keys), the licence, the sources and the
    date; the files' addresses carry the same `as_of` and `lang`. `datapackage.zip` holds it all."""
    query = urlencode({"lang": common.lang, **({"as_of": common.as_of.isoformat()} if common.as_of else {})})
    with _in(common.lang):
        return datapackage.descriptor(
            tables=_package_tables(list(Initiative.objects.published().order_by("launched_on", "slug"))),
            paths={
                name: request.build_absolute_uri(f"{reverse(f'api:{endpoint}')}?{query}")
                for name, endpoint in CSV_ENDPOINTS.items()
            },
            on=common.as_of,
            cited=datapackage.sources(),
        )


@api.get("/datapackage.zip", tags=["open data"], response={200: None, 400: Problems})
def data_package_zip(request: HttpRequest, common: Query[Common]) -> HttpResponse:
    """The whole public record in one file: `datapackage.json` and the four CSV files it describes
    (initiatives, states, every period of endorsement, the matrix), as at `as_of` when given."""
    with _in(common.lang):
        table = matrix.matrix(common.as_of)
        files = {
            "initiatives": _initiatives_csv(common),
            "states": _states_csv(common),
            "endorsements": _endorsements_csv(EndorsementFilters.model_validate(common.model_dump())),
            "matrix": _matrix_csv(table),
        }
        described = datapackage.descriptor(
            tables=_package_tables(table.initiatives),
            paths={name: f"{name}.csv" for name in files},
            on=common.as_of,
            cited=datapackage.sources(),
        )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(described, ensure_ascii=False, indent=2))
        for name, response in files.items():
            archive.writestr(f"{name}.csv", response.content)
    day = (common.as_of or timezone.localdate()).isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="alliance-register-{day}-{common.lang}.zip"'
    return response


@api.get("/receipts/public-key", tags=["receipts"], response={200: None, 400: Problems})
def receipt_public_key(request: HttpRequest) -> HttpResponse:
    """The Ed25519 public key (PEM) that verifies the register's signed receipts."""
    response = HttpResponse(receipts.public_key_pem(), content_type="application/x-pem-file")
    response["X-Key-Id"] = receipts.key_id()
    return response


def _correction(correction: Correction) -> dict[str, Any]:
    endorsement = correction.endorsement
    return {
        "endorsement": endorsement.reference,
        "initiative": endorsement.initiative.slug,
        "state": endorsement.member_state.code,
        "corrected_at": correction.corrected_at,
        "changes": correction.changes,
        "reason": correction.reason,
        "receipt_url": reverse("initiatives:receipt", args=[endorsement.reference]),
    }


@api.get("/corrections", response={200: CorrectionList, 400: Problems}, tags=["endorsements"])
def list_corrections(request: HttpRequest, page: Query[Page]) -> dict[str, Any]:
    """Each correction of a recorded endorsement's date or source, newest first, with its reason."""
    return _page(Correction.objects.for_listing(), page, _correction)


@api.get("/receipts/keys", tags=["receipts"], response={200: dict[str, Any], 400: Problems})
def receipt_keys(request: HttpRequest) -> dict[str, Any]:
    """Every key that signs or signed receipts (PEM): the current one (`valid_until` null), then each
    retired one with the last day it signed, so receipts issued before a rotation still verify."""
    return {"keys": receipts.published_keys()}


@api.get("/receipts/{reference}", tags=["receipts"], response={200: dict[str, Any], 400: Problems, 404: Message})
def signed_receipt(request: HttpRequest, path: Path[ReceiptPath]) -> HttpResponse:
    """The endorsement's receipt, signed with the register's Ed25519 key."""
    row = get_object_or_404(
        Endorsement.objects.select_related("initiative", "member_state"), reference=path.reference.upper()
    )
    return JsonResponse(receipts.signed_receipt(row), json_dumps_params={"ensure_ascii": False})


# The transparency log (RFC 9162 tree, C2SP checkpoints) ----------------------------------------

MAX_LOG_ENTRIES = 1000


class LogEntryOut(Schema):
    index: int
    entry: str = Field(description="The canonical JSON text; its leaf hash is SHA-256(0x00 || entry).")
    leaf_hash: str = Field(description="Base64.")


class LogEntries(Schema):
    count: int = Field(description="The number of entries in the log.")
    items: list[LogEntryOut]


LOG_LIMIT = 2**62  # beyond any log, within the database's integers


class LogRange(Schema):
    start: int = Field(0, ge=0, le=LOG_LIMIT, description="The first index.")
    end: int | None = Field(None, ge=0, le=LOG_LIMIT, description="One past the last index.")


class InclusionQuery(Schema):
    index: int = Field(ge=0, le=LOG_LIMIT)
    tree_size: int = Field(ge=1, le=LOG_LIMIT)


class ConsistencyQuery(Schema):
    first: int = Field(ge=1, le=LOG_LIMIT)
    second: int = Field(ge=1, le=LOG_LIMIT)


class InclusionProofOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str] = Field(description="The audit path (RFC 9162, 2.1.3), base64.")


class ConsistencyProofOut(Schema):
    first: int
    second: int
    hashes: list[str] = Field(description="The consistency proof (RFC 9162, 2.1.4), base64.")


class CheckpointPath(Schema):
    size: int = Field(ge=0, le=LOG_LIMIT)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode("ascii")


def _note(checkpoint: Checkpoint) -> HttpResponse:
    response = HttpResponse(checkpoint.note, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@api.get("/log/checkpoint", tags=["transparency log"], response={200: None, 400: Problems})
def log_checkpoint(request: HttpRequest) -> HttpResponse:
    """The log's latest checkpoint: a C2SP signed note (origin, tree size, base64 root hash), signed
    with the register's Ed25519 key (`/api/v1/receipts/public-key`)."""
    return _note(transparency.latest_checkpoint())


@api.get("/log/checkpoint/{size}", tags=["transparency log"], response={200: None, 400: Problems, 404: Message})
def log_checkpoint_of_size(request: HttpRequest, path: Path[CheckpointPath]) -> HttpResponse:
    """The checkpoint the log signed when it had `size` entries; every one is kept (after a key
    rotation, the current key's, where it signed that size too)."""
    checkpoint = transparency.checkpoint_of_size(path.size)
    if checkpoint is None:
        raise HttpError(404, f"The log signed no checkpoint of size {path.size}.")
    return _note(checkpoint)


@api.get("/log/entries", response={200: LogEntries, 400: Problems}, tags=["transparency log"])
def log_entries(request: HttpRequest, span: Query[LogRange]) -> dict[str, Any]:
    """Entries `start` ≤ index < `end`, in order: at most 1,000 at a time (ask again from the next index)."""
    end = min(span.end if span.end is not None else span.start + MAX_LOG_ENTRIES, span.start + MAX_LOG_ENTRIES)
    rows = LogEntry.objects.filter(index__gte=span.start, index__lt=end).order_by("index")
    return {
        "count": transparency.size(),
        "items": [{"index": row.index, "entry": row.entry, "leaf_hash": _b64(bytes(row.leaf_hash))} for row in rows],
    }


@api.get(
    "/log/proof/inclusion", response={200: InclusionProofOut, 400: Problems, 404: Message}, tags=["transparency log"]
)
def log_inclusion_proof(request: HttpRequest, query: Query[InclusionQuery]) -> dict[str, Any]:
    """The audit path from entry `index` to the root of the tree of `tree_size` entries."""
    if query.index >= query.tree_size or query.tree_size > transparency.size():
        raise HttpError(404, "No such proof: the index must be below tree_size, a size the log has reached.")
    leaves = transparency.leaf_hashes(query.tree_size)
    return {
        "index": query.index,
        "tree_size": query.tree_size,
        "leaf_hash": _b64(leaves[query.index]),
        "hashes": [_b64(node) for node in inclusion_proof(query.index, leaves)],
    }


@api.get(
    "/log/proof/consistency",
    response={200: ConsistencyProofOut, 400: Problems, 404: Message},
    tags=["transparency log"],
)
def log_consistency_proof(request: HttpRequest, query: Query[ConsistencyQuery]) -> dict[str, Any]:
    """The proof that the tree of `second` entries extends the tree of `first` entries."""
    if query.first > query.second or query.second > transparency.size():
        raise HttpError(404, "No such proof: first must not exceed second, a size the log has reached.")
    leaves = transparency.leaf_hashes(query.second)
    return {
        "first": query.first,
        "second": query.second,
        "hashes": [_b64(node) for node in consistency_proof(query.first, leaves)],
    }


# The same JSON for the register's other publications (webhooks) ---------------------------------


def endorsement_json(endorsement_id: int) -> dict[str, Any] | None:
    """The endorsement as `/api/v1/endorsements` gives it now (in English), as JSON values; None
    when the API does not publish it (its initiative is no longer public)."""
    with _in("en"):
        row = _endorsements(EndorsementFilters.model_validate({})).filter(pk=endorsement_id).first()
        return None if row is None else EndorsementOut.model_validate(_endorsement(row)).model_dump(mode="json")


def initiative_json(initiative_id: int) -> dict[str, Any] | None:
    """The initiative as `/api/v1/initiatives/{slug}` gives it now (in English), as JSON values;
    None when it is no longer published."""
    with _in("en"):
        item = Initiative.objects.published().for_detail().filter(pk=initiative_id).first()
        if item is None:
            return None
        return InitiativeDetailOut.model_validate(_initiative(item, "en", detail=True)).model_dump(mode="json")
