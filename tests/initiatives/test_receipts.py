import base64
import copy
import datetime
import json
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from initiatives.receipts import (
    canonical_bytes,
    key_id,
    public_key_pem,
    receipt_payload,
    signed_receipt,
    signing_key,
    verify_receipt,
)
from tests.factories import EndorsementFactory, InitiativeFactory, MemberStateFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def endorsement():
    state = MemberStateFactory(code="QZZ", name="Republic of Testland", name_en="Republic of Testland")
    initiative = InitiativeFactory(slug="receipt-test", title_en="Partnership for Information")
    return EndorsementFactory(
        member_state=state,
        initiative=initiative,
        statement="We stand with the Alliance — fully.",
        signed_by=UserFactory(email="delegate.secret@example.org"),
    )


@pytest.fixture
def receipt(endorsement):
    return signed_receipt(endorsement)


def tampered(document, change):
    changed = copy.deepcopy(document)
    change(changed)
    return changed


def test_original_receipt_verifies(receipt, endorsement):
    assert receipt["algorithm"] == "Ed25519"
    assert receipt["key_id"] == key_id()
    assert len(receipt["key_id"]) == 16
    assert "=" not in receipt["signature"]
    payload = receipt["receipt"]
    assert payload["register"] == "Alliance for Multilateralism register"
    assert payload["reference"] == endorsement.reference
    assert payload["state"] == {"code": "QZZ", "name": "Republic of Testland"}
    assert payload["initiative"] == {"slug": "receipt-test", "title": "Partnership for Information"}
    assert payload["endorsed_on"] == "2020-01-15"
    assert payload["withdrawn_on"] is None
    assert datetime.datetime.fromisoformat(payload["issued_at"]).utcoffset() == datetime.timedelta(0)
    assert verify_receipt(receipt, public_key_pem())


def test_receipt_survives_a_json_round_trip(receipt):
    assert verify_receipt(json.loads(json.dumps(receipt)), public_key_pem())


def test_canonical_bytes_are_sorted_compact_utf8():
    assert canonical_bytes({"b": "é", "a": 1}) == '{"a":1,"b":"é"}'.encode()


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["receipt"]["state"].update(code="FRA"),
        lambda d: d["receipt"].update(endorsed_on="2020-01-14"),
        lambda d: d["receipt"].update(statement="Something else."),
        lambda d: d["receipt"].update(withdrawn_on="2021-01-01"),
        lambda d: d["receipt"].update(reference="AAAA-BBBB-CCCC"),
        lambda d: d["receipt"].pop("issued_at"),
        lambda d: d["receipt"].update(extra="field"),
    ],
    ids=["state-code", "endorsed-on", "statement", "withdrawn-on", "reference", "missing-field", "extra-field"],
)
def test_a_changed_field_fails(receipt, change):
    assert not verify_receipt(tampered(receipt, change), public_key_pem())


def flip_first_signature_character(document):
    signature = document["signature"]
    document["signature"] = ("B" if signature[0] == "A" else "A") + signature[1:]


@pytest.mark.parametrize(
    "change",
    [
        flip_first_signature_character,
        lambda d: d.update(signature=d["signature"][:-1]),
        lambda d: d.update(signature=d["signature"] + "=="),
        lambda d: d.update(signature=d["signature"] + "!"),
        lambda d: d.update(signature=""),
        lambda d: d.update(signature=None),
        lambda d: d.pop("signature"),
        lambda d: d.update(algorithm="RS256"),
        lambda d: d.pop("algorithm"),
        lambda d: d.update(key_id="0000000000000000"),
        lambda d: d.update(receipt="not a dict"),
        lambda d: d.pop("receipt"),
    ],
)
def test_a_changed_or_malformed_envelope_fails(receipt, change):
    assert not verify_receipt(tampered(receipt, change), public_key_pem())


@pytest.mark.parametrize("document", [{}, [], "receipt", None, 42])
def test_malformed_documents_fail_without_raising(document):
    assert not verify_receipt(document, public_key_pem())


