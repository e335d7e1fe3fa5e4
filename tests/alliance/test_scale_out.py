"""Two server processes sharing PostgreSQL and Redis: a cache invalidation holds across both."""

import http.cookiejar
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from initiatives.endorsing import record_endorsement
from initiatives.models import Initiative
from initiatives.reference_data import load_reference_data
from members.models import MemberState
from tests.factories import UserFactory

ENDORSER = '<th scope="row"><a href="/en/states/nor/">Norway</a></th>'


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Browser:
    """A client with its own cookies, talking to one server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.read().decode()


@pytest.fixture
def two_servers(transactional_db):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    load_reference_data()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    servers = [
        subprocess.Popen(
            [gunicorn, "alliance.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
            cwd=settings.BASE_DIR,
            env=env,
        )
        for port in ports
    ]
    try:
        for port in ports:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                    break
                except OSError:
                    time.sleep(0.1)
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


def test_a_change_made_anywhere_reaches_the_cached_pages_of_every_server(two_servers):
    first, second = (Browser(base) for base in two_servers)
    path = "/en/initiatives/gender-at-the-centre/"
    assert ENDORSER not in first.get(path)
    assert ENDORSER not in second.get(path)  # both now hold the page in the shared cache

    initiative = Initiative.objects.get(slug="gender-at-the-centre")
    record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code="NOR"),
        endorsed_on=initiative.signing_opens_on,
        recorded_by=UserFactory(is_staff=True),
        source_note="Note verbale",
    )
    assert ENDORSER in second.get(path)
    assert ENDORSER in first.get(path)
