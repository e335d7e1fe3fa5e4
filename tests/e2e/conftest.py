import os

import pytest

from initiatives.reference_data import load_reference_data
from tests.conftest import chromium_path

# Flags for a root, headless Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if chromium_path() is not None:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("Browser tests need Chromium in CI: install Debian's chromium package.")
    skip = pytest.mark.skip(reason="Chromium is not installed (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _sync_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still sync.
    # Browser tests run last (tests/conftest.py), so this never reaches the other tests.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def live_register(live_server):
    """The live server with the reference data (live_server empties the tables after each test)."""
    load_reference_data()
    return live_server
