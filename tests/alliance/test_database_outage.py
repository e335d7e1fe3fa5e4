"""With PostgreSQL out of reach, a server answers 503 quickly, cached pages keep answering, /healthz says so."""

import os
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from initiatives.reference_data import load_reference_data
from tests.servers import free_port, live_database_url, start_server, stop


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
    healthy, healthy_base = start_server(live_database_url())
    # The same database, on a port where nothing listens: for this process PostgreSQL is down.
    cut_off, cut_off_base = start_server(live_database_url(port=free_port()))
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
        stop(healthy, cut_off)
