"""CPU time of rendering the public pages in one process, the least of many renders.

On a shared machine wrk's figures move with the neighbours' load; the least CPU time a render
takes in the server's own thread does not, so this compares two versions of the code more
closely (each through Django's test client, on PostgreSQL, with the local-memory cache):

    DATABASE_URL=postgres://…/render .venv/bin/python benchmarks/render.py prepare   # once
    DATABASE_URL=postgres://…/render .venv/bin/python benchmarks/render.py measure

`prepare` expects a migrated database with the reference data, and records every UN member
state as endorsing gender-at-the-centre (193 endorsements).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERS = int(os.environ.get("RENDERS", "150"))
PAGE = "/{language}/initiatives/gender-at-the-centre/"


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    os.environ.setdefault("SECRET_KEY", "render")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def prepare() -> None:
    from initiatives.endorsing import record_endorsement
    from initiatives.models import Initiative
    from members.models import MemberState, User

    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    staff = User.objects.create_user(email="render@example.org", is_staff=True)
    for state in MemberState.objects.un_members():
        record_endorsement(
            initiative=initiative,
            member_state=state,
            endorsed_on=initiative.signing_opens_on or datetime.date(2019, 9, 26),
            recorded_by=staff,
            source_note="Note verbale",
            announce=False,
        )


def least_cpu_ms(address: str, *, fresh: bool) -> float:
    """The least CPU time of RENDERS renders of `address` (with `fresh`, a new query string each)."""
    from django.test import Client

    client = Client()
    client.get(address + ("&" if "?" in address else "?") + "warm=1")
    least = float("inf")
    for number in range(RENDERS):
        started = time.thread_time()
        response = client.get(address + ("&" if "?" in address else "?") + f"n={number}" if fresh else address)
        least = min(least, time.thread_time() - started)
        assert response.status_code == 200, address
    return least * 1000


def measure() -> None:
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    lines = {
        "initiative page, 193 endorsements, page cache missed (?n=…)": (PAGE.format(language="en"), ""),
        "initiative page, 193 endorsements, nothing cached (?as_of=today)": (PAGE.format(language="en"), today),
        "the same in Chinese (pinyin sort), nothing cached": (PAGE.format(language="zh-hans"), today),
        "home page, page cache missed (?n=…)": ("/en/", ""),
    }
    for name, (address, as_of) in lines.items():
        ms = least_cpu_ms(address + (f"?as_of={as_of}" if as_of else ""), fresh=True)
        print(f"{name:68} {ms:6.2f} ms")


if __name__ == "__main__":
    setup()
    if sys.argv[1:] == ["prepare"]:
        prepare()
    elif sys.argv[1:] == ["measure"]:
        measure()
    else:
        raise SystemExit(__doc__)
