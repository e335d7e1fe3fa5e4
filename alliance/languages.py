"""The page in every language: the switcher, the hreflang alternates, the remembered choice."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import reverse, translate_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language, get_language_info
from django.views.decorators.http import require_safe
from modeltranslation.utils import build_localized_fieldname


def alternates(request: HttpRequest) -> dict[str, Any]:
    """Each language with the URL of the current page (query kept) in that language."""
    current = request.get_full_path()
    path, mark, query = current.partition("?")
    try:
        origin = f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        origin = ""  # the error page for a request to an unknown host links nowhere on that host
    next_query = urlencode({"next": current})
    return {
        "language_alternates": [
            {
                "code": code,
                "name_local": get_language_info(code)["name_local"],
                "absolute_url": origin and origin + translate_url(path, code) + mark + query,
                "switch_url": f"{reverse('switch_language', args=[code])}?{next_query}",
            }
            for code, _name in settings.LANGUAGES
        ]
    }


@require_safe
def switch_language(request: HttpRequest, code: str) -> HttpResponseRedirect:
    """Show the same page in another language and remember the choice for the next visit to `/`.

    The choice is a preference cookie, not data; pages stay addressable by their language prefix.
    """
    if code not in dict(settings.LANGUAGES) or not check_for_language(code):
        raise Http404
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(translate_url(target, code) if target != "/" else f"/{code}/")
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response


def localized_fields(*fields: str) -> list[str]:
    """Each translated field's column in every language: admin search looks in all of them."""
    return [build_localized_fieldname(field, code) for field in fields for code, _name in settings.LANGUAGES]
