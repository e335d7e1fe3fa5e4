"""`make backup` then `make restore` into a new database gives back the same register."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from initiatives.endorsing import record_endorsement
from initiatives.models import Initiative
from initiatives.reference_data import load_reference_data
from members.models import MemberState
from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
TABLES = [
    "members_memberstate",
    "members_user",
    "initiatives_initiative",
    "initiatives_endorsement",
    "initiatives_historicalendorsement",
    "auth_group_permissions",
]


def url(name: str) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def rows(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in TABLES}  # noqa: S608


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_a_new_database_identical(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("make backup and make restore work on PostgreSQL (CI runs this test there).")
    load_reference_data()
    record_endorsement(
        initiative=Initiative.objects.get(slug="climate-and-security"),
        member_state=MemberState.objects.get(code="NRU"),
        endorsed_on=Initiative.objects.get(slug="climate-and-security").signing_opens_on,
        recorded_by=UserFactory(is_staff=True),
        source_note="Note verbale — test « UTF-8 » 多边",
        statement="نص البيان",
    )
    source = url(connection.settings_dict["NAME"])
    target_name = f"{connection.settings_dict['NAME']}_restored"
    env = {**os.environ, "BACKUP_DIR": str(tmp_path)}

    backup = subprocess.run(
        ["make", "--no-print-directory", "backup"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": source},
        capture_output=True,
        text=True,
        check=True,
    )
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.stat().st_size > 10_000

    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
        admin.execute(f'CREATE DATABASE "{target_name}"')
    cache.set("a page rendered after the backup", "stale")
    try:
        subprocess.run(
            ["make", "--no-print-directory", "restore", f"FILE={dump}"],
            cwd=ROOT,
            env={**env, "DATABASE_URL": url(target_name)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert rows(url(target_name)) == rows(source)
        if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):  # a cache shared with `make restore`
            assert cache.get("a page rendered after the backup") is None  # the shared cache was emptied
    finally:
        with psycopg.connect(url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target_name}"')
