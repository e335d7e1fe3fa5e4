"""The page in every language: the switcher and the hreflang alternates."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language_info


def alternates(request: HttpRequest) -> dict[str, Any]:
    """Each language with the URL of the current page (query kept) in that language."""
    current = request.get_full_path()
    return {
        "language_alternates": [
            {
                "code": code,
                "name_local": get_language_info(code)["name_local"],
                "bidi": get_language_info(code)["bidi"],
                "url": translate_url(current, code),
            }
            for code, _name in settings.LANGUAGES
        ]
    }
