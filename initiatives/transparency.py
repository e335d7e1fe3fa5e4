"""The transparency log: an append-only Merkle tree of every public change to the record.

Whoever holds the database could otherwise change or delete a past endorsement unseen. Here each
change (an endorsement recorded, withdrawn or corrected; an initiative opened, closed or given a
new text version) appends one entry, in the same transaction as the change; the log signs its
size and root hash (a checkpoint) and publishes proofs. Anyone can then check, with
`verifier/alliance_verify.py`, that an endorsement is in the log and that today's log extends
the one they saw yesterday (RFC 9162; C2SP tlog-checkpoint, as Go's checksum database does).

The tree's hashing and proofs are the verifier's own functions, so the register and its auditors
compute them with the same code.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from modeltranslation.utils import build_localized_fieldname

from initiatives import receipts
from initiatives.models import Checkpoint, Endorsement, Initiative, LogEntry
from verifier.alliance_verify import (
    VOUCHED,
    Invalid,
    canonical_bytes,
    leaf_hash,
    open_checkpoint,
    root_hash,
    sign_note,
    verifier_key,
)

PUBLISHED = (Initiative.Status.OPEN, Initiative.Status.CLOSED)
_LOCK = 7_462_019  # PostgreSQL advisory lock that orders appends (any constant the app uses nowhere else)


def origin() -> str:
    """The log's name, first line of every checkpoint: the register's host and /log."""
    return settings.TRANSPARENCY_LOG_ORIGIN or f"{urlsplit(settings.SITE_URL).netloc}/log"


def note_verifier_key() -> str:
    public = receipts.signing_key().public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return verifier_key(origin(), raw)


# The next index and the entry in one statement. The ORM compiles the same (an insert with a
# subquery) for more CPU than the two statements it replaces, on every public change.
_INSERT_NEXT = (
    'INSERT INTO initiatives_logentry ("index", kind, entry, leaf_hash, logged_at, endorsement_id, initiative_id) '
    'SELECT COALESCE(MAX("index") + 1, 0), %s, %s, %s, %s, %s, %s FROM initiatives_logentry'
)


def _append(
    *, kind: str, subject: dict[str, Any], endorsement: Endorsement | None = None, initiative: Initiative | None = None
) -> None:
    """Append one entry, in the caller's transaction. The worker signs the new checkpoint within a
    second (`sign_checkpoint` is one of its periodic jobs), off the request's path; whoever asks
    for the latest checkpoint before that gets it signed there and then."""
    now = timezone.now()
    text = canonical_bytes(
        {"type": kind, "logged_at": now.astimezone(datetime.UTC).isoformat(timespec="microseconds"), **subject}
    )
    values = [
        kind,
        text.decode("utf-8"),
        leaf_hash(text),
        connection.ops.adapt_datetimefield_value(now),
        endorsement.pk if endorsement else None,
        initiative.pk if initiative else None,
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # appends take their turn: indexes have no gap
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        cursor.execute(_INSERT_NEXT, values)


def log_endorsement(*, endorsement: Endorsement, kind: str) -> None:
    """`kind`: recorded, withdrawn or corrected."""
    _append(
        kind=f"endorsement.{kind}",
        subject={"endorsement": receipts.endorsement_record(endorsement)},
        endorsement=endorsement,
    )


def log_initiative(*, initiative: Initiative, kind: str) -> None:
    """`kind`: open, closed, draft (a status the initiative took), text_version or window."""
    # The texts themselves are on the register's pages: the log vouches for each by its hash.
    commitments = {
        code: hashlib.sha256(str(getattr(initiative, build_localized_fieldname("commitment", code)) or "").encode())
        for code, _name in settings.LANGUAGES
    }
    subject = {
        "initiative": {
            "slug": initiative.slug,
            "title": getattr(initiative, "title_en", None) or initiative.title,
            "status": initiative.status,
            "text_version": initiative.text_version,
            "signing_opens_on": _iso(initiative.signing_opens_on),
            "signing_closes_on": _iso(initiative.signing_closes_on),
            "commitment_sha256": {code: digest.hexdigest() for code, digest in commitments.items()},
        }
    }
    _append(kind=f"initiative.{kind}", subject=subject, initiative=initiative)


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def leaf_hashes(size: int | None = None) -> list[bytes]:
    rows = LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    return [bytes(value) for value in (rows[:size] if size is not None else rows)]


def size() -> int:
    last = LogEntry.objects.aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def sign_checkpoint() -> Checkpoint:
    """The checkpoint of the log as it stands, signed with the current key and kept (once per
    size and key). Cheap when it exists: the tree is read only for a new size."""
    tree_size = size()
    key_id = receipts.key_id()
    found = Checkpoint.objects.filter(size=tree_size, key_id=key_id).first()
    if found is not None:
        return found
    leaves = leaf_hashes(tree_size)  # entries appended meanwhile wait for the next checkpoint
    root = root_hash(leaves)
    text = f"{origin()}\n{len(leaves)}\n{base64.b64encode(root).decode('ascii')}\n"
    note = sign_note(text, origin(), receipts.signing_key())
    try:
        with transaction.atomic():
            return Checkpoint.objects.create(size=len(leaves), root_hash=root, key_id=key_id, note=note)
    except IntegrityError:  # another server signed it at the same moment: the same note
        return Checkpoint.objects.get(size=len(leaves), key_id=key_id)


def latest_checkpoint() -> Checkpoint:
    found = Checkpoint.objects.filter(size=size(), key_id=receipts.key_id()).first()
    return found if found is not None else sign_checkpoint()


def checkpoint_of_size(tree_size: int) -> Checkpoint | None:
    """The note kept for that size: the current key's if it signed one, else an earlier key's."""
    notes = Checkpoint.objects.filter(size=tree_size).order_by("-signed_at")
    return notes.filter(key_id=receipts.key_id()).first() or notes.first()


def _note_keys() -> dict[str, str]:
    """Each published key (the current one and the retired ones), as a note verifier key, by key id."""
    keys = {}
    for key in receipts.published_keys():
        public = serialization.load_pem_public_key(str(key["public_key"]).encode("ascii"))
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        keys[str(key["key_id"])] = verifier_key(origin(), raw)
    return keys


def check_register() -> list[str]:
    """Everything in the register that its log does not vouch for; empty when all holds.

    Recomputes every leaf hash from its entry and the tree under every kept checkpoint (and its
    signature), then compares each endorsement and initiative with its latest entry: a row changed
    outside the register's own writes (a direct UPDATE, a restored old backup) shows here.
    """
    problems: list[str] = []
    entries = list(LogEntry.objects.order_by("index").values_list("index", "entry", "leaf_hash"))
    leaves = []
    for position, (index, text, stored) in enumerate(entries):
        if index != position:
            problems.append(f"log: entry {position} is missing (the next one is {index})")
        if leaf_hash(text.encode("utf-8")) != bytes(stored):
            problems.append(f"log: entry {index} does not match its leaf hash")
        leaves.append(bytes(stored))
    vkeys = _note_keys()
    for checkpoint in Checkpoint.objects.order_by("size"):
        try:
            if checkpoint.key_id not in vkeys:
                raise Invalid(f"signed with the key {checkpoint.key_id}, which the register does not publish")
            signed = open_checkpoint(checkpoint.note, vkeys[checkpoint.key_id])
        except (Invalid, ValueError) as problem:
            problems.append(f"checkpoint {checkpoint.size}: {problem}")
            continue
        if signed.size > len(leaves) or signed.root != root_hash(leaves[: signed.size]):
            problems.append(f"checkpoint {checkpoint.size}: the log no longer has the tree it signed")
    problems += _compare_endorsements() + _compare_initiatives()
    return problems


def _latest_subjects(field: str, key: str) -> dict[str, dict[str, Any]]:

    latest: dict[str, dict[str, Any]] = {}
    for text in (
        LogEntry.objects.filter(**{f"{field}__isnull": False}).order_by("index").values_list("entry", flat=True)
    ):
        subject = json.loads(text)[field]
        latest[subject[key]] = subject
    return latest


def _compare_endorsements() -> list[str]:
    problems = []
    logged = _latest_subjects("endorsement", "reference")
    for row in Endorsement.objects.select_related("initiative", "member_state"):
        record = receipts.endorsement_record(row)
        said = logged.get(row.reference)
        if said is None:
            problems.append(f"endorsement {row.reference}: not in the log")
            continue
        for name in VOUCHED:
            if said.get(name) != record[name]:
                problems.append(
                    f"endorsement {row.reference}: {name} is {record[name]!r} in the register, "
                    f"{said.get(name)!r} in the log: changed outside the log"
                )
        if (said["state"]["code"], said["initiative"]["slug"]) != (row.member_state.code, row.initiative.slug):
            problems.append(f"endorsement {row.reference}: its state or initiative was changed outside the log")
    return problems


def _compare_initiatives() -> list[str]:
    problems = []
    logged = _latest_subjects("initiative", "slug")
    published_or_logged = Initiative.objects.filter(Q(status__in=PUBLISHED) | Q(log_entries__isnull=False)).distinct()
    for initiative in published_or_logged:
        said = logged.get(initiative.slug)
        if said is None:
            problems.append(f"initiative {initiative.slug}: published, not in the log")
            continue
        stands = {
            "status": initiative.status,
            "text_version": initiative.text_version,
            "signing_opens_on": _iso(initiative.signing_opens_on),
            "signing_closes_on": _iso(initiative.signing_closes_on),
        }
        for name, value in stands.items():
            if said.get(name) != value:
                problems.append(
                    f"initiative {initiative.slug}: {name} is {value!r} in the register, "
                    f"{said.get(name)!r} in the log: changed outside the log"
                )
    return problems


@transaction.atomic
def start_the_log() -> int:
    """Give a register that existed before its log (an earlier release) its first entries: its
    published initiatives and its endorsements as they stand. Only while the log is empty: once
    it has begun, a row it lacks was written past the register's rules, and `check_register`
    reports it instead of the log taking it in. Returns the number appended."""
    if LogEntry.objects.exists():
        return 0
    appended = 0
    for initiative in Initiative.objects.published():
        log_initiative(initiative=initiative, kind=initiative.status)
        appended += 1
    for row in Endorsement.objects.select_related("initiative", "member_state").order_by("created_at", "pk"):
        log_endorsement(endorsement=row, kind="withdrawn" if row.withdrawn_on else "recorded")
        appended += 1
    return appended
