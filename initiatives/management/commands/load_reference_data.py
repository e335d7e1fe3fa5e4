from typing import Any

from django.core.management.base import BaseCommand

from initiatives.reference_data import load_reference_data


class Command(BaseCommand):
    help = (
        "Seed the register with reference/ (states, initiatives, events, listed endorsements): create what it "
        "lacks, change nothing that exists. `update_reference_data` brings changed files in."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        tally = load_reference_data()
        for key in sorted(tally):
            self.stdout.write(f"{key}: {tally[key]}")
