"""With PostgreSQL out of reach, a server answers 503 quickly, cached pages keep answering, /healthz
says so, and the server recovers by itself when the database returns."""

import os
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from initiatives.reference_data import load_reference_data
from tests.servers import PUBLIC_HOST, Relay, free_port, live_database_url, start_server, stop


def fetch(url: str) -> tuple[int, dict[str, str], str, float]:
    # Behind the proxy, every server sees the public host, so they share cached pages.
    request = urllib.request.Request(url, headers={"Host": PUBLIC_HOST})  # noqa: S310 - loopback only
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, dict(response.headers), response.read().decode(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode(), time.perf_counter() - started


@pytest.mark.django_db(transaction=True)
def test_without_its_database_the_register_degrades_gracefully_and_recovers():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("Needs PostgreSQL and Redis (CI has both).")
    load_reference_data()
    healthy, healthy_base = start_server(live_database_url())
    # The same database, on a port where nothing listens yet: for this server PostgreSQL is down.
    database_port = free_port()
    cut_off, cut_off_base = start_server(live_database_url(port=database_port))
    relay = None
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

        relay = Relay(database_port)  # the database is back
        deadline = time.monotonic() + 5
        while fetch(cut_off_base + "/healthz")[0] != 200:
            assert time.monotonic() < deadline, "the server did not recover within 5 seconds"
            time.sleep(0.2)
        status, _headers, body, _seconds = fetch(cut_off_base + "/fr/states/fra/")
        assert status == 200
        assert "France" in body
    finally:
        stop(healthy, cut_off)
        if relay is not None:
            relay.close()
