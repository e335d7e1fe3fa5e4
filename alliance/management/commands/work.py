"""`manage.py work`: the register's background worker (emails, notices, webhooks, reminders)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alliance.background import work


class Command(BaseCommand):
    help = "Send the register's emails and notices, deliver its webhooks and run its periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch", action="store_true", help="Do everything that is due, then stop (for cron or a test)."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when nothing is due (default 1)."
        )
        parser.add_argument("--worker-id", help="A name unique among the workers (default: a random one).")

    def handle(
        self, *args: Any, batch: bool, interval: float, worker_id: str | None, verbosity: int, **options: Any
    ) -> None:
        if verbosity > 1:
            logging.getLogger("django_tasks").setLevel(logging.DEBUG)
        work(batch=batch, interval=max(interval, 0.05), worker_id=worker_id)
