"""CPU time of the signing request in one process: what the signing app server spends per endorsement.

Each endorsement is a POST through Django's WSGI handler, as gunicorn calls it, with the production
settings (DEBUG off, sessions in Redis, a psycopg pool, CSRF checked over HTTPS behind the proxy),
by a delegate with a second factor and a fresh re-authentication, on an initiative and state pair
never endorsed before; the delegate has loaded the form first, as a signer does. On a shared
machine wrk's figures move with the neighbours' load; the CPU time of this process moves less:

    DATABASE_URL=postgres://…/signing REDIS_URL=redis://…/5 .venv/bin/python benchmarks/signing.py prepare  # once
    DATABASE_URL=postgres://…/signing REDIS_URL=redis://…/5 .venv/bin/python benchmarks/signing.py measure

`prepare` migrates the (throw-away) database, loads the reference data, collects the static files
(the pages name them by their hash) and empties the Redis database. `measure` (any number of
times) signs ENDORSEMENTS (300) endorsements and prints the CPU time per endorsement (the mean, and
the least batch of ten, the median and the mean), the queries one makes, and, from a profile of as
many more, the Python function calls per endorsement (which the machine's load does not move) and
the top of the profile (PROFILE_LINES lines, by cumulative and by own time).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import secrets
import statistics
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.handlers.wsgi import WSGIHandler

ROOT = Path(__file__).resolve().parent.parent
ENDORSEMENTS = int(os.environ.get("ENDORSEMENTS", "300"))
PROFILE_LINES = int(os.environ.get("PROFILE_LINES", "25"))
HOST = "127.0.0.1"
Signer = tuple[str, str, str]  # the form's path, the session key, the CSRF token


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.settings"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(
        DEBUG="false",
        ALLOWED_HOSTS=HOST,
        TRUSTED_PROXY_COUNT="1",
        DATABASE_POOL_SIZE=os.environ.get("DATABASE_POOL_SIZE", "4"),  # as benchmarks/run.py serves the burst
        LOG_LEVEL="ERROR",
    )
    if not os.environ.get("REDIS_URL"):
        raise SystemExit("Set REDIS_URL: production keeps sessions and the register's version in Redis.")
    import django

    django.setup()


def prepare() -> None:
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("load_reference_data", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()


def signers(count: int) -> list[Signer]:
    """`count` delegates, one per state in turn, each signed in with a second factor and just
    re-authenticated, with an initiative their state has not endorsed."""
    import datetime
    from importlib import import_module

    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone

    from initiatives.models import Initiative
    from members.models import Accreditation, MemberState, User

    states = list(MemberState.objects.un_members())
    model = Initiative.objects.get(slug="gender-at-the-centre")  # a seed initiative: its real texts
    run = secrets.token_hex(3)
    slugs = []
    for number in range(-(-count // len(states))):
        model.pk, model.slug = None, f"signing-{run}-{number}"
        model._state.adding = True
        model.save()
        slugs.append(model.slug)
    store = import_module(settings.SESSION_ENGINE).SessionStore
    signed_in = []
    for number in range(count):
        user = User.objects.create_user(email=f"signer.{run}.{number}@example.org", password=None)
        TOTP.activate(user, generate_totp_secret())
        Accreditation.objects.create(
            user=user,
            member_state=states[number % len(states)],
            position="Benchmark",
            evidence="evidence/bench.pdf",
            evidence_type="application/pdf",
            status=Accreditation.Status.APPROVED,
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
        )
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time() + 3600, "reauthenticated": True, "email": user.email}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.create()
        path = f"/en/initiatives/{slugs[number // len(states)]}/endorse/"
        signed_in.append((path, session.session_key, _get_new_csrf_string()))
    return signed_in


def call(handler: WSGIHandler, method: str, path: str, session: str, csrf: str) -> int:
    """One request as gunicorn passes it behind the proxy; the response is closed, as gunicorn
    does, so the connection goes back to the pool."""
    # The reference data's initiatives are at their first text version, which the form carries.
    form = {"authority": "on", "text_version": "1", "csrfmiddlewaretoken": csrf}
    body = urllib.parse.urlencode(form).encode() if method == "POST" else b""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": HOST,
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": HOST,
        "HTTP_HOST": HOST,
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_FOR": "192.0.2.1",
        "HTTP_COOKIE": f"sessionid={session}; csrftoken={csrf}",
        "HTTP_ORIGIN": f"https://{HOST}",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
    }
    status = []

    def start_response(line: str, headers: list[tuple[str, str]], *exc_info: Any) -> Callable[[bytes], object]:
        status.append(line)
        return io.BytesIO().write  # the legacy write(), which Django never calls

    response = handler(environ, start_response)
    for _chunk in response:
        pass
    response.close()
    return int(status[0].split()[0])


def sign(handler: WSGIHandler, signed_in: list[Signer], profile: cProfile.Profile | None = None) -> list[float]:
    """Each delegate loads the form, then signs; the CPU time of each signing POST, in ms."""
    times = []
    for path, session, csrf in signed_in:
        assert call(handler, "GET", path, session, csrf) == 200, path  # noqa: S101 - the script's own check
        if profile:
            profile.enable()
        started = time.process_time()
        status = call(handler, "POST", path, session, csrf)
        times.append((time.process_time() - started) * 1000)
        if profile:
            profile.disable()
        assert status == 302, f"{path}: {status}"  # noqa: S101
    return times


def measure() -> None:
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handler = WSGIHandler()
    sign(handler, signers(5))  # warm: imports, templates, the pool's connections
    times = sign(handler, signers(ENDORSEMENTS))
    # Neighbours on a shared machine slow some stretches of the run: the least batch of ten in a
    # row is the figure to compare, the median and mean say how loaded the machine was.
    least = min(statistics.mean(times[i : i + 10]) for i in range(0, len(times) - 9, 10))
    median, mean = statistics.median(times), statistics.mean(times)
    print(f"CPU per endorsement: {least:.2f} ms (least batch of 10), median {median:.2f}, mean {mean:.2f}")

    ((path, session, csrf),) = signers(1)
    call(handler, "GET", path, session, csrf)
    with CaptureQueriesContext(connection) as queries:
        call(handler, "POST", path, session, csrf)
    print(f"Queries per endorsement: {len(queries)}")
    for query in queries:
        print("   ", query["sql"][:150])

    profile = cProfile.Profile(time.process_time)  # CPU, not the waits on PostgreSQL
    sign(handler, signers(ENDORSEMENTS), profile)
    # The machine's load does not move this one.
    calls = sum(row[1] for row in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]
    print(f"Python function calls per endorsement: {calls / ENDORSEMENTS:.0f}")
    for order in ("cumulative", "tottime") if PROFILE_LINES else ():
        stats = pstats.Stats(profile, stream=sys.stdout)
        stats.sort_stats(order).print_stats(PROFILE_LINES)


if __name__ == "__main__":
    setup()
    if sys.argv[1:] == ["prepare"]:
        prepare()
    elif sys.argv[1:] == ["measure"]:
        measure()
    else:
        raise SystemExit(__doc__)
