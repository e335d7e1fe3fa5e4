"""Mail servers for tests of the worker: one that refuses, and a slow one that writes each
message to a folder (so a test can read what a worker in another process sent)."""

import os
import smtplib
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class RefusingMailServer(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


class SlowFolderMailServer(BaseEmailBackend):
    """Takes 0.2 s per message, then writes it to $MAIL_FOLDER as <recipient>.<n>.eml."""

    def send_messages(self, email_messages):
        folder = Path(os.environ["MAIL_FOLDER"])
        for message in email_messages:
            time.sleep(0.2)
            for n in range(1000):
                path = folder / f"{message.to[0]}.{n}.eml"
                if not path.exists():
                    path.write_bytes(message.message().as_bytes())
                    break
        return len(email_messages)


class RefusingOneAddress(BaseEmailBackend):
    """Refuses refused@… as an SMTP server refuses an unknown mailbox; takes the others."""

    def send_messages(self, email_messages):
        from django.core import mail

        for message in email_messages:
            if any(address.startswith("refused@") for address in message.to):
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
            mail.outbox.append(message)
        return len(email_messages)


JOB_RUNS: list[float] = []


def note_a_job_run():
    """A periodic job for tests: notes when it ran."""
    JOB_RUNS.append(time.monotonic())
