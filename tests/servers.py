"""Real gunicorn processes on loopback, for tests of what crosses process boundaries."""

import functools
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_database_url(port: int | None = None) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "LOG_LEVEL": "CRITICAL",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


@functools.cache
def _collect_static(database_url: str) -> None:
    # The production storage serves hashed files from a manifest that collectstatic writes.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=_environment(database_url),
        check=True,
    )


def start_server(database_url: str) -> tuple[subprocess.Popen, str]:
    """A production-like server (one process, two threads) on a free port; returns it and its base URL."""
    _collect_static(live_database_url())
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "alliance.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "2"],
        cwd=settings.BASE_DIR,
        env=_environment(database_url),
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/language/en/", timeout=1)  # noqa: S310 - needs no database
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.1)
    return server, base


def stop(*servers: subprocess.Popen) -> None:
    for server in servers:
        server.terminate()
        server.wait(timeout=10)
