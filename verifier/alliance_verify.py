#!/usr/bin/env python3
"""Check what the Alliance register publishes, with nothing but Python and `cryptography`.

No project, no settings, no database: a researcher, a journalist or a state's mission runs it
against files they downloaded or against the public site.

    python alliance_verify.py receipt RECEIPT.json --public-key KEY.pem
    python alliance_verify.py receipt RECEIPT.json --keys KEYS.json
    python alliance_verify.py receipt RECEIPT.json --site https://register.example

`--keys` is the register's list of signing keys (`/api/v1/receipts/keys`): the current key and
every retired one with the last day it signed, so a receipt issued before a key rotation still
verifies. `--site` reads that list from the site. Exit status: 0 valid, 1 invalid, 2 bad usage.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ALGORITHM = "Ed25519"


class Invalid(Exception):
    """What was checked does not hold; the message says what."""


def canonical_bytes(payload: Any) -> bytes:
    """The exact bytes the register signs: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii"))
    if not isinstance(key, Ed25519PublicKey):
        raise Invalid("the public key is not an Ed25519 key")
    return key


def key_id(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def check_receipt(document: Any, keys: list[dict[str, Any]]) -> dict[str, Any]:
    """The receipt's payload if its signature holds under the listed key it names; else Invalid."""
    if not isinstance(document, dict) or not isinstance(document.get("receipt"), dict):
        raise Invalid("this is not a receipt (no `receipt` object)")
    if document.get("algorithm") != ALGORITHM:
        raise Invalid(f"unknown algorithm {document.get('algorithm')!r}")
    signature = document.get("signature")
    if not isinstance(signature, str):
        raise Invalid("no signature")
    try:
        raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except ValueError:
        raise Invalid("the signature is not base64") from None
    if base64.urlsafe_b64encode(raw_signature).rstrip(b"=").decode("ascii") != signature:
        raise Invalid("the signature is not in its one canonical encoding")
    named = document.get("key_id")
    candidates = [key for key in keys if named is None or key["key_id"] == named]
    if not candidates:
        raise Invalid(f"no listed key has the id {named!r}")
    payload: dict[str, Any] = document["receipt"]
    for key in candidates:
        public_key = load_public_key(key["public_key"])
        if key_id(public_key) != key["key_id"]:
            raise Invalid(f"the listed key {key['key_id']} does not have that id")
        try:
            public_key.verify(raw_signature, canonical_bytes(payload))
        except InvalidSignature:
            continue
        _check_issued_while_valid(payload, key)
        return payload
    raise Invalid("the signature does not match this receipt: it was changed, or signed with another key")


def _check_issued_while_valid(payload: dict[str, Any], key: dict[str, Any]) -> None:
    """A retired key signs nothing after its last day."""
    if not key.get("valid_until") or not isinstance(payload.get("issued_at"), str):
        return
    issued = datetime.datetime.fromisoformat(payload["issued_at"]).date()
    if issued > datetime.date.fromisoformat(key["valid_until"]):
        raise Invalid(f"issued on {issued}, after its key {key['key_id']} was retired ({key['valid_until']})")


def fetch_json(url: str) -> Any:
    if not url.startswith(("https://", "http://")):
        raise Invalid(f"not a web address: {url}")  # a file: or custom scheme is never opened
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310
        return json.load(response)


def keys_from(arguments: argparse.Namespace) -> list[dict[str, Any]]:
    if arguments.public_key:
        pem = Path(arguments.public_key).read_text(encoding="ascii")
        return [{"key_id": key_id(load_public_key(pem)), "public_key": pem, "valid_until": None}]
    if arguments.keys:
        listing = json.loads(Path(arguments.keys).read_text(encoding="utf-8"))
    else:
        listing = fetch_json(arguments.site.rstrip("/") + "/api/v1/receipts/keys")
    return list(listing["keys"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    receipt = commands.add_parser("receipt", help="check a signed endorsement receipt")
    receipt.add_argument("file", help="the receipt, a JSON file")
    source = receipt.add_mutually_exclusive_group(required=True)
    source.add_argument("--public-key", help="the register's public key, a PEM file")
    source.add_argument("--keys", help="the register's list of keys, a JSON file (/api/v1/receipts/keys)")
    source.add_argument("--site", help="the register's address, to read its list of keys")
    arguments = parser.parse_args(argv)
    try:
        document = json.loads(Path(arguments.file).read_text(encoding="utf-8"))
        payload = check_receipt(document, keys_from(arguments))
    except (Invalid, OSError, ValueError, KeyError) as problem:
        sys.stderr.write(f"INVALID: {problem}\n")
        return 1
    state, initiative = payload.get("state") or {}, payload.get("initiative") or {}
    sys.stdout.write(f"valid: {payload.get('reference')} ({state.get('code')}, {initiative.get('slug')})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
