#!/usr/bin/env python3
"""Check what the Alliance register publishes, with nothing but Python and `cryptography`.

No project, no settings, no database: a researcher, a journalist or a state's mission runs it
against files they downloaded or against the public site.

    python alliance_verify.py receipt RECEIPT.json --site https://register.example
    python alliance_verify.py receipt RECEIPT.json --keys KEYS.json      (or --public-key KEY.pem)
    python alliance_verify.py monitor --site https://register.example --state STATE.json

`receipt` checks a receipt's signature (`--keys` is the list at `/api/v1/receipts/keys`: the
current key and every retired one with the last day it signed); with `--site`, it also checks
that the endorsement is in the register's transparency log, under its latest signed checkpoint.

`monitor` reads the log's latest checkpoint, checks its signature, and proves that the log
extends the checkpoint it saw last time (kept in STATE.json): an entry changed, removed or
reordered, or a log that shrank, fails, and the monitor says what it found.

The log is an append-only Merkle tree as RFC 9162 (Certificate Transparency 2.0) defines it, and
its checkpoints are C2SP signed notes (tlog-checkpoint), as Go's checksum database publishes.
Exit status: 0 valid, 1 invalid, 2 bad usage.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import sys
import urllib.request
from dataclasses import dataclass
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


# The Merkle tree (RFC 9162, section 2.1) --------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two smaller than `size` (size > 1)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_hash(leaves: list[bytes]) -> bytes:
    """MTH: the root of the tree over these leaf hashes."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root_hash(leaves[:k]), root_hash(leaves[k:]))


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(index, leaves): the hashes that lead from leaf `index` to the root."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root_hash(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root_hash(leaves[:k])]


def consistency_proof(first: int, leaves: list[bytes]) -> list[bytes]:
    """PROOF(first, leaves): the hashes that show the tree of `first` leaves is a prefix of this one."""

    def subproof(m: int, nodes: list[bytes], complete: bool) -> list[bytes]:
        if m == len(nodes):
            return [] if complete else [root_hash(nodes)]
        k = _split(len(nodes))
        if m <= k:
            return [*subproof(m, nodes[:k], complete), root_hash(nodes[k:])]
        return [*subproof(m - k, nodes[k:], False), root_hash(nodes[:k])]

    return subproof(first, leaves, True) if 0 < first < len(leaves) else []


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162, 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, result = index, size - 1, leaf
    for node in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            result = node_hash(node, result)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            result = node_hash(result, node)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and result == root


def verify_consistency(first: int, second: int, proof: list[bytes], first_root: bytes, second_root: bytes) -> bool:
    """RFC 9162, 2.1.4.2: the tree of `second` leaves extends the tree of `first` leaves."""
    if first > second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    path = [first_root, *proof] if first & (first - 1) == 0 else list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(node, fr), node_hash(node, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, node)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0


# Checkpoints: C2SP tlog-checkpoint in a C2SP signed note, signed with Ed25519 ----------------------

ED25519_NOTE = b"\x01"  # the signed-note signature type of Ed25519


