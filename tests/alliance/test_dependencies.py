"""The framework and the account library stay at or above the releases with every published security fix.

No vulnerability database is reachable from CI, so the floors are written here: raise them with each
security release of Django 5.2 LTS or django-allauth (and the lock file with them).
"""

from importlib.metadata import version

import pytest
from packaging.version import Version

FLOORS = {
    "django": "5.2.19",
    "django-allauth": "65.22.1",
}


@pytest.mark.parametrize(("package", "floor"), FLOORS.items())
def test_security_sensitive_packages_are_not_below_their_floor(package, floor):
    assert Version(version(package)) >= Version(floor), f"{package} {version(package)} is below {floor}"


def test_django_stays_on_the_52_lts_series():
    assert Version(version("django")).release[:2] == (5, 2)
