"""Import a historical list of endorsements from a CSV or XLSX file.

    python manage.py import_endorsements LIST.csv
    python manage.py import_endorsements LIST.xlsx --commit --recorded-by secretariat@example.org

Prints what each line would do. Without --commit nothing is written, and the exit status is 1
when a line is wrong. With --commit, the lines to create are recorded in one transaction and the
lines in error are skipped (and listed). Importing the same file again creates nothing.
"""

from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from initiatives.importing import ImportFileError, PreviewRow, commit, preview, read_rows
from members.models import User


class Command(BaseCommand):
    help = "Preview, then with --commit record, the endorsements listed in a CSV or XLSX file."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The list: a .csv or .xlsx file (initiative, state, endorsed_on, source).")
        parser.add_argument("--commit", action="store_true", help="Record the new endorsements; without it, preview.")
        parser.add_argument(
            "--recorded-by",
            dest="recorded_by",
            metavar="EMAIL",
            help="The staff user recording them (with --commit).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        recorded_by = self._staff_user(options["recorded_by"]) if options["recorded_by"] else None
        if options["commit"] and recorded_by is None:
            raise CommandError("--commit needs --recorded-by EMAIL, the staff user who records the endorsements.")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            rows = preview(read_rows(data, path.name))
        except ImportFileError as error:
            raise CommandError(str(error)) from None

        for row in rows:
            self.stdout.write(describe(row))
        outcomes = Counter(row.outcome for row in rows)
        errors = outcomes["error"]
        self.stdout.write(
            f"{outcomes['create']} to create, {outcomes['present']} present, {errors} error{'' if errors == 1 else 's'}"
        )
        if recorded_by is None or not options["commit"]:
            self.stdout.write("Preview only, nothing was written: add --commit to record the endorsements.")
            if errors:
                raise SystemExit(1)
            return
        if errors:
            self.stderr.write(f"{errors} line{'' if errors == 1 else 's'} in error will not be recorded.")
        try:
            created = commit(rows, recorded_by=recorded_by)
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"{created} endorsement{'' if created == 1 else 's'} created."))

    def _staff_user(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user has the email address {email}.")
        if not (user.is_active and user.is_staff):
            raise CommandError(f"{email} is not an active staff user.")
        return user


def describe(row: PreviewRow) -> str:
    """One line of the preview: `line 2: create — France, paris-call, 2019-09-16`."""
    if row.outcome == "error":
        return f"line {row.line}: error — {row.message}"
    assert row.member_state is not None and row.initiative is not None and row.endorsed_on is not None
    what = f"{row.member_state.name}, {row.initiative.slug}, {row.endorsed_on.isoformat()}"
    return f"line {row.line}: {row.outcome} — {what}" + (f" ({row.message})" if row.message else "")
