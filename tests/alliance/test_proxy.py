"""The deployment's proxy (deploy/nginx.conf) in front of two app servers, as the README deploys it."""

import http.client
import os
import urllib.error
import urllib.request
from http import HTTPStatus

import pytest
from django.db import connection

from deploy.proxy import Proxy, nginx_available
from initiatives.reference_data import load_reference_data
from tests.servers import PUBLIC_HOST, Browser, free_port, live_database_url, start_server, stop


@pytest.fixture
def deployment(transactional_db):
    if os.environ.get("CI") and not nginx_available():
        pytest.fail("CI must install nginx and openssl (.ci/run does).")
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL") or not nginx_available():
        pytest.skip("Needs PostgreSQL, Redis and nginx (CI has all three).")
    load_reference_data()
    servers = [start_server(live_database_url(), TRUSTED_PROXY_COUNT="1") for _pool in ("app", "signing")]
    (app, app_base), (signing, signing_base) = servers
    proxy = Proxy(
        port=free_port(),
        http_port=free_port(),
        app_servers=[app_base.removeprefix("http://")],
        signing_servers=[signing_base.removeprefix("http://")],
        server_name=PUBLIC_HOST,
        render_rate="30r/m",  # slower than the test asks, however slow the machine
    )
    try:
        yield proxy, signing
    finally:
        proxy.stop()
        stop(app, signing)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def reader(proxy: Proxy, **headers: str) -> Browser:
    return Browser(proxy.base, certificate=proxy.certificate, headers=headers)


def answer(proxy: Proxy, path: str, *, data: bytes | None = None) -> tuple[int, str]:
    """The status and page the proxy answers, without following a redirect."""
    try:
        with reader(proxy).opener.open(
            urllib.request.Request(proxy.base + path, data=data, headers={"Host": PUBLIC_HOST}),  # noqa: S310
            timeout=10,
        ) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def status_of(proxy: Proxy, path: str) -> int:
    return answer(proxy, path)[0]


def test_pages_come_over_https_with_the_public_host(deployment):
    proxy, _signing = deployment
    request = urllib.request.Request(  # noqa: S310 - loopback only
        proxy.base + "/fr/initiatives/paris-call/", headers={"Host": PUBLIC_HOST}
    )
    with reader(proxy).opener.open(request, timeout=10) as response:
        page = response.read().decode()
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Appel de Paris" in page
    # Django saw HTTPS and the public host through the proxy: its language links are absolute.
    assert f'hreflang="en" href="https://{PUBLIC_HOST}/en/initiatives/paris-call/"' in page


def test_a_forged_forwarded_for_does_not_escape_the_limit_per_address(deployment):
    proxy, _signing = deployment
    for attempt in range(10):  # the limit per address: 10 failed sign-ins a minute
        forged = reader(proxy, **{"X-Forwarded-For": f"203.0.113.{attempt}"})
        page = forged.sign_in(f"nobody{attempt}@example.org", "wrong password")
        assert "not correct" in page
    page = reader(proxy, **{"X-Forwarded-For": "203.0.113.99"}).sign_in("nobody@example.org", "wrong password")
    assert "Too many failed login attempts" in page


def test_plain_http_is_sent_to_https(deployment):
    proxy, _signing = deployment
    request = urllib.request.Request(proxy.http_base + "/fr/", headers={"Host": PUBLIC_HOST})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(request, timeout=10)
    assert redirect.value.code == HTTPStatus.MOVED_PERMANENTLY
    assert redirect.value.headers["Location"] == f"https://{PUBLIC_HOST}/fr/"


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_a_request_for_another_host_gets_no_answer(deployment, scheme):
    proxy, _signing = deployment
    base = proxy.base if scheme == "https" else proxy.http_base
    request = urllib.request.Request(base + "/en/", headers={"Host": "register.attacker.example"})  # noqa: S310
    # The proxy closes the connection: no page, and no redirect to the forged host.
    with pytest.raises(http.client.RemoteDisconnected):
        reader(proxy).opener.open(request, timeout=10)
    assert status_of(proxy, "/en/") == HTTPStatus.OK  # the public host is still served


def test_a_body_over_the_limit_is_refused_with_the_apps_message_and_a_huge_one_at_the_proxy(deployment):
    proxy, _signing = deployment
    status, page = answer(proxy, "/fr/accounts/login/", data=b"x" * (7 * 1024 * 1024))
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert "Ce que vous avez envoyé est trop volumineux" in page  # the app's page, in the reader's language
    status, _page = answer(proxy, "/fr/accounts/login/", data=b"x" * (11 * 1024 * 1024))
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE  # nginx's own answer: the body never reaches the app


def test_endorsements_go_to_the_signing_servers(deployment):
    proxy, signing = deployment
    assert status_of(proxy, "/en/initiatives/paris-call/endorse/") != HTTPStatus.BAD_GATEWAY
    stop(signing)  # the signing pool is down: only endorsing and withdrawing stop
    assert status_of(proxy, "/en/initiatives/paris-call/endorse/") == HTTPStatus.BAD_GATEWAY
    assert status_of(proxy, "/en/initiatives/paris-call/withdraw/") == HTTPStatus.BAD_GATEWAY
    assert status_of(proxy, "/en/initiatives/paris-call/") == HTTPStatus.OK


def test_pages_rendered_for_each_request_are_limited_per_address_and_cached_ones_never(deployment):
    """A page with a query string is rendered each time (an "as at" date costs the most): a loop
    asking them gets 429 after a burst, while the same reader still gets every cached page."""
    proxy, _signing = deployment
    statuses = [status_of(proxy, f"/en/initiatives/paris-call/?n={number}") for number in range(80)]
    assert statuses[:50] == [HTTPStatus.OK] * 50
    assert HTTPStatus.TOO_MANY_REQUESTS in statuses[50:]
    assert [status_of(proxy, "/en/initiatives/paris-call/") for _ in range(80)] == [HTTPStatus.OK] * 80
