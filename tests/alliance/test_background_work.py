"""The register's background work: nothing said is lost, and nothing is sent for a change that
did not happen (alliance/background.py)."""

import os
import signal
import subprocess
import sys
import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliance import background
from members import accreditation
from members.models import MemberState
from tests.conftest import deliver, sign_in, turn_on_mfa
from tests.factories import UserFactory
from tests.servers import live_database_url

ADMINS = "Secretariat admins"
EDITORS = "Secretariat editors"


def emails_task():
    return DBTaskResult.objects.filter(task_path="alliance.background.send_email")


def _request(email: str = "applicant@example.org"):
    return accreditation.request_accreditation(
        user=UserFactory(email=email),
        member_state=MemberState.objects.get(code="FRA"),
        position="Counsellor",
        evidence=None,
        evidence_type="",
        language="en",
    )


def test_a_write_that_rolls_back_sends_nothing(register, settings):
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]
    with pytest.raises(RuntimeError), transaction.atomic():
        _request()
        raise RuntimeError("the request fails after the write")
    deliver()
    assert mail.outbox == []
    assert not emails_task().exists()


def test_a_committed_write_is_told_even_if_the_web_process_dies_before_its_callbacks(
    register, settings, django_capture_on_commit_callbacks
):
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]
    with django_capture_on_commit_callbacks(execute=False):  # the process died: no callback ran
        _request()
    assert emails_task().get().status == "READY"  # enqueued with the write itself
    deliver()
    assert [message.to for message in mail.outbox] == [["secretariat@alliance.example"]]
    assert "applicant@example.org asks to act for France" in mail.outbox[0].body


def test_a_failing_mail_server_is_tried_again_with_backoff_then_the_task_is_kept_failed(register, settings):
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]
    settings.EMAIL_BACKEND = "tests.alliance.mail_servers.RefusingMailServer"
    _request()
    delays = []
    for _attempt in range(background.ATTEMPTS):
        before = timezone.now()
        deliver()
        task = emails_task().get()
        if task.status == "READY":
            delays.append((task.run_after - before).total_seconds())
            emails_task().update(run_after=timezone.now())  # as if the wait were over
    assert task.status == "FAILED"  # kept, with its error, after every attempt
    assert background.attempts(task) == background.ATTEMPTS
    assert "mail server down" in task.traceback
    assert len(delays) == len(background.RETRY_DELAYS)
    for delay, expected in zip(delays, background.RETRY_DELAYS, strict=True):
        assert expected.total_seconds() <= delay < expected.total_seconds() + 5
    assert sum(background.RETRY_DELAYS, start=timezone.timedelta()) > timezone.timedelta(hours=24)
    assert mail.outbox == []


@pytest.fixture
def admin_client(register):
    user = UserFactory(email="admin@secretariat.example", is_staff=True)
    user.groups.add(Group.objects.get(name=ADMINS))
    turn_on_mfa(user)
    return sign_in(Client(), user)


def test_a_secretariat_admin_sees_a_failed_task_and_tries_it_again(register, settings, admin_client):
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]
    settings.EMAIL_BACKEND = "tests.alliance.mail_servers.RefusingMailServer"
    _request()
    for _attempt in range(background.ATTEMPTS):
        deliver()
        emails_task().filter(status="READY").update(run_after=timezone.now())
    task = emails_task().get()
    listing = admin_client.get("/en/admin/django_tasks_database/dbtaskresult/?state=failed").content.decode()
    assert "send_email: accreditation_requested" in listing
    assert "Failed after every attempt" in listing
    detail = admin_client.get(f"/en/admin/django_tasks_database/dbtaskresult/{task.pk}/change/").content.decode()
    assert "ConnectionRefusedError: mail server down" in detail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the mail server is back
    response = admin_client.post(
        "/en/admin/django_tasks_database/dbtaskresult/", {"action": "try_again", "_selected_action": [task.pk]}
    )
    assert response.status_code == HTTPStatus.FOUND
    deliver()
    assert emails_task().get().status == "SUCCESSFUL"
    assert [message.to for message in mail.outbox] == [["secretariat@alliance.example"]]


