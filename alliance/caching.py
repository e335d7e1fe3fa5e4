"""What is cached, under which key, and what moves the key.

- **What**: anonymous public pages, whole (`PublicPageCacheMiddleware`), and the parts of pages
  that read the endorsements, for every reader (`{% cache %}` fragments: an initiative's header
  and register, the home page's counters and map; never a page as at a day).
- **Key**: the register's version, one value in the shared cache, with today's date (an
  initiative opens and closes by the calendar); pages also by address, fragments by language and
  initiative. Both expire after a day (`TIMEOUT`, and `{% cache 86400 … %}` in the templates).
- **What moves it**: every write function that changes what the public pages show calls
  `register_changed()` in its transaction; once that commits, the register has a new version and
  every page and fragment is stale at once, on every server process sharing the cache. The writes:
  `initiatives/endorsing.py` (endorsements, withdrawals, corrections, imports and listed
  endorsements), `initiatives/publishing.py` (initiatives, from the admin, coalitions and the
  reference data), the reference data's loader (`make serve` runs it at each release, so new
  templates show at once) and the admin of the other content (`ChangesPublicPages`). A write
  past them (a shell, a data migration) shows when a page expires (`TIMEOUT`) or after
  `manage.py clear_cache`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from contextlib import suppress
from functools import wraps
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import cc_delim_re, get_conditional_response, patch_cache_control, patch_vary_headers

from alliance.resilience import CACHE_DOWN

VERSION_KEY = "register:version"
TIMEOUT = 24 * 3600  # pages and fragments; the version itself never expires
RENDERING_SECONDS = 10


def register_changed() -> None:
    """Call in the transaction of a change to what the public pages show.

    The version moves once the change has committed: moved earlier, a reader could render the new
    version from the old rows, and that page would stand until the next change. `robust`: the
    change has committed whatever happens here; a cache that fails now is logged and stops none
    of what follows the commit."""
    transaction.on_commit(_move_version, robust=True)


def _move_version() -> None:
    cache.set(VERSION_KEY, _new_version(), timeout=None)


def _new_version() -> int:
    # A value never used before, not a counter: a page kept under an old version must not pass for
    # current once the cache is emptied or restored from an older copy. An integer, as the releases
    # before this one read it (their servers share the cache with this one's during a deploy).
    return secrets.randbits(62)


def version(request: HttpRequest) -> str | None:
    """The register's version as this request first read it (before reading any data, so a page or
    fragment is never older than its key); None when the cache does not answer."""
    if not hasattr(request, "register_version"):
        try:
            request.register_version = _version(cache.get(VERSION_KEY))  # type: ignore[attr-defined]
        except CACHE_DOWN:
            request.register_version = None  # type: ignore[attr-defined]
    return request.register_version  # type: ignore[attr-defined, no-any-return]


def _version(stored: int | None) -> str:
    if stored is None:
        cache.add(VERSION_KEY, _new_version(), timeout=None)
        stored = cache.get(VERSION_KEY)
    return f"{stored}-{timezone.localdate().isoformat()}"


class ChangesPublicPages:
    """For the admin of content the public pages show (themes, events, states, reported figures, the programme of work):
    each object saved or deleted there moves the version, once the admin's transaction commits."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        register_changed()
        super().save_model(request, obj, form, change)  # type: ignore[misc]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        register_changed()
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        register_changed()
        super().delete_queryset(request, queryset)  # type: ignore[misc]


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Mark the view's anonymous GET pages as shareable, for `PublicPageCacheMiddleware` to store."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        shareable = (
            request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
            and response.status_code == 200
            and not response.cookies
        )
        if shareable:
            patch_vary_headers(response, ["Cookie"])
            patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
        return response

    return wrapper


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the shared cache; sits before the session middleware.

    It answers before sessions, authentication or the database are touched, in one cache round trip
    for the version and the page. A page is stored with the version it was rendered at, under its
    address, so a stale copy is still at hand: it answers if the render fails (the database down).
    One reader at a time renders a page whose version has moved (its render claim, one per
    address); the others get the stale copy meanwhile, at most one render old. The signing burst
    moves the version many times a second, faster than a render: with every reader rendering, or
    one per version, readers' p99 was 15-26 times the baseline's (target 10).
    Its ETag is the digest of its content, so a browser that has it gets 304 Not Modified. Pages
    asked with a query string (a search, a date, any made-up parameter) are rendered each time:
    storing them would let anyone fill the shared cache, which also holds the sign-in limits. So are
    pages asked under another spelling of the site's host (`_named_host`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _anonymous_read(request):
            return self.get_response(request)
        _drop_tracking_parameters(request)
        if request.META.get("QUERY_STRING") or not _named_host(request.get_host()):
            return self.get_response(request)
        # The host and scheme are part of the key: pages hold absolute links (feeds, alternates).
        address = f"{request.scheme}://{request.get_host()}{request.path}"
        key = "public-page:" + hashlib.sha256(address.encode()).hexdigest()
        try:
            found = cache.get_many([VERSION_KEY, key])
            request.register_version = current = _version(found.get(VERSION_KEY))  # type: ignore[attr-defined]
        except CACHE_DOWN:
            request.register_version = None  # type: ignore[attr-defined]
            return self.get_response(request)  # the page comes from the database
        stale: tuple[str, HttpResponse] | None = found.get(key)
        if stale is not None and (stale[0] == current or not _claim(key)):
            return _answer(request, stale[1])  # current, or another reader is rendering it
        try:
            response = self.get_response(request)
            if stale is not None and response.status_code >= 500:
                return _answer(request, stale[1])  # the last good copy is better
            if not _shareable(response):
                return response
            response["ETag"] = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            with suppress(*CACHE_DOWN):  # stored next time; the reader gets the page now
                cache.set(key, (current, response), TIMEOUT)
            return _answer(request, response)
        finally:
            if stale is not None:
                with suppress(*CACHE_DOWN):  # the claim lapses
                    cache.delete(f"{key}:rendering")


