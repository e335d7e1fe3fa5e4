"""Mail servers for tests of the worker: one that refuses, and a slow one that writes each
message to a folder (so a test can read what a worker in another process sent)."""

import os
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
