"""Real gunicorn processes on loopback, for tests of what crosses process boundaries."""

import functools
import http.cookiejar
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

PUBLIC_HOST = "register.example"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def live_database_url(port: int | None = None) -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def _environment(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": settings.SECRET_KEY,
        # Behind the proxy every app server sees the public host name.
        "ALLOWED_HOSTS": f"127.0.0.1,{PUBLIC_HOST}",
        # Plain HTTP on loopback: the tests' cookie jars must send the session and CSRF cookies back.
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "DEBUG": "false",
        "LOG_LEVEL": "CRITICAL",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **extra,
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


def start_server(database_url: str, **environment: str) -> tuple[subprocess.Popen, str]:
    """A production-like server (one process, two threads) on a free port; returns it and its base URL.

    `environment` adds settings, e.g. TRUSTED_PROXY_COUNT="1" behind a proxy."""
    _collect_static(live_database_url())
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "alliance.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "2"],
        cwd=settings.BASE_DIR,
        env=_environment(database_url, **environment),
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


class Browser:
    """A reader with its cookies, talking to one server as the proxy would (with the public Host).

    Two browsers given one cookie jar are one person whose requests the proxy sends to either server.
    """

    def __init__(
        self,
        base: str,
        cookies: http.cookiejar.CookieJar | None = None,
        *,
        certificate: Path | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.base = base
        self.headers = {"Host": PUBLIC_HOST, **(headers or {})}
        jar = cookies if cookies is not None else http.cookiejar.CookieJar()
        handlers: list[urllib.request.BaseHandler] = [urllib.request.HTTPCookieProcessor(jar)]
        if certificate:  # the proxy's own certificate: HTTPS as a reader's browser would speak it
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=certificate)))
        self.opener = urllib.request.build_opener(*handlers)

    def get(self, path: str) -> str:
        request = urllib.request.Request(self.base + path, headers=self.headers)  # noqa: S310
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()

    def submit(self, path: str, fields: dict[str, str]) -> str:
        """Load the page's form and post it with the fields, as a person pressing its button would."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path))
        assert token is not None
        body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)})
        scheme = self.base.split(":")[0]
        request = urllib.request.Request(  # noqa: S310 - loopback only
            self.base + path,
            data=body.encode(),
            headers={**self.headers, "Origin": f"{scheme}://{PUBLIC_HOST}"},  # checked by CSRF over HTTPS
        )
        with self.opener.open(request, timeout=10) as response:
            return response.read().decode()

    def sign_in(self, email: str, password: str) -> str:
        return self.submit("/en/accounts/login/", {"login": email, "password": password})


class Relay:
    """A TCP relay from a loopback port to PostgreSQL: while it runs, a server pointed at the port
    has a database; before it starts, that server's database is down."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.listener = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        target = (connection.settings_dict["HOST"] or "127.0.0.1", int(connection.settings_dict["PORT"] or 5432))
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            sink.close()

    def close(self) -> None:
        self.listener.close()
