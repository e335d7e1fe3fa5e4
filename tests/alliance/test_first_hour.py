"""After `make run`, every manage.py command works in a second shell with nothing to export; the
local `.env` it writes is never used where DEBUG is off."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def local_env():
    """A `.env` as `make run` writes it, in place of the checkout's own (restored after)."""
    path = ROOT / ".env"
    kept = path.read_text() if path.exists() else None
    path.write_text("DEBUG=true\nSECRET_KEY=a-local-key-for-this-checkout\n")
    yield path
    if kept is None:
        path.unlink()
    else:
        path.write_text(kept)


def manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {name: value for name, value in os.environ.items() if name not in {"DEBUG", "SECRET_KEY"}}
    return subprocess.run(  # noqa: S603 (the project's own manage.py)
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_a_command_in_a_second_shell_needs_nothing_exported(local_env):
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True a-local-key-for-this-checkout"


def test_the_local_env_is_ignored_where_debug_is_off(local_env):
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr
