"""Anonymous reading pages from the shared cache, per language, until the register changes.

Every change to the register or its content bumps one version number in the cache (signals are
the one place for this: the writes need not know about caching). Pages are stored under that
version, so a change invalidates every page at once, on every server process sharing the cache.
The version is also the page's ETag, so a browser that has it gets 304 Not Modified.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

VERSION_KEY = "register:version"
PAGE_TIMEOUT = 24 * 3600


def register_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def register_changed(**kwargs: Any) -> None:
    """Signal receiver: the register or its content changed, so every cached page is stale."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def watch(*models: type) -> None:
    for model in models:
        post_save.connect(register_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
        post_delete.connect(register_changed, sender=model, dispatch_uid=f"cache-{model.__name__}-delete")
    m2m_changed.connect(register_changed, dispatch_uid="cache-m2m")


def _cacheable(request: HttpRequest) -> bool:
    # Signed-in readers see their own actions; a pending message belongs to one reader only.
    return request.method in ("GET", "HEAD") and not request.user.is_authenticated and "messages" not in request.COOKIES


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve the view's anonymous GET responses from the shared cache, with an ETag."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        version = register_version()
        path = request.get_full_path()
        digest = hashlib.sha256(f"{version}:{get_language()}:{path}".encode()).hexdigest()[:32]
        etag = f'"{digest}"'
        if etag in request.headers.get("If-None-Match", ""):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        key = f"page:{digest}"
        response: HttpResponse | None = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies:
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, response, PAGE_TIMEOUT)
        response["ETag"] = etag
        patch_vary_headers(response, ["Cookie"])
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper
