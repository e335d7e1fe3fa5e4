"""Save the public pages in every language, to compare a change of rendering byte for byte.

Run against a database prepared once (migrated, `load_reference_data`, then `pages.py prepare`),
before and after the change, and compare the two folders (`diff -r`):

    DATABASE_URL=postgres://…/pages .venv/bin/python benchmarks/pages.py prepare
    DATABASE_URL=postgres://…/pages .venv/bin/python benchmarks/pages.py save var/pages-before
    … change the code …
    DATABASE_URL=postgres://…/pages .venv/bin/python benchmarks/pages.py save var/pages-after
    diff -r var/pages-before var/pages-after

Each page is saved as rendered from the database, then checked against the copy the page cache
serves and against a render on another host (the page cache missed, the cached fragments read).
Not a test: the data (receipt references) are random at each `load_reference_data`.
"""

from __future__ import annotations

import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ["en", "fr", "es", "ar", "zh-hans", "ru"]
PATHS = [
    "",
    "initiatives/",
    "initiatives/paris-call/",  # 81 endorsements, a withdrawal (prepare)
    "initiatives/humanitarian-call-for-action/",  # states and the EU
    "initiatives/gender-at-the-centre/",  # none recorded
    "initiatives/information-and-democracy/",
    "initiatives/lethal-autonomous-weapons/",  # reported figures only
    "initiatives/paris-call/?as_of=2020-06-30",
    "states/",
    "states/fra/",
    "states/nor/?as_of=2020-06-30",
    "events/",
    "about/",
    "corrections/",
    "embed/initiatives/paris-call/",
]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    os.environ.setdefault("SECRET_KEY", "pages")
    os.environ["ALLOWED_HOSTS"] = "testserver,other.example"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.pop("REDIS_URL", None)  # local memory: nothing shared with a server
    import django

    django.setup()


def prepare() -> None:
    """A withdrawal and a correction, so that their tables are on the pages."""
    from initiatives.endorsing import correct_endorsement, record_withdrawal
    from initiatives.models import DatePrecision, Endorsement, Initiative
    from members.models import MemberState, User

    staff = User.objects.create_user(email="pages@example.org", is_staff=True)
    record_withdrawal(
        initiative=Initiative.objects.get(slug="paris-call"),
        member_state=MemberState.objects.get(code="NOR"),
        withdrawn_on=datetime.date(2022, 5, 4),
        recorded_by=staff,
        reason="Superseded by a national plan.",
    )
    row = Endorsement.objects.get(initiative__slug="paris-call", member_state__code="FRA")
    correct_endorsement(
        endorsement=row,
        corrected_by=staff,
        reason="Typo.",
        endorsed_on=row.endorsed_on,
        date_precision=DatePrecision(row.date_precision),
        source_url=row.source_url,
        source_note="Note verbale",
    )


def save(folder: Path) -> None:
    from django.core.cache import cache
    from django.test import Client

    folder.mkdir(parents=True, exist_ok=True)
    cache.clear()
    client = Client()
    for language in LANGUAGES:
        for path in PATHS:
            address = f"/{language}/{path}"
            first = client.get(address)
            assert first.status_code == 200, (address, first.status_code)
            again = client.get(address)
            assert again.content == first.content, f"{address}: the cached copy differs"
            other = client.get(address, headers={"host": "other.example"})
            assert other.content.replace(b"http://other.example", b"http://testserver") == first.content, (
                f"{address}: a render with the cached fragments differs"
            )
            name = f"{language}_{path.replace('/', '_').replace('?', '_') or 'home'}.html"
            (folder / name).write_bytes(first.content)
    print(f"{len(LANGUAGES) * len(PATHS)} pages saved in {folder}")


if __name__ == "__main__":
    setup()
    if sys.argv[1:] == ["prepare"]:
        prepare()
    elif len(sys.argv) == 3 and sys.argv[1] == "save":
        save(Path(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