def note_key_hash(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519_NOTE + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The note verifier key: name+keyhash+base64(type || key), as Go's `note` package writes it."""
    encoded = base64.b64encode(ED25519_NOTE + public_key).decode("ascii")
    return f"{name}+{note_key_hash(name, public_key).hex()}+{encoded}"


def sign_note(text: str, name: str, private_key: Any) -> str:
    """`text` (ending in a newline) as a signed note, signed by `private_key` (Ed25519) as `name`."""
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    signature = note_key_hash(name, raw) + private_key.sign(text.encode("utf-8"))
    return f"{text}\n\u2014 {name} {base64.b64encode(signature).decode('ascii')}\n"


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def open_checkpoint(note: str, vkey: str) -> Checkpoint:
    """The checkpoint a signed note holds, if the verifier key's owner signed it; else Invalid."""
    name, key_hash, encoded = vkey.strip().split("+", 2)
    key = base64.b64decode(encoded)
    if key[:1] != ED25519_NOTE or len(key) != 33 or note_key_hash(name, key[1:]).hex() != key_hash:
        raise Invalid("the verifier key is not a well-formed Ed25519 note key")
    text, separator, signatures = note.partition("\n\n")
    if not separator:
        raise Invalid("this is not a signed note")
    text += "\n"
    public_key = Ed25519PublicKey.from_public_bytes(key[1:])
    for line in signatures.splitlines():
        prefix = f"\u2014 {name} "
        if not line.startswith(prefix):
            continue
        signature = base64.b64decode(line[len(prefix) :])
        if signature[:4].hex() != key_hash:
            continue
        try:
            public_key.verify(signature[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise Invalid("the checkpoint's signature does not match: it was changed or forged") from None
        lines = text.splitlines()
        if len(lines) < 3 or lines[0] != name or not lines[1].isdigit():
            raise Invalid("the signed note is not a checkpoint of this log")
        return Checkpoint(origin=lines[0], size=int(lines[1]), root=base64.b64decode(lines[2]))
    raise Invalid(f"the checkpoint bears no signature of {name}")


def fetch(url: str) -> str:
    if not url.startswith(("https://", "http://")):
        raise Invalid(f"not a web address: {url}")  # a file: or custom scheme is never opened
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  # nosec B310
        return str(response.read().decode("utf-8"))


def fetch_json(url: str) -> Any:
    return json.loads(fetch(url))


# The fields of an endorsement that its log entry vouches for; names and titles may be edited.
VOUCHED = (
    "reference",
    "endorsed_on",
    "date_precision",
    "channel",
    "text_version",
    "statement",
    "source_url",
    "withdrawn_on",
    "withdrawal_reason",
)


def site_checkpoint(site: str, vkey: str | None = None) -> tuple[Checkpoint, str]:
    """The site's latest checkpoint, checked against `vkey` (or the key the site publishes)."""
    note = fetch(f"{site}/api/v1/log/checkpoint")
    if vkey is None:
        key = serialization.load_pem_public_key(fetch(f"{site}/api/v1/receipts/public-key").encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise Invalid("the site's public key is not an Ed25519 key")
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        vkey = verifier_key(note.split("\n", 1)[0], raw)
    return open_checkpoint(note, vkey), vkey


def check_in_log(site: str, payload: dict[str, Any]) -> Checkpoint:
    """That the receipt's endorsement is the log's entry it names, under the latest checkpoint."""
    index = payload.get("log_index")
    if not isinstance(index, int):
        raise Invalid("the receipt names no entry of the transparency log")
    checkpoint, _vkey = site_checkpoint(site)
    items = fetch_json(f"{site}/api/v1/log/entries?start={index}&end={index + 1}")["items"]
    if not items:
        raise Invalid(f"the log has no entry {index}")
    text = items[0]["entry"]
    record = json.loads(text).get("endorsement") or {}
    differing = [name for name in VOUCHED if record.get(name) != payload.get(name)]
    if differing:
        raise Invalid(f"the log's entry {index} does not say what the receipt says ({', '.join(differing)})")
    proof = fetch_json(f"{site}/api/v1/log/proof/inclusion?index={index}&tree_size={checkpoint.size}")
    path = [base64.b64decode(node) for node in proof["hashes"]]
    if not verify_inclusion(index, checkpoint.size, leaf_hash(text.encode("utf-8")), path, checkpoint.root):
        raise Invalid(f"entry {index} is not in the tree the latest checkpoint signed")
    return checkpoint


def monitor(site: str, state_path: Path) -> str:
    """Check the latest checkpoint against the last one seen, then remember it."""
    state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.exists() else {}
    try:
        checkpoint, vkey = site_checkpoint(site, state.get("vkey"))
    except Invalid as problem:
        if not state:
            raise
        raise Invalid(
            f"{problem}. The log is no longer signed with the key seen before: the register rotated its key "
            f"(check its announcement, then delete {state_path} to trust the new one) or the checkpoint is forged"
        ) from None
    if state:
        seen, seen_root = int(state["size"]), base64.b64decode(state["root"])
        if checkpoint.size < seen:
            raise Invalid(f"the log shrank: it had {seen} entries, it now signs {checkpoint.size}")
        proof: list[bytes] = []
        if 0 < seen < checkpoint.size:
            answer = fetch_json(f"{site}/api/v1/log/proof/consistency?first={seen}&second={checkpoint.size}")
            proof = [base64.b64decode(node) for node in answer["hashes"]]
        if not verify_consistency(seen, checkpoint.size, proof, seen_root, checkpoint.root):
            raise Invalid(
                f"the log forked: its tree of {checkpoint.size} entries does not extend the tree of {seen} "
                "entries it signed before (an entry was changed, removed or reordered)"
            )
    state_path.write_text(
        json.dumps({"vkey": vkey, "size": checkpoint.size, "root": base64.b64encode(checkpoint.root).decode()}),
        encoding="utf-8",
    )
    grown = checkpoint.size - int(state.get("size", checkpoint.size))
    return f"consistent: {checkpoint.size} entries ({grown} new since the last check)"


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
    receipt = commands.add_parser("receipt", help="check a signed endorsement receipt (and, with --site, the log)")
    receipt.add_argument("file", help="the receipt, a JSON file")
    source = receipt.add_mutually_exclusive_group(required=True)
    source.add_argument("--public-key", help="the register's public key, a PEM file")
    source.add_argument("--keys", help="the register's list of keys, a JSON file (/api/v1/receipts/keys)")
    source.add_argument("--site", help="the register's address: its keys, and its transparency log")
    watch = commands.add_parser("monitor", help="check that the log only grew since the last check")
    watch.add_argument("--site", required=True, help="the register's address")
    watch.add_argument("--state", required=True, help="a file that keeps the last checkpoint seen")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "monitor":
            sys.stdout.write(monitor(arguments.site.rstrip("/"), Path(arguments.state)) + "\n")
            return 0
        document = json.loads(Path(arguments.file).read_text(encoding="utf-8"))
        payload = check_receipt(document, keys_from(arguments))
        logged = ""
        if arguments.site:
            checkpoint = check_in_log(arguments.site.rstrip("/"), payload)
            logged = f"; in the log as entry {payload['log_index']} of {checkpoint.size}"
    except (Invalid, OSError, ValueError, KeyError) as problem:
        sys.stderr.write(f"INVALID: {problem}\n")
        return 1
    state, initiative = payload.get("state") or {}, payload.get("initiative") or {}
    sys.stdout.write(f"valid: {payload.get('reference')} ({state.get('code')}, {initiative.get('slug')}){logged}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
