import os

import pytest
from django.core.cache import cache
from django.test import Client

from initiatives.reference_data import load_reference_data


def pytest_collection_modifyitems(config, items):
    """Browser tests last: their live server empties the tables when each one ends."""
    items.sort(key=lambda item: "e2e" in item.keywords)


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()  # allauth keeps its rate limits in the cache
    yield
    cache.clear()


@pytest.fixture
def register(db):
    """The reference data: 193 UN member states and the EU, six initiatives, events, listed endorsements."""
    load_reference_data()


@pytest.fixture
def anonymous() -> Client:
    return Client()


def chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    return path if os.path.exists(path) else None
