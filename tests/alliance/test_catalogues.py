"""Every message a reader sees exists in the six UN languages."""

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import to_locale

CATALOGUES = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_the_catalogue_has_no_untranslated_or_fuzzy_message(language):
    path = CATALOGUES / to_locale(language) / "LC_MESSAGES" / "django.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [message for message in catalogue if message.id]
    assert len(messages) > 150
    untranslated = [
        message.id
        for message in messages
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_messages_are_marked_under_names_makemessages_knows():
    """makemessages extracts `_()` and gettext's own names; a message marked under another alias
    (`gettext_lazy as _lazy`) is never extracted, so it reaches every reader in English."""
    alias = re.compile(r"import .*\b[np]?gettext(?:_lazy|_noop)?\s+as\s+(?!_\b)\w+")
    sources = [path for path in Path(settings.BASE_DIR).rglob("*.py") if not {".venv", "var"} & set(path.parts)]
    assert len(sources) > 100
    assert [str(path) for path in sources if alias.search(path.read_text())] == []


def test_every_message_of_the_code_and_templates_is_in_the_catalogues(tmp_path, settings, monkeypatch):
    """A message added to the code but never extracted would reach readers in English only.

    Extracts the messages as the README's makemessages command does, from a copy of the sources
    (makemessages writes beside them), and compares them with the French catalogue; the other
    five are filled in the same step and checked above for gaps."""
    source = tmp_path / "source"
    ignored = shutil.ignore_patterns(".*", "__pycache__", "var", "tests", "benchmarks", "locale", "static")
    shutil.copytree(settings.BASE_DIR, source, ignore=ignored)
    shutil.copytree(CATALOGUES / "fr", source / "locale" / "fr")
    settings.LOCALE_PATHS = [source / "locale"]
    monkeypatch.chdir(source)
    call_command("makemessages", locale=["fr"], no_wrap=True, no_obsolete=True, verbosity=0)

    def messages(path: Path) -> set[str]:
        with path.open("rb") as handle:
            return {
                message.id if isinstance(message.id, str) else message.id[0]
                for message in read_po(handle)
                if message.id
            }

    extracted = messages(source / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    catalogued = messages(CATALOGUES / "fr" / "LC_MESSAGES" / "django.po")
    assert sorted(extracted - catalogued) == []  # run the README's makemessages and translate them
    assert sorted(catalogued - extracted) == []  # no longer in the code: makemessages removes them
