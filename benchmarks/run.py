"""Load the production deployment on loopback and print throughput and latency, as ratios to a baseline.

Run: `DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/run.py`
(the URL names a server where a throw-away database `alliance_bench` is created). Needs wrk and nginx
(`apt-get install wrk nginx-light`) and Redis on 127.0.0.1:6379. Not a test: it prints figures for a
person to read.

Every request goes through the deployment's proxy (deploy/nginx.conf, HTTPS) to the app servers:
one gunicorn for pages and one for endorsing and withdrawing (one thread per process), as the README
deploys them.
`BENCH_POOLS=1` sends everything to one gunicorn instead, for comparison.
"""

from __future__ import annotations

import http.client
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8899"))  # the proxy; the app servers and plain HTTP take the next three
BASE = f"https://127.0.0.1:{PORT}"
POOLS = int(os.environ.get("BENCH_POOLS", "2"))
DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
SLUG = "gender-at-the-centre"
BURST_ONLY = os.environ.get("BENCH_ONLY") == "burst"
POOL_SIZE = os.environ.get("DATABASE_POOL_SIZE", "4")  # the baseline and the signing burst only
MAIL_FOLDER = ROOT / "var" / "bench-mail"  # the worker's emails, a file per task
SUBSCRIBERS = int(os.environ.get("BENCH_SUBSCRIBERS", "1000"))  # follow every endorsement by email
ENDPOINTS = int(os.environ.get("BENCH_ENDPOINTS", "5"))  # partner systems told of each endorsement
RECEIVER = f"http://127.0.0.1:{PORT + 4}"  # their webhook endpoints, served by this script
DATABASE = os.environ.get("BENCH_DATABASE", "alliance_bench")  # dropped and created again


def database_urls() -> tuple[str, str]:
    server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urllib.parse.urlsplit(server)
    return server, urllib.parse.urlunsplit(parts._replace(path=f"/{DATABASE}"))


def environment(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", secrets.token_urlsafe(50)),
        "DATABASE_URL": database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13"),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SITE_URL": BASE,  # the address readers ask for: pages are cached under it (alliance.caching)
        "TRUSTED_PROXY_COUNT": "1",  # behind the proxy, as deploy/nginx.conf says
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",  # 409s (already endorsed) are expected in the 4 × burst
        # Each process's threads borrow from a bounded pool: at most processes × POOL_SIZE connections.
        "DATABASE_POOL_SIZE": POOL_SIZE,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(MAIL_FOLDER),
        "WEBHOOKS_ALLOW_LOOPBACK": "true",  # the partners' endpoints are this script, on loopback
    }


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def prepare(server: str, env: dict[str, str]) -> list[tuple[str, str]]:
    """A fresh database with the reference data, 193 accredited delegates with a second factor,
    and the signed-in sessions they will endorse with. Returns (session key, CSRF token) pairs."""
    import psycopg
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    shutil.rmtree(MAIL_FOLDER, ignore_errors=True)
    MAIL_FOLDER.mkdir(parents=True)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "load_reference_data")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    numbers = f"SUBSCRIBERS = {SUBSCRIBERS}\nENDPOINTS = {ENDPOINTS}\nRECEIVER = {RECEIVER!r}\n"
    out = manage(env, "shell", "-c", numbers + SETUP_DELEGATES)
    for line in out.split("\n"):
        if line.startswith("endpoint "):
            _word, number, secret = line.split()
            Receiver.secrets[number] = secret
    return [tuple(line.split()) for line in out.split("\n") if line.count(" ") == 1]  # type: ignore[misc]


