"""Production settings plus one trivial view, the baseline every figure is compared with."""

from alliance.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
SECURE_SSL_REDIRECT = False  # the tests' app servers speak plain HTTP on loopback
