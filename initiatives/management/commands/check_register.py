from typing import Any

from django.core.management.base import BaseCommand

from initiatives import transparency


class Command(BaseCommand):
    help = (
        "Check the register against its transparency log: recompute the tree and every kept checkpoint, and "
        "compare each endorsement and initiative with its latest entry. Exit status 1 when anything differs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = transparency.check_register()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise SystemExit(1)
        transparency.sign_checkpoint()  # only a log that holds is signed
        self.stdout.write(f"The register matches its log: {transparency.size()} entries, every checkpoint verified.")