def test_editors_neither_see_nor_retry_background_tasks(register, settings):
    editor = UserFactory(email="editor@secretariat.example", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    turn_on_mfa(editor)
    client = sign_in(Client(), editor)
    settings.EMAIL_BACKEND = "tests.alliance.mail_servers.RefusingMailServer"
    _request()
    deliver()
    task = emails_task().get()
    DBTaskResult.objects.filter(pk=task.pk).update(status="FAILED")
    assert client.get("/en/admin/django_tasks_database/dbtaskresult/").status_code == HTTPStatus.FORBIDDEN
    response = client.post(
        "/en/admin/django_tasks_database/dbtaskresult/", {"action": "try_again", "_selected_action": [task.pk]}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert DBTaskResult.objects.get(pk=task.pk).status == "FAILED"


def _worker(mail_folder, **environment):
    return subprocess.Popen(
        [sys.executable, "manage.py", "work", "--interval", "0.1", *environment.pop("args", [])],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": live_database_url(),
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "false",
            "LOG_LEVEL": "CRITICAL",
            "EMAIL_BACKEND": "tests.alliance.mail_servers.SlowFolderMailServer",
            "MAIL_FOLDER": str(mail_folder),
            **environment,
        },
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("Two processes share the database: PostgreSQL (as in CI).")
    recipients = [f"delegate{n}@mission.example" for n in range(12)]
    for address in recipients:
        background.notify(
            template="second_factor_removed",
            recipients=[address],
            context={"user": UserFactory(email=address), "kind": "TOTP", "removed_by": None},
            language="en",
        )
    worker = _worker(tmp_path)
    deadline = time.monotonic() + 60
    while len(list(tmp_path.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)  # no goodbye: as a lost host or an out-of-memory kill
    worker.wait(timeout=10)
    sent_before = {path.name.split(".eml")[0].rsplit(".", 1)[0] for path in tmp_path.iterdir()}
    assert 3 <= len(sent_before) < len(recipients)  # killed in the middle of the batch

    # The worker is back (a supervisor restarts it); its lease is over, so it takes up the task
    # the dead worker held as well as the ones it never reached.
    again = _worker(tmp_path, TASKS_LEASE_SECONDS="0", args=["--batch"])
    assert again.wait(timeout=120) == 0
    sent = [path.name.split(".eml")[0].rsplit(".", 1)[0] for path in tmp_path.iterdir()]
    assert set(sent) == set(recipients)  # every message delivered
    assert len(sent) <= len(recipients) + 1  # at most the one in flight when it died, twice
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_sent_tasks_are_forgotten_after_a_month_and_failed_ones_are_kept(register, settings):
    settings.SECRETARIAT_EMAILS = ["secretariat@alliance.example"]
    _request("first@example.org")
    _request("second@example.org")
    _request("third@example.org")
    deliver()
    old, recent, failed = emails_task().order_by("enqueued_at")
    month_ago = timezone.now() - timezone.timedelta(days=settings.TASKS_KEEP_DAYS, minutes=1)
    DBTaskResult.objects.filter(pk=old.pk).update(finished_at=month_ago)
    DBTaskResult.objects.filter(pk=failed.pk).update(status="FAILED", finished_at=month_ago)
    assert background.forget_old_successes() == 1
    assert set(emails_task().values_list("pk", flat=True)) == {recent.pk, failed.pk}


def test_an_address_the_mail_server_refuses_delays_nobody_else_and_nobody_gets_two_copies(register, settings):
    settings.SECRETARIAT_EMAILS = ["a@alliance.example", "refused@alliance.example", "z@alliance.example"]
    settings.EMAIL_BACKEND = "tests.alliance.mail_servers.RefusingOneAddress"
    _request()
    for _attempt in range(3):
        deliver()
        emails_task().filter(status="READY").update(run_after=timezone.now())
    assert sorted(message.to[0] for message in mail.outbox) == ["a@alliance.example", "z@alliance.example"]
    refused = emails_task().exclude(status="SUCCESSFUL").get()
    assert refused.args_kwargs["kwargs"]["to"] == "refused@alliance.example"
    assert "No such user" in refused.traceback


def test_periodic_jobs_run_between_the_tasks_of_a_long_queue(register, settings):
    from tests.alliance import mail_servers

    settings.PERIODIC_JOBS = [("tests.alliance.mail_servers.note_a_job_run", 0)]
    settings.SECRETARIAT_EMAILS = [f"s{n}@alliance.example" for n in range(5)]
    mail_servers.JOB_RUNS.clear()
    _request()
    background.work(batch=True)
    assert len(mail.outbox) == 5
    assert len(mail_servers.JOB_RUNS) >= 6  # before each of the five tasks, and after them


def test_no_admin_ever_reads_a_link_that_acts_for_someone_else(register, admin_client, anonymous):
    root = UserFactory(email="root@secretariat.example", is_staff=True, is_superuser=True)
    anonymous.post("/en/accounts/password/reset/", {"email": root.email})
    task = DBTaskResult.objects.get(task_path="alliance.background.send_message")
    page = f"/en/admin/django_tasks_database/dbtaskresult/{task.pk}/change/"
    waiting = admin_client.get(page).content.decode()
    assert "Password Reset" in waiting and root.email in waiting  # its subject and recipient
    assert "/password/reset/key/" not in waiting
    deliver()
    assert "/password/reset/key/" in mail.outbox[0].body  # the person got their link
    assert "/password/reset/key/" not in str(DBTaskResult.objects.get(pk=task.pk).args_kwargs)
    assert "/password/reset/key/" not in admin_client.get(page).content.decode()


def test_the_background_work_admin_speaks_the_staff_members_language(register, admin_client):
    _request()
    page = admin_client.get("/fr/admin/django_tasks_database/dbtaskresult/").content.decode()
    assert "Mis en file le" in page and "Terminé le" in page  # django-tasks-db's own column names
    assert "Travail en arrière-plan" in page
