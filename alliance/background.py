"""Work done after a request, by the worker (`manage.py work`), from a queue kept in the
register's own database (Django's Tasks API: django-tasks with its database backend).

A write enqueues its emails in its own transaction: a rollback sends nothing, and once it has
committed, the worker sends them even if the web process dies the next moment. A task that
fails is tried again later (`RETRY_DELAYS`, about 27 hours in all, as Standard Webhooks
advises); once those are spent it stays failed, with its error, in the admin, where a
secretariat admin may try it again. A task whose worker died while running it is taken up again
once `TASKS_LEASE_SECONDS` have passed. Delivery is therefore at least once: a worker killed
after the mail server took a message but before it noted so sends that message again.

Besides the queue, the worker runs the periodic jobs in `PERIODIC_JOBS` (each app's own,
idempotent: several workers may run them at once).
"""

from __future__ import annotations

import datetime
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import OperationalError, close_old_connections, models
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task
from django_tasks.signals import task_finished
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)
TaskRecord = DBTaskResult[Any, Any]  # one task's row: its arguments, attempts and last error

# After the first attempt: 5 seconds, 5 minutes, 30 minutes, 2, 5, 10 and 10 hours (27.6 hours).
RETRY_DELAYS = tuple(datetime.timedelta(seconds=seconds) for seconds in (5, 300, 1800, 7200, 18000, 36000, 36000))
ATTEMPTS = 1 + len(RETRY_DELAYS)


def attempts(result: TaskRecord) -> int:
    """How many times a worker has taken the task up (each claim records the worker)."""
    return len(result.worker_ids)