# Runs inside `manage.py shell`: one delegate per UN member state, signed in and just re-authenticated.
SETUP_DELEGATES = """
import time, datetime
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, BACKEND_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.base import ContentFile
from django.middleware.csrf import _get_new_csrf_string
from members.models import Accreditation, MemberState, User
for state in MemberState.objects.un_members():
    user = User.objects.create_user(email=f"bench.{state.code.lower()}@example.org", password=None)
    TOTP.activate(user, generate_totp_secret())
    Accreditation.objects.create(user=user, member_state=state, position="Benchmark",
        evidence=ContentFile(b"%PDF-1.4 benchmark", name="bench.pdf"), evidence_type="application/pdf",
        status="approved", valid_until=datetime.date.today() + datetime.timedelta(days=30))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time() + 3600, "reauthenticated": True, "email": user.email}]
    session["account_authentication_methods_user"] = str(user.pk)
    session.create()
    print(session.session_key, _get_new_csrf_string())
# Readers who follow every endorsement by email, confirmed, in the six languages.
from django.db.models import Max
from django.utils import timezone
from initiatives.models import LogEntry
from subscriptions.models import Subscription
last = LogEntry.objects.aggregate(last=Max("index"))["last"]
languages = ["en", "fr", "es", "ar", "zh-hans", "ru"]
Subscription.objects.bulk_create(
    Subscription(email=f"reader{n}@example.org", frequency="immediate", language=languages[n % 6],
                 confirmed_at=timezone.now(), cursor=last)
    for n in range(SUBSCRIBERS)
)
# Partner systems with a webhook endpoint each, on the benchmark's own receiver.
from webhooks.endpoints import register_endpoint
for n in range(ENDPOINTS):
    endpoint = register_endpoint(url=f"{RECEIVER}/hooks/{n}", events=["endorsement.recorded"],
                                 owner_email=f"partner{n}@example.org", created_by=None)
    print("endpoint", n, endpoint.secret)
"""


def wrk(path: str, *, script: str | None = None, seconds: str = DURATION) -> dict[str, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if script:
        command += ["-s", str(ROOT / "benchmarks" / script)]
    out = subprocess.run([*command, BASE + path], check=True, capture_output=True, text=True).stdout
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out).group(1)),  # type: ignore[union-attr]
        "errors": float(sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))),
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


class Signer:
    """A delegate who has just loaded the endorsement form, so their browser holds an open HTTPS
    connection to the register, and who presses the button when the burst starts."""

    def __init__(self, session: str, csrf: str, slug: str, context: ssl.SSLContext) -> None:
        self.csrf, self.path = csrf, f"/en/initiatives/{slug}/endorse/"
        self.cookie = f"sessionid={session}; csrftoken={csrf}"
        self.connection = http.client.HTTPSConnection("127.0.0.1", PORT, context=context, timeout=120)
        self.connection.request("GET", self.path, headers={"Cookie": self.cookie})
        form = self.connection.getresponse()
        page = form.read().decode()
        read = re.search(r'name="text_version" value="(\d+)"', page)  # the version the delegate endorses
        self.text_version = read.group(1) if read else ""
        # 409: the form says the state is already listed (some in the 4 × burst); the POST will say so too.
        assert form.status in (200, 409), f"{self.path}: {form.status}"  # noqa: S101 - the benchmark's own check

    def endorse(self) -> tuple[int, float]:
        body = urllib.parse.urlencode(
            {"authority": "on", "text_version": self.text_version, "csrfmiddlewaretoken": self.csrf}
        )
        headers = {
            "Cookie": self.cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": BASE,  # Django's CSRF check compares it with the host over HTTPS
        }
        started = time.perf_counter()
        try:
            self.connection.request("POST", self.path, body, headers)
            status = self.connection.getresponse().status
        except OSError:
            status = 599  # the connection failed: counted as an error
        finally:
            self.connection.close()
        return status, (time.perf_counter() - started) * 1000


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) of a process and its children so far: gunicorn's workers."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process has just ended
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    from deploy.proxy import Proxy

    server, database = database_urls()
    env = environment(database)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", PORT + 4), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, {os.uname().release}; app server pools: {POOLS}")
    sessions = prepare(server, env)
    addresses = [f"127.0.0.1:{PORT + 1 + pool}" for pool in range(POOLS)]
    servers = [
        subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "alliance.wsgi", "--bind", address]
            + ["--log-level", "warning"],
            cwd=ROOT,
            # The signing servers run one thread per process, as the README deploys them.
            env={**env, "GUNICORN_THREADS": "1"} if address == addresses[-1] and POOLS == 2 else env,
        )
        for address in addresses
    ]
    proxy = Proxy(
        port=PORT,
        http_port=PORT + 3,
        app_servers=addresses[:1],
        signing_servers=addresses[-1:],
        server_name="127.0.0.1",
        render_rate="100000r/s",  # the "cold cache" lines send every request with a query string
    )
    # One worker sends the emails (to files under var/bench-mail), notices and webhooks.
    worker = subprocess.Popen([sys.executable, "manage.py", "work", "--interval", "0.2"], cwd=ROOT, env=env)
    context = ssl.create_default_context(cafile=proxy.certificate)
    urllib.request.install_opener(urllib.request.build_opener(urllib.request.HTTPSHandler(context=context)))
    try:
        _wait_for_server()
        report(sessions, database, context, signing_server=servers[-1].pid, worker=worker.pid)
    finally:
        proxy.stop()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        for gunicorn in servers:
            gunicorn.send_signal(signal.SIGTERM)
            gunicorn.wait(timeout=10)


