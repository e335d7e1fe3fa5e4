"""Signed endorsement receipts that anyone can check offline.

A receipt is the public record of one endorsement, as JSON, signed with the register's Ed25519
key. The keys are published (``/api/v1/receipts/keys``, retired ones with their last day), and
anyone checks a receipt with ``verifier/alliance_verify.py``, which needs only Python and
``cryptography``; the register verifies with the same code.

The signing key is the setting ``RECEIPT_SIGNING_KEY`` (the base64 of a 32-byte raw Ed25519
private seed) when it is set. Without it, the seed is derived from ``SECRET_KEY`` with
HKDF-SHA256, so that development needs no extra setting. Production should set
``RECEIPT_SIGNING_KEY``: otherwise rotating ``SECRET_KEY`` changes the receipts' key, and
receipts issued before the rotation no longer verify against the published key.

A receipt never contains who signed, recorded or withdrew the endorsement.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from initiatives.models import Endorsement
from verifier.alliance_verify import canonical_bytes, check_receipt

REGISTER = "Alliance for Multilateralism register"
ALGORITHM = "Ed25519"
HKDF_INFO = b"alliance-register receipt signing key v1"


def signing_key() -> Ed25519PrivateKey:
    """The register's receipt key: RECEIPT_SIGNING_KEY if set, else derived from SECRET_KEY.

    Set RECEIPT_SIGNING_KEY (base64 of the 32-byte raw private seed) in production, so that
    rotating SECRET_KEY does not change the key the receipts are signed with.
    """
    configured = getattr(settings, "RECEIPT_SIGNING_KEY", "")
    if configured:
        try:
            seed = base64.b64decode(str(configured).strip(), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ImproperlyConfigured("RECEIPT_SIGNING_KEY is not valid base64.") from error
        if len(seed) != 32:
            raise ImproperlyConfigured("RECEIPT_SIGNING_KEY must be the base64 of 32 bytes.")
    else:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO)
        seed = hkdf.derive(str(settings.SECRET_KEY).encode("utf-8"))
    return Ed25519PrivateKey.from_private_bytes(seed)


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _key_id(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


def public_key_pem() -> str:
    """The register's public key, as SubjectPublicKeyInfo PEM."""
    return _pem(signing_key().public_key())


def key_id() -> str:
    """The first 16 hex characters of the SHA-256 of the raw 32-byte public key."""
    return _key_id(signing_key().public_key())


def _pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(
        "ascii"
    )


def published_keys() -> list[dict[str, str | None]]:
    """Every key that signs or signed receipts: the current one (valid until further notice), then
    each retired one (RECEIPT_RETIRED_KEYS) with the last day it signed."""
    current = signing_key().public_key()
    keys: list[dict[str, str | None]] = [{"key_id": _key_id(current), "public_key": _pem(current), "valid_until": None}]
    for entry in settings.RECEIPT_RETIRED_KEYS:
        encoded, _, last_day = entry.rpartition(":")
        try:
            public_key = Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded, validate=True))
            datetime.date.fromisoformat(last_day)
        except ValueError as error:
            raise ImproperlyConfigured(f"RECEIPT_RETIRED_KEYS: {entry!r} is not PUBLIC_KEY:YYYY-MM-DD.") from error
        keys.append({"key_id": _key_id(public_key), "public_key": _pem(public_key), "valid_until": last_day})
    return keys


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def endorsement_record(endorsement: Endorsement) -> dict[str, object]:
    """The public facts of one endorsement, in English: what a receipt signs and the
    transparency log records."""
    state = endorsement.member_state
    initiative = endorsement.initiative
    return {
        "register": REGISTER,
        "reference": endorsement.reference,
        # The English columns added by modeltranslation, whatever the active language.
        "state": {"code": state.code, "name": getattr(state, "name_en", None) or state.name},
        "initiative": {"slug": initiative.slug, "title": getattr(initiative, "title_en", None) or initiative.title},
        "endorsed_on": _iso(endorsement.endorsed_on),
        "date_precision": endorsement.date_precision,
        "channel": endorsement.channel,
        "text_version": endorsement.text_version,
        "statement": endorsement.statement,
        "source_url": endorsement.source_url,
        "withdrawn_on": _iso(endorsement.withdrawn_on),
        "withdrawal_reason": endorsement.withdrawal_reason,
    }


def receipt_payload(endorsement: Endorsement) -> dict[str, object]:
    """The endorsement's record, with the time of issue and the index of its latest entry in the
    transparency log (where a checkpoint and an inclusion proof show it is recorded)."""
    log_index = endorsement.log_entries.order_by("-index").values_list("index", flat=True).first()
    return {
        **endorsement_record(endorsement),
        "issued_at": timezone.now().astimezone(datetime.UTC).isoformat(timespec="seconds"),
        "log_index": log_index,
    }


def signed_receipt(endorsement: Endorsement) -> dict[str, object]:
    payload = receipt_payload(endorsement)
    signature = signing_key().sign(canonical_bytes(payload))
    return {
        "receipt": payload,
        "algorithm": ALGORITHM,
        "key_id": key_id(),
        "signature": base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii"),
    }


def verify_receipt(document: dict[str, object], public_key_pem: str) -> bool:
    """Whether the document is a receipt signed with this public key. Never raises."""
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode("utf-8"))
        if not isinstance(key, Ed25519PublicKey):
            return False
        check_receipt(document, [{"key_id": _key_id(key), "public_key": public_key_pem, "valid_until": None}])
    except Exception:  # a malformed document or key: not a valid receipt, never an error
        return False
    return True


def verify_with_published_keys(document: dict[str, object]) -> bool:
    """Whether the document is a receipt signed by the register, with its current key or with a
    retired one while it was in use. Never raises."""
    try:
        check_receipt(document, published_keys())
    except Exception:  # a malformed document: not a valid receipt, never an error
        return False
    return True
