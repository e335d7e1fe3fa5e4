"""Where a webhook may go, and how it leaves the register.

A partner's URL must not let the register reach its own network (server-side request forgery):
every address its host resolves to must be on the public internet, both when an admin registers
it and at each delivery (DNS answers change). The connection then goes to the address that was
vetted, never to a second lookup, with the URL's host name in the Host header and, over HTTPS, in
SNI and the certificate check. Only https:// URLs are accepted. Redirects are never followed (a
3xx is a failure): a redirect could point anywhere.

`WEBHOOKS_ALLOW_LOOPBACK` (tests only; `check --deploy` warns when it is on) also accepts
loopback addresses and plain http://, for a receiver on the test's own host.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

TIMEOUT = 5.0  # seconds to connect, and for each read: a slow partner holds up no worker for long
DEADLINE = 15.0  # seconds for the whole request: an answer trickled a byte at a time is cut off
RESPONSE_READ = 4096  # bytes of the answer read before closing; only its status code counts
NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(Exception):
    """The URL may not receive webhooks; the message says why (the admin's form shows it)."""


class SendingFailed(Exception):
    """No answer came: the connection, TLS or the time limit failed."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with its query
    address: str  # the vetted IP address to connect to


def vet(url: str) -> Target:
    """Where the URL would be sent, once every address of its host is found to be public.

    Raises RefusedAddress otherwise."""
    loopback = settings.WEBHOOKS_ALLOW_LOOPBACK
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress(_("This is not a valid URL.")) from None
    if parts.scheme != "https" and not (loopback and parts.scheme == "http"):
        raise RefusedAddress(_("Only https:// addresses may receive webhooks."))
    host = parts.hostname
    if not host:
        raise RefusedAddress(_("The URL has no host name."))
    if parts.username is not None or parts.password is not None:
        raise RefusedAddress(_("A URL with a user name or password is not accepted: the signature authenticates."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        found = []
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses:
        raise RefusedAddress(_("The host name %(host)s does not resolve.") % {"host": host})
    for address in addresses:
        if not may_receive(ipaddress.ip_address(address), loopback=loopback):
            raise RefusedAddress(
                _(
                    "%(host)s resolves to %(address)s, which is not a public internet address "
                    "(it is private, loopback, link-local, multicast or reserved)."
                )
                % {"host": host, "address": address}
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])


def may_receive(address: IPAddress, *, loopback: bool = False) -> bool:
    """Whether the address is on the public internet (or on loopback, when `loopback`)."""
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        address = embedded
    if address.is_loopback:
        return loopback
    return address.is_global and not (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)  # fec0::/10
    )


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches (mapped, 6to4, NAT64), which decides instead."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped or address.sixtofour:
        return address.ipv4_mapped or address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def post(*, url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` to the URL's vetted address; the answer's status code (a redirect is not followed).

    Raises RefusedAddress when the URL may not receive (now), SendingFailed when no answer came."""
    target = vet(url)
    connection = _VettedHTTPSConnection(target) if target.scheme == "https" else _VettedHTTPConnection(target)
    cut = threading.Event()
    deadline = threading.Timer(DEADLINE, _cut, args=[connection, cut])
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_READ)
    except (OSError, http.client.HTTPException) as error:
        if cut.is_set():
            raise SendingFailed(_("No complete answer within %(seconds)d seconds.") % {"seconds": DEADLINE}) from error
        raise SendingFailed(f"{type(error).__name__}: {error}") from error
    finally:
        deadline.cancel()
        connection.close()
    if cut.is_set():  # what was read before the cut is no answer
        raise SendingFailed(_("No complete answer within %(seconds)d seconds.") % {"seconds": DEADLINE})
    return response.status


def _cut(connection: http.client.HTTPConnection, cut: threading.Event) -> None:
    """The deadline has passed: the blocked read returns at once."""
    cut.set()
    if connection.sock is not None:
        try:
            connection.sock.shutdown(socket.SHUT_RDWR)
        except OSError:  # already closed
            pass


class _VettedHTTPConnection(http.client.HTTPConnection):
    """Connects to the vetted address; the Host header still names the URL's host."""

    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT)
        self.address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _VettedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the vetted address; SNI, the certificate check and the Host header name the URL's host."""

    def __init__(self, target: Target) -> None:
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=TIMEOUT, context=self.tls)
        self.address = target.address

    def connect(self) -> None:
        connected = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(connected, server_hostname=self.host)