@receiver(task_finished, dispatch_uid="alliance.background.retry_later")
def retry_later(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A failed task waits for its next attempt; after the last one it stays failed."""
    if task_result.status != TaskResultStatus.FAILED or len(task_result.worker_ids) >= ATTEMPTS:
        return
    delay = RETRY_DELAYS[len(task_result.worker_ids) - 1]
    try:
        DBTaskResult.objects.filter(pk=task_result.id, status=TaskResultStatus.FAILED).update(
            status=TaskResultStatus.READY, run_after=timezone.now() + delay, finished_at=None
        )
    except Exception:  # the worker must go on; the task stays failed and visible
        logger.exception("Could not schedule task %s for another attempt.", task_result.id)


# Tasks with records of their own, which their own admin tries again (webhook deliveries).
RETRIED_ELSEWHERE = ("webhooks.deliveries.deliver_webhook",)


def retry_now(results: models.QuerySet[TaskRecord]) -> int:
    """Give failed tasks one more attempt at once (a secretariat admin's action)."""
    return (
        results.filter(status=TaskResultStatus.FAILED)
        .exclude(task_path__in=RETRIED_ELSEWHERE)
        .update(status=TaskResultStatus.READY, run_after=get_date_max(), finished_at=None)
    )


@receiver(task_finished, dispatch_uid="alliance.background.forget_sent_bodies")
def forget_sent_bodies(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A message sent as it was written keeps its recipients and subject, never its body."""
    if task_result.status != TaskResultStatus.SUCCESSFUL or task_result.task.func is not send_message.func:
        return
    (message,) = task_result.args
    kept = {"to": message["to"], "subject": message["subject"]}
    try:
        DBTaskResult.objects.filter(pk=task_result.id).update(args_kwargs={"args": [kept], "kwargs": {}})
    except Exception:  # the message has gone; the worker goes on
        logger.exception("Could not forget the body of the sent message %s.", task_result.id)


def take_up_abandoned() -> int:
    """Tasks whose worker died while running them (killed, or its host lost) run again."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.TASKS_LEASE_SECONDS)
    taken = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY, run_after=get_date_max()
    )
    if taken:
        logger.warning("%d task(s) abandoned by a worker will run again.", taken)
    return taken


def forget_old_successes() -> int:
    """Tasks done more than `TASKS_KEEP_DAYS` ago are deleted (their arguments hold addresses);
    failed ones stay until someone acts on them."""
    cutoff = timezone.now() - datetime.timedelta(days=settings.TASKS_KEEP_DAYS)
    deleted, _by_model = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    return deleted


# --- Emails ----------------------------------------------------------------------------------


def notify(*, template: str, recipients: Any, context: dict[str, Any], language: str | None = None) -> None:
    """Enqueue `templates/emails/<template>_subject.txt` and `_body.txt` for each recipient, in
    `language` (the active one by default), in the caller's transaction.

    One task per recipient: each is tried again on its own, so an address the mail server
    refuses delays nobody else, and nobody gets a copy twice because another was refused. Model
    instances in `context` travel as references and are read again when the worker renders the
    message."""
    references = {name: _reference(value) for name, value in context.items()}
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    for address in sorted({address for address in recipients if address}):
        send_email.enqueue(template=template, to=address, context=references, language=language)


def _reference(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"model": value._meta.label_lower, "pk": value.pk}
    return value


class _Gone(Exception):
    pass


def _dereference(value: Any) -> Any:
    if isinstance(value, dict) and value.keys() == {"model", "pk"}:
        try:
            return apps.get_model(value["model"])._default_manager.get(pk=value["pk"])
        except models.ObjectDoesNotExist:
            raise _Gone(value) from None
    return value


@task()
def send_email(*, template: str, to: str, context: dict[str, Any], language: str) -> int:
    """The message to one recipient (delegates of a state need not see each other's addresses)."""
    try:
        values = {name: _dereference(value) for name, value in context.items()}
    except _Gone as gone:  # deleted since: the message has nothing left to say
        logger.warning("The %s email was not sent: %s no longer exists.", template, gone)
        return 0
    values["site_url"] = settings.SITE_URL
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", values).split())
        subject = str(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX) + subject
        body = render_to_string(f"emails/{template}_body.txt", values)
    return send_messages([EmailMessage(subject, body, None, [to])])


@task()
def send_message(message: dict[str, Any]) -> int:
    """A message written in the request (allauth's, with its links), sent as it was written.

    Its body may hold a link that acts for its reader (choosing a password, confirming an
    address): once sent, the body is deleted from the task (`forget_sent_bodies`), and the admin
    never shows it."""
    email = EmailMessage(
        message["subject"], message["body"], message["from_email"], message["to"], headers=message["headers"]
    )
    email.content_subtype = message["content_subtype"]
    if message["alternatives"]:
        email = _with_alternatives(email, message["alternatives"])
    return send_messages([email])


def message_as_data(message: EmailMessage) -> dict[str, Any]:
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
    }


def _with_alternatives(email: EmailMessage, alternatives: list[list[str]]) -> EmailMessage:
    multi = EmailMultiAlternatives(email.subject, email.body, email.from_email, email.to, headers=email.extra_headers)
    for content, mimetype in alternatives:
        multi.attach_alternative(content, mimetype)
    return multi


def send_messages(messages: list[EmailMessage]) -> int:
    """Hand messages to the mail server over one connection; a failure raises, so the task is
    tried again later."""
    with get_connection(fail_silently=False) as connection:
        return int(connection.send_messages(messages) or 0)


# --- The worker ------------------------------------------------------------------------------


@dataclass
class Periodic:
    """A job the worker runs every `every` seconds (a dotted path to a function of no argument)."""

    path: str
    every: float
    last_run: float = field(default=float("-inf"))

    def run_if_due(self, now: float) -> None:
        if now - self.last_run < self.every:
            return
        self.last_run = now
        try:
            import_string(self.path)()
        except Exception:  # one failing job must not stop the others, nor the queue
            logger.exception("The periodic job %s failed; it runs again in %s s.", self.path, self.every)


def periodic_jobs() -> list[Periodic]:
    return [Periodic(path, every) for path, every in settings.PERIODIC_JOBS]


def work(*, batch: bool = False, interval: float = 1.0, worker_id: str | None = None) -> None:
    """Run the periodic jobs, then every task that is due; again and again, or until a pass
    finds nothing to do (`batch`: then the tasks that jobs and tasks enqueued are done too).

    SIGTERM or SIGINT lets the running task finish, then stops; a second one stops at once."""
    worker = Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id or get_random_string(32),
        excluded_queue_names=[],
    )
    if not batch:
        worker.configure_signals()
    jobs = periodic_jobs()
    while worker.running:
        if not batch:
            close_old_connections()  # as between requests: a lost database connection is replaced
        ran = _run_due_tasks(worker, jobs)
        if batch:
            if not ran:
                return
            for job in jobs:  # a task may have left work for a job
                job.last_run = float("-inf")
        elif not ran:
            time.sleep(interval)


def _run_due_tasks(worker: Worker, jobs: list[Periodic]) -> int:
    """Every task that is due, with the periodic jobs that fall due run between them (a long
    queue never holds up the checkpoint, the fan-outs or the recovery of abandoned tasks)."""
    ran = 0
    while worker.running:
        now = time.monotonic()
        for job in jobs:
            job.run_if_due(now)
        try:
            with exclusive_transaction():
                result = DBTaskResult.objects.ready().get_locked()
                if result is not None:
                    result.claim(worker.worker_id)  # no other worker runs it now
        except OperationalError as error:
            if not is_locked_database_exception(error):  # SQLite busy: try again on the next pass
                raise
            result = None
        if result is None:
            return ran
        worker.run_task(result)
        ran += 1
    return ran