@pytest.mark.parametrize("pem", ["", "not a key", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", None])
def test_malformed_public_keys_fail_without_raising(receipt, pem):
    assert not verify_receipt(receipt, pem)


def test_a_receipt_signed_with_another_key_fails(receipt):
    other = Ed25519PrivateKey.generate()
    forged = copy.deepcopy(receipt)
    forged["signature"] = base64.urlsafe_b64encode(other.sign(canonical_bytes(forged["receipt"]))).rstrip(b"=").decode()
    assert not verify_receipt(forged, public_key_pem())
    # ...and the genuine receipt does not verify against the other key either.
    other_pem = (
        other.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    assert not verify_receipt(receipt, other_pem)


def test_the_setting_replaces_the_derived_key(settings, endorsement):
    derived_pem, derived_id = public_key_pem(), key_id()
    old_receipt = signed_receipt(endorsement)
    seed = bytes(range(32))
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(seed).decode()
    assert public_key_pem() != derived_pem
    assert key_id() != derived_id
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    assert signing_key().public_key().public_bytes_raw() == expected.public_bytes_raw()
    new_receipt = signed_receipt(endorsement)
    assert verify_receipt(new_receipt, public_key_pem())
    assert not verify_receipt(old_receipt, public_key_pem())
    assert verify_receipt(old_receipt, derived_pem)


def test_the_setting_keeps_the_key_when_the_secret_key_rotates(settings):
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    before = public_key_pem()
    settings.SECRET_KEY = "a rotated secret key"
    assert public_key_pem() == before


def test_without_the_setting_the_key_follows_the_secret_key(settings):
    settings.RECEIPT_SIGNING_KEY = ""
    before = key_id()
    assert key_id() == before  # deterministic
    settings.SECRET_KEY = "a rotated secret key"
    assert key_id() != before


def test_the_payload_never_names_the_signer(endorsement, receipt):
    endorsement.recorded_by = UserFactory(email="recorder.secret@example.org")
    endorsement.save()
    for document in (receipt, signed_receipt(endorsement)):
        text = json.dumps(document)
        assert "delegate.secret@example.org" not in text
        assert "recorder.secret@example.org" not in text
    assert not {"signed_by", "recorded_by", "withdrawn_by"} & set(receipt_payload(endorsement))


def test_a_withdrawn_endorsement_receipt(endorsement):
    endorsement.withdrawn_on = datetime.date(2022, 3, 1)
    endorsement.withdrawn_at = datetime.datetime(2022, 3, 1, 12, tzinfo=datetime.UTC)
    endorsement.withdrawal_reason = "Government decision."
    endorsement.save()
    receipt = signed_receipt(endorsement)
    payload = receipt_payload(endorsement)
    assert payload["withdrawn_on"] == "2022-03-01"
    assert payload["withdrawal_reason"] == "Government decision."
    assert verify_receipt(receipt, public_key_pem())


@pytest.fixture
def files(tmp_path, receipt):
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(receipt, ensure_ascii=False, indent=2), encoding="utf-8")
    key_file = tmp_path / "register.pem"
    key_file.write_text(public_key_pem(), encoding="utf-8")
    return receipt_file, key_file


def test_the_command_accepts_the_original(files, endorsement):
    receipt_file, key_file = files
    out = StringIO()
    call_command("verify_receipt", str(receipt_file), "--public-key", str(key_file), stdout=out)
    assert out.getvalue().strip() == f"valid: {endorsement.reference} (QZZ, receipt-test)"


def test_the_command_rejects_a_tampered_file(files):
    receipt_file, key_file = files
    document = json.loads(receipt_file.read_text(encoding="utf-8"))
    document["receipt"]["state"]["code"] = "FRA"
    receipt_file.write_text(json.dumps(document), encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_receipt", str(receipt_file), "--public-key", str(key_file), stderr=err)
    assert exit_info.value.code == 1
    assert err.getvalue().startswith("INVALID: ")


@pytest.mark.parametrize("content", ["not json", "[]", '{"receipt": {}}'])
def test_the_command_rejects_a_malformed_file(files, content):
    receipt_file, key_file = files
    receipt_file.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_receipt", str(receipt_file), "--public-key", str(key_file), stderr=StringIO())
    assert exit_info.value.code == 1


def test_the_command_rejects_a_missing_file(files, tmp_path):
    _receipt_file, key_file = files
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_receipt", str(tmp_path / "absent.json"), "--public-key", str(key_file), stderr=StringIO())
    assert exit_info.value.code == 1


def test_the_command_needs_a_receipt_and_a_key(files):
    receipt_file, _key_file = files
    with pytest.raises(CommandError):
        call_command("verify_receipt", str(receipt_file))


def test_print_public_key_prints_a_pem_that_verifies(receipt):
    out = StringIO()
    call_command("verify_receipt", "--print-public-key", stdout=out)
    pem = out.getvalue()
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert pem == public_key_pem()
    assert verify_receipt(receipt, pem)


def test_the_command_verifies_without_the_database(files, django_db_blocker):
    receipt_file, key_file = files
    out = StringIO()
    with django_db_blocker.block():
        call_command("verify_receipt", str(receipt_file), "--public-key", str(key_file), stdout=out)
    assert out.getvalue().startswith("valid: ")
