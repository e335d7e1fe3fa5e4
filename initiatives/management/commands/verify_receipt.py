"""Check a signed endorsement receipt offline, or print the register's public key.

    python manage.py verify_receipt RECEIPT.json --public-key KEY.pem
    python manage.py verify_receipt --print-public-key > KEY.pem

Verification reads only the two files: it needs neither the database nor the network.
Exit status 0 for a valid receipt, 1 for anything else.
"""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError

from initiatives.receipts import public_key_pem, verify_receipt


class Command(BaseCommand):
    help = "Check a signed endorsement receipt (JSON) against a public key (PEM), offline."
    requires_system_checks = []  # offline: no database, no checks

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("receipt", nargs="?", help="The receipt, a JSON file.")
        parser.add_argument("--public-key", dest="public_key", help="The register's public key, a PEM file.")
        parser.add_argument(
            "--print-public-key", action="store_true", help="Print this register's public key (PEM) and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_public_key"]:
            self.stdout.write(public_key_pem(), ending="")
            return
        if not options["receipt"] or not options["public_key"]:
            raise CommandError("Give a RECEIPT.json file and --public-key KEY.pem, or --print-public-key.")
        try:
            document = json.loads(Path(options["receipt"]).read_text(encoding="utf-8"))
        except (OSError, UnicodeError, ValueError) as error:
            self._invalid(f"cannot read the receipt: {error}")
        try:
            pem = Path(options["public_key"]).read_text(encoding="utf-8")
        except (OSError, UnicodeError) as error:
            self._invalid(f"cannot read the public key: {error}")
        if not isinstance(document, dict) or not verify_receipt(document, pem):
            self._invalid("the signature does not match this receipt and public key.")
        receipt = document["receipt"]
        state = receipt.get("state") if isinstance(receipt.get("state"), dict) else {}
        initiative = receipt.get("initiative") if isinstance(receipt.get("initiative"), dict) else {}
        self.stdout.write(f"valid: {receipt.get('reference')} ({state.get('code')}, {initiative.get('slug')})")

    def _invalid(self, reason: str) -> NoReturn:
        self.stderr.write(f"INVALID: {reason}")
        raise SystemExit(1)
