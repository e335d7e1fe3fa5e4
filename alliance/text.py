"""Rules for the free text that delegates and staff type and the register publishes."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The embedding, override and isolate controls reorder what a reader sees ("Trojan Source",
# CVE-2021-42574): a statement could display one thing and hold another. The marks U+200E,
# U+200F and U+061C only set one character's direction, and Arabic text needs them: they stay.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def reject_bidi_controls(value: object) -> None:
    """Validator: refuse text that holds a bidirectional embedding, override or isolate control."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and BIDI_CONTROLS.search(text) for text in texts):
        raise ValidationError(
            _(
                "The text holds an invisible control character that changes the direction in which it "
                "is displayed (U+202A–U+202E or U+2066–U+2069). Remove it and send the text again."
            ),
            code="bidi_control",
        )
