"""The transparency log: every public change appends an entry in its own transaction, the log is
append-only in the database, checkpoints are signed C2SP notes, proofs verify, and the register's
self-check finds a row changed outside the log."""

import base64
import datetime
import json
from http import HTTPStatus
from io import StringIO

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from initiatives import transparency
from initiatives.endorsing import AlreadyEndorsed, correct_endorsement, record_endorsement
from initiatives.models import Checkpoint, DatePrecision, Endorsement, Initiative, LogEntry
from initiatives.publishing import PublishingRefused, save_initiative
from members.models import MemberState
from tests.conftest import deliver
from tests.factories import UserFactory
from verifier.alliance_verify import (
    leaf_hash,
    open_checkpoint,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

ENDORSE = "/en/initiatives/gender-at-the-centre/endorse/"


def entries_of(kind: str) -> list[dict]:
    return [json.loads(text) for text in LogEntry.objects.filter(kind=kind).values_list("entry", flat=True)]


def latest(anonymous):
    """The latest checkpoint, as a third party reads and checks it."""
    note = anonymous.get("/api/v1/log/checkpoint").content.decode()
    return open_checkpoint(note, transparency.note_verifier_key())


def inclusion_holds(anonymous, index: int, size: int, root: bytes) -> bool:
    proof = anonymous.get(f"/api/v1/log/proof/inclusion?index={index}&tree_size={size}").json()
    entry = anonymous.get(f"/api/v1/log/entries?start={index}&end={index + 1}").json()["items"][0]
    path = [base64.b64decode(node) for node in proof["hashes"]]
    return verify_inclusion(index, size, leaf_hash(entry["entry"].encode()), path, root)


def test_every_public_change_appends_an_entry_in_its_own_transaction(persona, django_capture_on_commit_callbacks):
    _user, client = persona("delegate_of_x")
    before = LogEntry.objects.count()
    client.post(ENDORSE, {"statement": "We stand by it.", "authority": "on", "text_version": 1})
    row = Endorsement.objects.get(initiative__slug="gender-at-the-centre", member_state__code="FRA")
    [entry] = entries_of("endorsement.recorded")[-1:]
    assert entry["endorsement"]["reference"] == row.reference
    assert entry["endorsement"]["statement"] == "We stand by it."
    assert entry["endorsement"]["state"]["code"] == "FRA"
    client.post(ENDORSE.replace("endorse", "withdraw"), {"reason": "Review.", "authority": "on"})
    assert entries_of("endorsement.withdrawn")[-1]["endorsement"]["withdrawal_reason"] == "Review."
    initiative = Initiative.objects.get(slug="climate-and-security")
    initiative.status = Initiative.Status.CLOSED
    save_initiative(initiative=initiative)
    assert entries_of("initiative.closed")[-1]["initiative"]["slug"] == "climate-and-security"
    assert LogEntry.objects.count() == before + 3
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(LogEntry.objects.count()))


def test_a_refused_write_leaves_no_entry(register):
    initiative = Initiative.objects.get(slug="paris-call")
    before = LogEntry.objects.count()
    with pytest.raises(AlreadyEndorsed):
        record_endorsement(
            initiative=initiative,
            member_state=MemberState.objects.get(code="FRA"),
            endorsed_on=datetime.date(2020, 1, 2),
            recorded_by=UserFactory(is_staff=True),
            source_note="A second note",
            announce=False,
        )
    assert LogEntry.objects.count() == before


@pytest.mark.parametrize(
    ("model", "statement"),
    [
        (LogEntry, "UPDATE initiatives_logentry SET kind = 'forged'"),
        (LogEntry, "DELETE FROM initiatives_logentry"),
        (Checkpoint, "UPDATE initiatives_checkpoint SET note = 'forged'"),
        (Checkpoint, "DELETE FROM initiatives_checkpoint"),
    ],
)
def test_the_database_refuses_to_change_or_delete_the_log(register, model, statement):
    transparency.sign_checkpoint()
    before = list(model.objects.values_list("pk", flat=True))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert list(model.objects.values_list("pk", flat=True)) == before
    assert not LogEntry.objects.filter(kind="forged").exists()


def test_a_date_changed_with_raw_sql_is_reported_and_the_log_still_shows_the_original(register, anonymous):
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="GIN")
    index = row.log_entries.get().index
    out, err = StringIO(), StringIO()
    call_command("check_register", stdout=out, stderr=err)
    assert "The register matches its log" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE initiatives_endorsement SET endorsed_on = %s WHERE id = %s", ["2018-12-01", row.pk])
    with pytest.raises(SystemExit) as stopped:
        call_command("check_register", stdout=StringIO(), stderr=err)
    assert stopped.value.code == 1
    assert (
        f"endorsement {row.reference}: endorsed_on is '2018-12-01' in the register, '2019-11-19' in the log: "
        "changed outside the log"
    ) in err.getvalue()
    entry = anonymous.get(f"/api/v1/log/entries?start={index}&end={index + 1}").json()["items"][0]
    assert json.loads(entry["entry"])["endorsement"]["endorsed_on"] == "2019-11-19"
    checkpoint = latest(anonymous)
    assert inclusion_holds(anonymous, index, checkpoint.size, checkpoint.root) is True


