from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from initiatives.reference_data import update_reference_data


class Command(BaseCommand):
    help = (
        "List what differs between reference/ and the register; with --apply, bring the files' changes in "
        "through the register's rules (the audit trail records each). Without --apply nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--apply", action="store_true", help="write the changes (default: only list them)")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = update_reference_data(apply=options["apply"])
        for line in plan.differences:
            self.stdout.write(line)
        if not plan.differences:
            self.stdout.write("The register holds the reference data as the files have it.")
        elif not options["apply"]:
            self.stdout.write("Nothing was written: run again with --apply to make these changes.")
