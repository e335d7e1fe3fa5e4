from typing import Any

from django.core.cache import cache
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Empty the shared cache (cached pages, copies of sessions, rate-limit counters). After a "
        "restore it describes a register that no longer exists; sessions are read again from the database."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        cache.clear()
        self.stdout.write("The shared cache is empty.")