def _claim(key: str) -> bool:
    """Whether this reader renders the page: no other reader is rendering it (the claim lapses after
    RENDERING_SECONDS, if its reader never releases it)."""
    try:
        return bool(cache.add(f"{key}:rendering", True, RENDERING_SECONDS))
    except CACHE_DOWN:
        return True


def _answer(request: HttpRequest, page: HttpResponse) -> HttpResponse:
    """The page, or 304 Not Modified to a browser that has it (its ETag)."""
    return get_conditional_response(request, etag=page["ETag"], response=page) or page


# Added to shared links by newsletters, social networks and ad platforms; the register has no
# analytics and no page reads them, so a link carrying them is the page without them.
TRACKING_PARAMETERS = ("fbclid", "gclid", "msclkid", "mc_cid", "mc_eid", "igshid")


def _drop_tracking_parameters(request: HttpRequest) -> None:
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return
    kept = [
        (name, value)
        for name, value in parse_qsl(query, keep_blank_values=True)
        if not (name.startswith("utm_") or name in TRACKING_PARAMETERS)
    ]
    request.META["QUERY_STRING"] = urlencode(kept)
    request.GET = QueryDict(request.META["QUERY_STRING"])


def _named_host(host: str) -> bool:
    """Whether `host`, the Host header as sent, is a name of the site spelled as the settings spell
    it: SITE_URL's (with its port, if it has one) or a name in ALLOWED_HOSTS. Django accepts a name
    with any port, in any case, with a trailing dot, and the proxy passes the header on as sent:
    keyed by each spelling, the pages could be copied into the shared cache 65,535 times over."""
    names = {name for name in settings.ALLOWED_HOSTS if name != "*" and not name.startswith(".")}
    return host == urlsplit(settings.SITE_URL).netloc or host in names


def _anonymous_read(request: HttpRequest) -> bool:
    # A session may hold a signed-in reader; a pending message belongs to one reader only.
    return (
        request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _shareable(response: HttpResponse) -> bool:
    directives = {part.split("=")[0].strip().lower() for part in cc_delim_re.split(response.get("Cache-Control", ""))}
    return response.status_code == 200 and "public" in directives and not response.cookies and not response.streaming
