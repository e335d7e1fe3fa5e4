"""Sorting names the way readers of each language expect, without a database collation.

Accents and case never push a name to the end: French readers find Égypte beside Egypte, before
Émirats arabes unis and Équateur. Chinese names sort by their pinyin, as Chinese dictionaries do.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.utils.translation import get_language
from pypinyin import lazy_pinyin

T = TypeVar("T")


def collation_key(text: str, language: str | None = None) -> tuple[str, str]:
    """A sort key for `text` in `language` (the active language by default)."""
    language = language or get_language() or "en"
    if language.startswith("zh"):
        base = " ".join(lazy_pinyin(text))
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        base = "".join(char for char in decomposed if not unicodedata.combining(char))
    # Letters and digits decide; spaces, hyphens and apostrophes only break ties.
    primary = "".join(char for char in base.casefold() if char.isalnum() or char == " ")
    return primary, text


def sort_by_name(items: Iterable[T], name: Callable[[T], str], language: str | None = None) -> list[T]:
    language = language or get_language() or "en"  # once, not per item: a page sorts 193 names
    return sorted(items, key=lambda item: collation_key(name(item), language))
