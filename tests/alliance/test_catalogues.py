"""Every message a reader sees exists in the six UN languages."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
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