def _wait_for_server() -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/healthz", timeout=1)  # noqa: S310 - loopback only
            return
        except urllib.error.HTTPError:
            time.sleep(0.1)  # 502 from the proxy: the app server is still starting
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def report(
    sessions: list[tuple[str, str]], database: str, context: ssl.SSLContext, *, signing_server: int, worker: int
) -> None:
    for path in ("/bench/baseline", "/en/", "/en/initiatives/paris-call/", f"/en/initiatives/{SLUG}/"):
        wrk(path, seconds="2")  # warm up: imports, connections and caches, not measured
    # Each line is compared with the baseline measured just before and just after it (their mean): on
    # a shared machine the speed drifts within a run, by up to a third, in either direction.
    baselines: list[dict[str, float]] = []
    rows: dict[str, tuple[dict[str, float], int]] = {}  # each line, and the baseline measured before it

    def measure(name: str, path: str, script: str | None = None) -> None:
        baselines.append(wrk("/bench/baseline"))
        rows[name] = (wrk(path, script=script), len(baselines) - 1)

    if not BURST_ONLY:
        measure("/healthz", "/healthz")
        measure("static file", "/static/css/site.css")
        measure("home page (cached)", "/en/")
        measure("initiative page, 81 endorsements (cached)", "/en/initiatives/paris-call/")
        measure("initiative page, 81 endorsements (cold cache)", "/en/initiatives/paris-call/", "bust.lua")

    # The signing burst: every UN member's delegate endorses at once while readers load the page.
    baselines.append(wrk("/bench/baseline"))
    readers: dict[str, float] = {}
    reading = threading.Thread(target=lambda: readers.update(wrk(f"/en/initiatives/{SLUG}/", seconds="8")))
    with ConnectionSampler(database) as connections:
        reading.start()
        time.sleep(1)
        cpu_before: list[float] = []  # the signing server's, the worker's, and the moment

        def pressing() -> None:
            cpu_before.extend([cpu_seconds(signing_server), cpu_seconds(worker), time.perf_counter()])

        # The worker waits until the burst is answered: it has hosts of its own in the deployment
        # (README), and issue 17's 13.5-17.3 ms per endorsement were measured with no worker
        # beside the app servers. Here it would share their 2 cores, and a process's CPU time
        # per request grows with what else runs on the cores.
        os.kill(worker, signal.SIGSTOP)
        try:
            results = burst([(session, csrf, SLUG) for session, csrf in sessions], context, pressing=pressing)
        finally:
            os.kill(worker, signal.SIGCONT)
        visible_after = seconds_until_visible(SLUG, endorsing_states(SLUG))
        reading.join()
    signing_cpu = cpu_seconds(signing_server) - cpu_before[0]  # the endorsements, without their emails
    wait_until_delivered(database)
    delivered_after = time.perf_counter() - cpu_before[2]
    told = notices_told()
    worker_cpu = cpu_seconds(worker) - cpu_before[1]
    rows["initiative page during the burst (readers)"] = (readers, len(baselines) - 1)
    measure("initiative page, 193 endorsements (cached)", f"/en/initiatives/{SLUG}/")
    measure("initiative page, 193 endorsements (cold cache)", f"/en/initiatives/{SLUG}/", "bust.lua")
    # A page "as at" a day is never cached, not even in parts: each request renders all of it from
    # the database, as the first reader after a change does.
    measure("initiative page, 193 endorsements (as at today)", f"/en/initiatives/{SLUG}/", "as_of_today.lua")
    baselines.append(wrk("/bench/baseline"))

    def around(index: int) -> dict[str, float]:
        before, after = baselines[index], baselines[index + 1]
        return {key: (before[key] + after[key]) / 2 for key in ("rps", "p99")}

    print(f"\n{'':48} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'baseline':>9} {'× rps':>7} {'× p99':>7} {'errors':>7}")
    for name, (row, index) in rows.items():
        base = around(index)
        print(
            f"{name:48} {row['rps']:9.0f} {row['p50']:8.2f} {row['p99']:8.2f} {base['rps']:9.0f} "
            f"{row['rps'] / base['rps']:7.2f} {row['p99'] / base['p99']:7.2f} {row['errors']:7.0f}"
        )
    rps = sorted(base["rps"] for base in baselines)
    p99 = sorted(base["p99"] for base in baselines)
    print(
        f"baseline (trivial view): {len(baselines)} runs, one between each two lines; "
        f"{rps[0]:.0f}–{rps[-1]:.0f} req/s, p99 {p99[0]:.2f}–{p99[-1]:.2f} ms, "
        f"{sum(base['errors'] for base in baselines):.0f} errors"
    )
    burst_base = around(rows["initiative page during the burst (readers)"][1])
    print_burst("signing burst", results, burst_base, endorsing_states(SLUG))
    if POOLS == 2:  # with one pool, that server also renders the readers' pages
        cores = os.cpu_count() or 1
        print(
            f"  the signing app server (gunicorn, not the proxy) used {signing_cpu:.2f} s of CPU from the first "
            f"press until the readers stopped, {signing_cpu / len(results) * 1000:.1f} ms per endorsement: "
            f"{signing_cpu / cores:.2f} s on {cores} cores "
            f"({signing_cpu / cores * 1000 / burst_base['p99']:.0f} × the baseline's p99) before the readers' share"
        )
    print(
        f"  the worker used {worker_cpu:.2f} s of CPU, {worker_cpu / len(results) * 1000:.1f} ms per endorsement "
        f"(its emails, notices, webhooks and checkpoints); everything was delivered {delivered_after:.1f} s "
        f"after the first press (the worker started once the burst was answered)"
    )
    hooks = Counter(Receiver.received)
    print(
        f"  webhooks: {len(Receiver.received)} deliveries verified with standardwebhooks at {ENDPOINTS} endpoints, "
        f"{len(hooks)} distinct (endpoint, webhook-id), each received {set(hooks.values())} time(s), "
        f"{Receiver.refused} refused signatures; per endpoint: "
        f"{dict(sorted(Counter(number for number, _id in hooks).items()))}"
    )
    counts = Counter(len(references) for references in told.values())
    repeated = sum(1 for references in told.values() for _ref, times in Counter(references).items() if times > 1)
    print(
        f"  {len(told)} of {SUBSCRIBERS} email subscribers were told; endorsements each was told of: "
        f"{dict(counts)}; told twice of the same one: {repeated} (immediate notices gather changes "
        f"for NOTICE_GATHER_SECONDS={os.environ.get('NOTICE_GATHER_SECONDS', '60')} s)"
    )
    print(
        f"  the last endorsement was on the public page {visible_after:.2f} s after its receipt; "
        f"peak PostgreSQL connections: {connections.peak}"
    )

    # Four times that load: each delegate endorses four more initiatives at once (no readers).
    more = ["climate-and-security", "lethal-autonomous-weapons", "information-and-democracy", "paris-call"]
    before = {slug: endorsing_states(slug) for slug in more}
    with ConnectionSampler(database) as connections:
        results = burst([(session, csrf, slug) for slug in more for session, csrf in sessions], context)
    after = sum(endorsing_states(slug) - before[slug] for slug in more)
    print_burst("4 × burst", results, burst_base, after)
    print(
        f"  409 answers are states already listed for that initiative; "
        f"peak PostgreSQL connections: {connections.peak} "
        f"(bound: {POOLS} × {os.environ.get('WEB_CONCURRENCY', '2')} processes × a pool of {POOL_SIZE})"
    )