def test_checkpoints_before_and_after_new_endorsements_are_consistent(register, anonymous):
    first = latest(anonymous)
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    staff = UserFactory(is_staff=True)
    for code in ("NOR", "CHL", "GHA"):
        record_endorsement(
            initiative=initiative,
            member_state=MemberState.objects.get(code=code),
            endorsed_on=initiative.signing_opens_on,
            recorded_by=staff,
            source_note=f"Note verbale of {code}",
            announce=False,
        )
    transparency.sign_checkpoint()  # as the worker does within a second
    second = latest(anonymous)
    assert second.size == first.size + 3
    # The earlier checkpoint is kept, and still what it was.
    kept = anonymous.get(f"/api/v1/log/checkpoint/{first.size}").content.decode()
    assert open_checkpoint(kept, transparency.note_verifier_key()) == first
    answer = anonymous.get(f"/api/v1/log/proof/consistency?first={first.size}&second={second.size}").json()
    proof = [base64.b64decode(node) for node in answer["hashes"]]
    assert verify_consistency(first.size, second.size, proof, first.root, second.root) is True
    # A log that removed an entry cannot show it extends the first checkpoint.
    leaves = transparency.leaf_hashes()
    without_one = leaves[:5] + leaves[6:]
    assert verify_consistency(first.size, second.size - 1, proof, first.root, root_hash(without_one)) is False


def test_the_worker_signs_the_checkpoint_of_a_grown_log_off_the_requests_path(register, persona):
    before = transparency.size()
    _user, client = persona("delegate_of_x")
    with CaptureQueriesContext(connection) as request:
        client.post("/en/initiatives/gender-at-the-centre/endorse/", {"authority": "on", "text_version": 1})
    assert not any("initiatives_checkpoint" in query["sql"] for query in request.captured_queries)
    assert not Checkpoint.objects.filter(size=before + 1).exists()
    deliver()
    signed = Checkpoint.objects.get(size=before + 1)
    assert signed.root_hash == root_hash(transparency.leaf_hashes())


def test_every_receipt_of_the_reference_data_is_in_the_log_under_the_latest_checkpoint(register, anonymous):
    checkpoint = latest(anonymous)
    leaves = transparency.leaf_hashes(checkpoint.size)
    assert root_hash(leaves) == checkpoint.root
    references = list(Endorsement.objects.values_list("reference", flat=True))
    assert len(references) == 140
    for reference in references:
        receipt = anonymous.get(f"/api/v1/receipts/{reference}").json()["receipt"]
        assert isinstance(receipt["log_index"], int)
        assert inclusion_holds(anonymous, receipt["log_index"], checkpoint.size, checkpoint.root), reference


def test_the_checkpoint_is_a_c2sp_signed_note(register, anonymous, settings):
    note = anonymous.get("/api/v1/log/checkpoint")
    assert note["Content-Type"] == "text/plain; charset=utf-8"
    body, _blank, signature = note.content.decode().partition("\n\n")
    origin, size, root = body.split("\n")
    assert origin == "127.0.0.1:8000/log" or origin.endswith("/log")
    assert int(size) == LogEntry.objects.count()
    assert base64.b64decode(root) == root_hash(transparency.leaf_hashes())
    assert signature.startswith(f"— {origin} ")
    forged = note.content.decode().replace(f"\n{size}\n", f"\n{int(size) + 1}\n")
    with pytest.raises(Exception, match="does not match"):
        open_checkpoint(forged, transparency.note_verifier_key())
    assert anonymous.get("/api/v1/log/checkpoint/999999").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/log/proof/inclusion?index=5&tree_size=5",
        "/api/v1/log/proof/inclusion?index=0&tree_size=999999",
        "/api/v1/log/proof/consistency?first=10&second=5",
        "/api/v1/log/proof/consistency?first=1&second=999999",
    ],
)
def test_a_proof_the_log_cannot_give_is_a_404_that_says_why(register, anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["detail"].startswith("No such proof")


def test_entries_come_a_thousand_at_most_and_an_empty_range_is_empty(register, anonymous):
    assert anonymous.get("/api/v1/log/entries?start=10&end=5").json()["items"] == []
    items = anonymous.get("/api/v1/log/entries?start=3&end=5000").json()["items"]
    assert [item["index"] for item in items] == list(range(3, LogEntry.objects.count()))


def test_a_correction_and_a_new_text_version_are_logged(register):
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="GIN")
    correct_endorsement(
        endorsement=row,
        corrected_by=UserFactory(is_staff=True),
        reason="The note verbale is dated 20 November.",
        endorsed_on=datetime.date(2019, 11, 20),
        date_precision=DatePrecision.DAY,
        source_url=row.source_url,
        source_note=row.source_note,
    )
    assert entries_of("endorsement.corrected")[-1]["endorsement"]["endorsed_on"] == "2019-11-20"
    initiative = Initiative.objects.get(slug="climate-and-security")
    changed = []
    for code in ("en", "fr", "es", "ar", "zh_hans", "ru"):
        setattr(initiative, f"commitment_{code}", getattr(initiative, f"commitment_{code}") + " (2)")
        changed.append(f"commitment_{code}")
    save_initiative(initiative=initiative, changed=changed, material=True)
    logged = entries_of("initiative.text_version")[-1]["initiative"]
    assert logged["text_version"] == 2
    assert len(logged["commitment_sha256"]) == 6


