"""A third party checks a receipt with `verifier/alliance_verify.py`: only Python and `cryptography`,
no project settings, no Django; a receipt signed before a key rotation still verifies."""

import base64
import contextlib
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection

from initiatives import receipts
from initiatives.endorsing import record_endorsement
from initiatives.models import Checkpoint, Endorsement, Initiative, LogEntry
from initiatives.receipts import signed_receipt
from initiatives.reference_data import load_reference_data
from members.models import MemberState
from tests.factories import UserFactory
from verifier.alliance_verify import leaf_hash

VERIFIER = Path(settings.BASE_DIR) / "verifier" / "alliance_verify.py"


def run_verifier(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run as a researcher would: a clean environment, and Django impossible to import."""
    blocker = tmp_path / "no-django"
    (blocker / "django").mkdir(parents=True, exist_ok=True)
    (blocker / "django" / "__init__.py").write_text("raise ImportError('the verifier must not need Django')\n")
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(blocker)}
    return subprocess.run(  # noqa: S603 (the test's own script and interpreter)
        [sys.executable, str(VERIFIER), *arguments],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
        timeout=60,
    )


@pytest.fixture
def downloaded(register, anonymous, tmp_path):
    """A receipt and the list of keys, as downloaded from the API."""
    row = Endorsement.objects.filter(initiative__slug="paris-call").first()
    (tmp_path / "receipt.json").write_bytes(anonymous.get(f"/api/v1/receipts/{row.reference}").content)
    (tmp_path / "keys.json").write_bytes(anonymous.get("/api/v1/receipts/keys").content)
    (tmp_path / "key.pem").write_bytes(anonymous.get("/api/v1/receipts/public-key").content)
    return row


def test_a_third_party_verifies_a_downloaded_receipt_without_the_project(downloaded, tmp_path):
    for source in (["--keys", "keys.json"], ["--public-key", "key.pem"]):
        result = run_verifier(tmp_path, "receipt", "receipt.json", *source)
        assert result.returncode == 0, result.stderr
        assert result.stdout == f"valid: {downloaded.reference} ({downloaded.member_state.code}, paris-call)\n"


def test_a_tampered_receipt_fails(downloaded, tmp_path):
    document = json.loads((tmp_path / "receipt.json").read_text())
    document["receipt"]["endorsed_on"] = "2018-01-01"
    (tmp_path / "tampered.json").write_text(json.dumps(document))
    result = run_verifier(tmp_path, "receipt", "tampered.json", "--keys", "keys.json")
    assert result.returncode == 1
    assert "INVALID: the signature does not match this receipt" in result.stderr


def test_a_receipt_signed_before_a_key_rotation_still_verifies(register, anonymous, settings, tmp_path):
    row = Endorsement.objects.filter(initiative__slug="paris-call").first()
    old_seed = base64.b64encode(bytes(range(32))).decode()
    settings.RECEIPT_SIGNING_KEY = old_seed
    (tmp_path / "old.json").write_bytes(anonymous.get(f"/api/v1/receipts/{row.reference}").content)
    old_public = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    raw = old_public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    # The rotation: a new key signs, the old one is listed with its last day.
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(bytes(range(1, 33))).decode()
    settings.RECEIPT_RETIRED_KEYS = [f"{base64.b64encode(raw).decode()}:2099-12-31"]
    keys = anonymous.get("/api/v1/receipts/keys").json()["keys"]
    assert [key["valid_until"] for key in keys] == [None, "2099-12-31"]
    (tmp_path / "keys.json").write_text(json.dumps({"keys": keys}))
    assert run_verifier(tmp_path, "receipt", "old.json", "--keys", "keys.json").returncode == 0
    page = anonymous.post("/en/receipts/verify/", {"receipt": (tmp_path / "old.json").read_text()})
    assert "Valid: receipt" in page.content.decode()

    settings.RECEIPT_RETIRED_KEYS = [f"{base64.b64encode(raw).decode()}:2020-01-01"]  # retired before it signed
    (tmp_path / "keys.json").write_text(json.dumps(anonymous.get("/api/v1/receipts/keys").json()))
    result = run_verifier(tmp_path, "receipt", "old.json", "--keys", "keys.json")
    assert result.returncode == 1
    assert "after its key" in result.stderr
    assert receipts.verify_with_published_keys(json.loads((tmp_path / "old.json").read_text())) is False


@pytest.mark.django_db(transaction=True)
def test_the_verifier_checks_the_log_over_http_and_the_monitor_catches_a_fork_and_a_shrink(live_server, tmp_path):
    """Against the register's HTTP API, as a researcher's machine would: a receipt is in the log; the
    log grows consistently; then the database's holder rewrites an old entry, and later removes
    the newest ones, and the monitor says so."""
    load_reference_data()
    site, staff = live_server.url, UserFactory(is_staff=True)
    row = Endorsement.objects.filter(initiative__slug="paris-call").first()
    (tmp_path / "receipt.json").write_text(json.dumps(signed_receipt(row)))
    result = run_verifier(tmp_path, "receipt", "receipt.json", "--site", site)
    assert result.returncode == 0, result.stderr
    assert "; in the log as entry" in result.stdout

    monitor = ("monitor", "--site", site, "--state", "state.json")
    assert run_verifier(tmp_path, *monitor).stdout.startswith("consistent:")
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    for code in ("NOR", "CHL"):
        record_endorsement(
            initiative=initiative,
            member_state=MemberState.objects.get(code=code),
            endorsed_on=initiative.signing_opens_on,
            recorded_by=staff,
            source_note=f"Note verbale of {code}",
            announce=False,
        )
    assert "(2 new since the last check)" in run_verifier(tmp_path, *monitor).stdout

    with log_triggers_off():  # the database's holder, with psql
        first = LogEntry.objects.get(index=0)
        forged = first.entry.replace("2019", "2017", 1)
        LogEntry.objects.filter(index=0).update(entry=forged, leaf_hash=leaf_hash(forged.encode()))
    record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="GHA"),
        endorsed_on=initiative.signing_opens_on,
        recorded_by=staff,
        source_note="Note verbale of Ghana",
        announce=False,
    )
    forked = run_verifier(tmp_path, *monitor)
    assert forked.returncode == 1
    assert "INVALID: the log forked" in forked.stderr

    (tmp_path / "state.json").unlink()
    assert run_verifier(tmp_path, *monitor).returncode == 0  # a new monitor trusts today's log
    with log_triggers_off():
        newest = LogEntry.objects.order_by("-index").first()
        Checkpoint.objects.filter(size=newest.index + 1).delete()
        newest.delete()
    shrunk = run_verifier(tmp_path, *monitor)
    assert shrunk.returncode == 1
    assert "INVALID: the log shrank" in shrunk.stderr


@contextlib.contextmanager
def log_triggers_off():
    """As the database's holder could, with psql: the append-only triggers set aside, then back."""
    tables = ("initiatives_logentry", "initiatives_checkpoint")
    sqlite = importlib.import_module("initiatives.migrations.0015_transparency_log_is_append_only")
    off, on = (
        ([f"ALTER TABLE {table} {verb} TRIGGER USER" for table in tables] for verb in ("DISABLE", "ENABLE"))
        if connection.vendor == "postgresql"
        else (sqlite.SQLITE_REVERSE, sqlite.SQLITE)
    )
    with connection.cursor() as cursor:
        for statement in off:
            cursor.execute(statement)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for statement in on:
                cursor.execute(statement)
