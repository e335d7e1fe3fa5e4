"""Anonymous reading pages from the shared cache, until the register changes.

Every change to the register or its content, once committed, gives the register a new version
in the cache, a value never used before (signals on the models `watch` names are the one place for
this: the writes need not know about caching). A page is stored with the version it was rendered
at, so a change makes every page stale at once, on every server process sharing the cache. A change
to a content model (every watched model but the endorsements) also gives the content a new version:
what each server process keeps of the content (`kept_until_content_changes`: the states, an
initiative's texts) stays across endorsements.

`PublicPageCacheMiddleware` answers before sessions, authentication or the database are
touched, in one cache round trip for the version and the page. When a page is stale, one request
renders the new version while the others keep getting the stale copy, so a burst of changes
never piles renders on one page and readers still see a change within one render. A page's ETag
is the digest of its content, so a browser that has it gets 304 Not Modified.

Views opt in with `@public_page`: their anonymous 200 responses without cookies are marked
`Cache-Control: public`, and only such responses are stored, when asked without a query string.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, QueryDict
from django.utils.cache import cc_delim_re, patch_cache_control, patch_vary_headers

from alliance.resilience import CACHE_DOWN

VERSION_KEY = "register:version"
CONTENT_VERSION_KEY = "register:content-version"
PAGE_TIMEOUT = 24 * 3600
RENDER_CLAIM_SECONDS = 10  # how long a stale page is served if its renderer dies

T = TypeVar("T")


def register_version(key: str = VERSION_KEY) -> int:
    """The register's version (or, with CONTENT_VERSION_KEY, its content's)."""
    version = cache.get(key)
    if version is None:
        version = _new_version()
        cache.add(key, version, timeout=None)
        version = cache.get(key, version)
    return int(version)


def _new_version() -> int:
    # A value never used before, not a counter: what is kept by version (stored pages, each
    # process's members.directory) must not pass for current once the cache is emptied or
    # restored from an older copy.
    return secrets.randbits(62)


def register_changed(**kwargs: Any) -> None:
    """Signal receiver: the endorsements changed, so every cached page is stale.

    The version moves once the change has committed (at once outside a transaction). Moved any
    earlier, a reader could render the new version from the old rows, and that page would stand
    until the next change.

    `robust`: the change has committed whatever happens here; a cache that fails now is logged and
    does not stop what comes after the commit (the emails about an endorsement)."""
    transaction.on_commit(_bump_versions, using=kwargs.get("using"), robust=True)


def content_changed(**kwargs: Any) -> None:
    """Signal receiver: the content changed (a text, a state, an event), so every cached page and
    everything kept until the content changes is stale; as register_changed."""
    transaction.on_commit(_bump_content_versions, using=kwargs.get("using"), robust=True)


def _bump_versions(*keys: str) -> None:
    cache.set_many(dict.fromkeys((VERSION_KEY, *keys), _new_version()), timeout=None)


def _bump_content_versions() -> None:
    # A named function, not a partial: Django logs a failing robust callback by its __qualname__.
    _bump_versions(CONTENT_VERSION_KEY)


def watch(*models: type[Model], content: bool) -> None:
    """Make the pages stale when one of `models` changes (with `content`, what is kept of the content
    too), or one of their many-to-many relations (lead states, an event's initiatives and co-chairs)."""
    receiver = content_changed if content else register_changed
    for model in models:
        post_save.connect(receiver, sender=model, dispatch_uid=f"cache-{model.__name__}-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"cache-{model.__name__}-delete")
        for relation in model._meta.many_to_many:
            through = getattr(model, relation.name).through  # as Initiative.lead_states.through
            m2m_changed.connect(receiver, sender=through, dispatch_uid=f"cache-{through.__name__}-m2m")


# A kept value is loaded again after this long even if the content's version has not moved: a move
# is lost when Redis fails at the commit, and a write without signals (QuerySet.update, a data
# migration) moves nothing. Cached pages have the same bound in PAGE_TIMEOUT.
KEEP_SECONDS = 600
_kept: dict[Hashable, tuple[int, float, Any]] = {}


def kept_until_content_changes(
    key: Hashable, load: Callable[[], T], *, still_good: Callable[[T], bool] = lambda value: True
) -> T:
    """`load()`, kept by this server process until the content's version moves (or KEEP_SECONDS).

    For what many requests read and only content changes can change: keeping it spares each
    request the queries and the model instances. `load` may raise (Http404): nothing is kept then,
    so made-up keys cannot fill the process. `still_good` makes a kept value load again (a state
    created since it was loaded, whose version move is still to come). Kept values are shared by
    the process's threads: read them, never change or save them."""
    try:
        version = register_version(CONTENT_VERSION_KEY)  # read before loading: the value is at least this recent
    except CACHE_DOWN:
        return load()
    found = _kept.get(key)
    if found is not None:
        kept_version, loaded_at, value = found
        if kept_version == version and time.monotonic() - loaded_at < KEEP_SECONDS and still_good(value):
            return cast(T, value)
    value = load()
    _kept[key] = (version, time.monotonic(), value)
    return value


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


@dataclass(frozen=True)
class CachedPage:
    version: int
    etag: str
    response: HttpResponse

    def answer(self, request: HttpRequest) -> HttpResponse:
        if self.etag in request.headers.get("If-None-Match", ""):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary", "Content-Language"):
                if header in self.response:
                    not_modified[header] = self.response[header]
            return not_modified
        return self.response


class PublicPageCacheMiddleware:
    """Serve anonymous readers from the shared cache; sits before the session middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _anonymous_read(request):
            return self.get_response(request)
        _drop_tracking_parameters(request)
        if request.META.get("QUERY_STRING"):
            # Pages asked with a query string (a search, a date, or any made-up parameter) are
            # rendered each time: storing them would let anyone fill the shared cache, which also
            # holds the sign-in rate limits, with copies no other reader asks for.
            return self.get_response(request)
        # The host and scheme are part of the key: pages hold absolute links (feeds, alternates).
        address = f"{request.scheme}://{request.get_host()}{request.path}"
        key = "page:" + hashlib.sha256(address.encode()).hexdigest()
        try:
            found = cache.get_many([VERSION_KEY, key])
            version = int(found[VERSION_KEY]) if VERSION_KEY in found else register_version()
        except CACHE_DOWN:
            return self.get_response(request)  # the cache does not answer: the page comes from the database
        page: CachedPage | None = found.get(key)
        if page is not None and page.version == version:
            return page.answer(request)
        claim = f"{key}:rendering"
        if page is not None and not cache.add(claim, version, RENDER_CLAIM_SECONDS):
            return page.answer(request)  # another request is rendering the new version
        try:
            response = self.get_response(request)
        finally:
            if page is not None:
                cache.delete(claim)
        if page is not None and response.status_code >= 500:
            return page.answer(request)  # e.g. the database is down: the last good copy is better
        if not _shareable(response):
            return response
        content = response.content
        response["ETag"] = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        fresh = CachedPage(version=version, etag=response["ETag"], response=response)
        try:
            cache.set(key, fresh, PAGE_TIMEOUT)
        except CACHE_DOWN:
            pass  # stored next time; the reader gets the page now
        return fresh.answer(request)


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