def burst(
    requests: list[tuple[str, str, str]], context: ssl.SSLContext, *, pressing: Callable[[], object] = lambda: None
) -> list[tuple[int, float]]:
    """Every delegate loads the form, then all press the button at once (`pressing` is called just before)."""
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        signers = list(pool.map(lambda request: Signer(request[0], request[1], request[2], context), requests))
        pressing()
        return list(pool.map(Signer.endorse, signers))


def print_burst(name: str, results: list[tuple[int, float]], base: dict[str, float], in_register: int) -> None:
    signer_ms = [ms for _status, ms in results]
    created = sum(1 for status, _ms in results if status == 302)
    errors = sum(1 for status, _ms in results if status >= 500)
    statuses = Counter(status for status, _ms in results)
    print(
        f"\n{name}: {len(results)} requests, {created} endorsements written, {errors} server errors, "
        f"answers {dict(statuses)}; signers p50 {percentile(signer_ms, 0.5):.0f} ms, "
        f"p99 {percentile(signer_ms, 0.99):.0f} ms (× baseline p99: {percentile(signer_ms, 0.99) / base['p99']:.1f}); "
        f"new endorsements in the register: {in_register}"
    )


def endorsing_states(slug: str) -> int:
    page = urllib.request.urlopen(f"{BASE}/api/v1/initiatives/{slug}").read()  # noqa: S310 - loopback only
    return int(json.loads(page)["endorsing_states"])