@pytest.mark.parametrize(("language", "heading"), [("en", "transparency log"), ("fr", "journal"), ("ar", "")])
def test_the_public_page_explains_the_log_and_shows_its_latest_checkpoint(register, anonymous, language, heading):
    page = anonymous.get(f"/{language}/transparency/")
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert f"<dd>{LogEntry.objects.count()}</dd>" in text
    assert heading in text.lower()
    assert "alliance_verify.py monitor" in text


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/log/checkpoint/100000000000000000000000",
        "/api/v1/log/entries?start=100000000000000000000000",
        "/api/v1/log/proof/inclusion?index=0&tree_size=100000000000000000000000",
    ],
)
def test_numbers_beyond_any_log_get_a_400_not_a_server_error(register, anonymous, path):
    assert anonymous.get(path).status_code == HTTPStatus.BAD_REQUEST


def test_a_row_written_past_the_rules_is_reported_never_taken_into_the_log_at_start(register):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    [forged] = Endorsement.objects.bulk_create(  # as a direct INSERT would
        [
            Endorsement(
                initiative=initiative,
                member_state=MemberState.objects.get(code="NOR"),
                endorsed_on=datetime.date(2001, 1, 1),
                channel=Endorsement.Channel.RECORDED,
                source_note="Nothing",
            )
        ]
    )
    call_command("load_reference_data", stdout=StringIO())  # what every start runs
    assert not LogEntry.objects.filter(endorsement=forged).exists()
    assert f"endorsement {forged.reference}: not in the log" in transparency.check_register()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_to_empty_the_log(register):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        # CASCADE: with the tables that refer to the log (webhook deliveries) too, or PostgreSQL
        # refuses for their foreign keys before the log's trigger is asked.
        cursor.execute("TRUNCATE initiatives_logentry, initiatives_checkpoint CASCADE")
    assert LogEntry.objects.exists()


def test_the_self_check_sees_an_initiative_unpublished_or_its_window_moved_outside_the_log(register):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE initiatives_initiative SET status = 'draft' WHERE slug = 'paris-call'")
        cursor.execute(
            "UPDATE initiatives_initiative SET signing_opens_on = '2000-01-01' WHERE slug = 'gender-at-the-centre'"
        )
    problems = transparency.check_register()
    assert any(problem.startswith("initiative paris-call: status is 'draft' in the register") for problem in problems)
    assert any(problem.startswith("initiative gender-at-the-centre: signing_opens_on is") for problem in problems)


def test_moving_a_published_initiatives_window_is_logged_and_its_address_never_changes(register):
    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    initiative.signing_opens_on = datetime.date(2019, 6, 1)
    save_initiative(initiative=initiative)
    assert entries_of("initiative.window")[-1]["initiative"]["signing_opens_on"] == str(initiative.signing_opens_on)
    assert transparency.check_register() == []
    initiative.slug = "gender"
    with pytest.raises(PublishingRefused, match="keeps its address"):
        save_initiative(initiative=initiative)


def test_after_a_key_rotation_the_log_still_verifies_and_the_new_key_signs_it(register, anonymous, settings):
    def raw_public_key() -> str:
        public = transparency.receipts.signing_key().public_key()
        return base64.b64encode(
            public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        ).decode()

    old = transparency.sign_checkpoint()
    retired = [f"{raw_public_key()}:{datetime.date.today()}"]
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(bytes(range(1, 33))).decode()  # the rotation
    settings.RECEIPT_RETIRED_KEYS = retired
    assert transparency.check_register() == []  # the old note verifies with its retired key
    new = latest(anonymous)  # signed again, with the new key
    assert (new.size, new.root) == (old.size, bytes(old.root_hash))
    kept = anonymous.get(f"/api/v1/log/checkpoint/{old.size}").content.decode()
    assert open_checkpoint(kept, transparency.note_verifier_key()) == new
    settings.RECEIPT_RETIRED_KEYS = []  # a key the register no longer publishes
    assert any("which the register does not publish" in problem for problem in transparency.check_register())
