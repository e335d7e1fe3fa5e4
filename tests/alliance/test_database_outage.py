"""With PostgreSQL out of reach, a server answers 503 quickly, cached pages keep answering, /healthz says so."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from initiatives.reference_data import load_reference_data
from tests.alliance.test_scale_out import free_port


def start(database_url: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "CRITICAL",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "alliance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/language/en/", timeout=1)  # noqa: S310 - a page that needs no database
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def fetch(url: str) -> tuple[int, dict[str, str], str, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(), time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_without_its_database_the_register_degrades_gracefully():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    load_reference_data()
    db = connection.settings_dict
    healthy, healthy_base = start(
        f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    # The same database server, on a port where nothing listens: PostgreSQL is down for this process.
    cut_off, cut_off_base = start(f"postgresql://{db['USER']}@127.0.0.1:{free_port()}/{db['NAME']}")
    try:
        page = "/fr/initiatives/paris-call/"
        assert fetch(healthy_base + page)[0] == 200  # now in the shared cache

        status, _headers, body, _seconds = fetch(cut_off_base + page)
        assert status == 200
        assert "Appel de Paris" in body

        status, headers, body, seconds = fetch(cut_off_base + "/fr/states/fra/")
        assert status == 503
        assert headers["Retry-After"] == "30"
        assert "Le registre est momentanément indisponible" in body
        assert "Traceback" not in body
        assert seconds < 1

        status, _headers, body, _seconds = fetch(cut_off_base + "/healthz")
        assert status == 503
        assert '"database": "down"' in body
    finally:
        for server in (healthy, cut_off):
            server.terminate()
            server.wait(timeout=10)