def seconds_until_visible(slug: str, count: int) -> float:
    """Seconds until an anonymous reader's page shows `count` endorsements (as a reader would load it)."""
    started = time.perf_counter()
    while time.perf_counter() - started < 30:
        page = urllib.request.urlopen(f"{BASE}/en/initiatives/{slug}/").read().decode()  # noqa: S310 - loopback only
        if f"<dd>{count}</dd>" in page:
            return time.perf_counter() - started
        time.sleep(0.05)
    return float("inf")


class Receiver(http.server.BaseHTTPRequestHandler):
    """The partners' endpoints: each POST's signature is verified, and its webhook-id counted."""

    secrets: ClassVar[dict[str, str]] = {}
    received: ClassVar[list[tuple[str, str]]] = []
    refused = 0

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        from standardwebhooks import Webhook

        number = self.path.rsplit("/", 1)[-1]
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            Webhook(self.secrets[number]).verify(body, dict(self.headers))
        except Exception:
            Receiver.refused += 1
            self.send_response(400)
        else:
            Receiver.received.append((number, self.headers["webhook-id"]))
            self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def wait_until_delivered(database: str) -> None:
    """Return once every subscriber and endpoint has been told up to the log's end and the
    worker's queue is empty (every email and webhook sent); stop the run after ten minutes."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(database, autocommit=True) as connection:
        while time.perf_counter() - started < 600:
            row = connection.execute(
                "SELECT (SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status IN ('READY', 'RUNNING'))"
                " + (SELECT count(*) FROM subscriptions_subscription"
                "    WHERE cursor < (SELECT max(index) FROM initiatives_logentry))"
                " + (SELECT count(*) FROM webhooks_endpoint"
                "    WHERE cursor < (SELECT max(index) FROM initiatives_logentry))"
                " + (SELECT count(*) FROM webhooks_delivery WHERE status = 'pending')"
            ).fetchone()
            if row and row[0] == 0:
                return
            time.sleep(0.1)
    raise SystemExit("the worker had not delivered everything after ten minutes")


def notices_told() -> dict[str, list[str]]:
    """Each subscriber's address, and the endorsements (receipt references) their notices named."""
    import email

    told: dict[str, list[str]] = {}
    for path in MAIL_FOLDER.iterdir():
        for raw in path.read_bytes().split(b"-" * 79):
            if not raw.strip():
                continue
            message = email.message_from_bytes(raw.strip())
            body = message.get_payload(decode=True)
            if not isinstance(body, bytes) or "reader" not in str(message["To"]):
                continue
            text = body.decode(message.get_content_charset() or "utf-8")
            references = re.findall(r"/endorsements/([\w-]+)/", text)
            told.setdefault(str(message["To"]), []).extend(references)
    return told


class ConnectionSampler:
    """The most connections the server held to the benchmark database at once, sampled every 20 ms."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample)

    def __enter__(self) -> ConnectionSampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self.database, autocommit=True) as connection:
            while self.running:
                row = connection.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                time.sleep(0.02)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
