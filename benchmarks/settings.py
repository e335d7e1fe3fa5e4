"""Production settings plus one trivial view, the baseline every figure is compared with."""

import os

from alliance.settings import *  # noqa: F403

EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")  # the worker's emails, as files

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False  # the tests' app servers speak plain HTTP on loopback
