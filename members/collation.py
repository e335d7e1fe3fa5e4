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
    # Letters and digits decide; spaces, hyphens and apostrophes only break ties.
    return fold(" ".join(lazy_pinyin(text)) if language.startswith("zh") else text), text


def fold(text: str) -> str:
    """The text without case, accents or punctuation, as readers compare names: "Egypte", "égypte"
    and "ÉGYPTE" fold alike; so do Arabic names with and without their vowel marks and hamzas."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in base.casefold() if char.isalnum() or char == " ")


def matches(text: str, names: Iterable[str]) -> bool:
    """Whether one of the names contains the searched text, folded alike (an empty text matches all)."""
    wanted = fold(text).strip()
    return not wanted or any(wanted in fold(name) for name in names)


def sort_by_name(items: Iterable[T], name: Callable[[T], str], language: str | None = None) -> list[T]:
    language = language or get_language() or "en"  # once, not per item: a page sorts 193 names
    return sorted(items, key=lambda item: collation_key(name(item), language))
