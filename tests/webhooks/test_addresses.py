"""Webhooks go only to the public internet, over HTTPS, to the address that was vetted."""

import datetime
import ipaddress
import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.checks import run_checks

from tests.conftest import deliver
from tests.webhooks.conftest import record, resolving
from webhooks import outbound
from webhooks.endpoints import register_endpoint
from webhooks.models import Delivery, Endpoint


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "100.64.0.1",  # carrier-grade NAT
        "169.254.169.254",  # cloud metadata
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "fec0::1",  # IPv6 site-local (deprecated, but still routed inside some networks)
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2001:db8::1",  # documentation
    ],
)
def test_no_private_loopback_link_local_multicast_reserved_or_unspecified_address_receives(address):
    assert outbound.may_receive(ipaddress.ip_address(address)) is False


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8"])
def test_public_addresses_receive(address):
    assert outbound.may_receive(ipaddress.ip_address(address)) is True


def test_loopback_receives_only_when_allowed():
    assert outbound.may_receive(ipaddress.ip_address("127.0.0.1"), loopback=True) is True
    assert outbound.may_receive(ipaddress.ip_address("10.0.0.1"), loopback=True) is False


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://partner.example/hooks", "Only https://"),
        ("https://intranet.example/hooks", "not a public internet address"),
        ("https://127.0.0.1/hooks", "not a public internet address"),
        ("https://[::1]/hooks", "not a public internet address"),
        ("https://user:pw@partner.example/hooks", "user name or password"),
        ("https://nowhere.invalid/hooks", "does not resolve"),
    ],
)
def test_a_url_that_may_not_receive_is_refused_when_registered(register, settings, monkeypatch, url, reason):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    resolving(monkeypatch, {"partner.example": "93.184.215.14", "intranet.example": "10.0.0.7"})
    with pytest.raises(outbound.RefusedAddress, match=reason):
        register_endpoint(url=url, events=["endorsement.recorded"], owner_email="ops@partner.example", created_by=None)
    assert Endpoint.objects.count() == 0


def test_a_host_with_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    real = outbound.socket.getaddrinfo

    def two_answers(host, port, *args, **kwargs):
        return real("93.184.215.14", port, *args, **kwargs) + real("10.0.0.7", port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", two_answers)
    with pytest.raises(outbound.RefusedAddress, match="10.0.0.7"):
        outbound.vet("https://partner.example/hooks")


def test_delivery_refuses_loopback_once_it_is_no_longer_allowed(endpoint, receiver, initiative, recorder, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    record(initiative, "FRA", recorder)
    deliver()
    assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, None)
    assert "Only https://" in delivery.last_error  # tried again later, refused again unless allowed


def test_delivery_refuses_a_host_whose_dns_now_points_inside(register, receiver, initiative, recorder, monkeypatch):
    port = receiver.server.server_address[1]
    resolving(monkeypatch, {"partner.example": "127.0.0.1"})
    registered = register_endpoint(
        url=f"http://partner.example:{port}/hooks",
        events=["endorsement.recorded"],
        owner_email="o@p.example",
        created_by=None,
    )
    resolving(monkeypatch, {"partner.example": "10.0.0.7"})  # rebinding after the check
    record(initiative, "FRA", recorder)
    deliver()
    assert receiver.requests == []
    delivery = Delivery.objects.get(endpoint=registered)
    assert "10.0.0.7" in delivery.last_error and delivery.status == "pending"


def _certificate(tmp_path, host: str):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


def test_https_goes_to_the_vetted_address_with_the_host_name_in_sni_and_the_host_header(
    register, settings, initiative, recorder, monkeypatch, tmp_path
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # the partner's server is on this host
    cert_file, key_file = _certificate(tmp_path, "partner.example")
    seen: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen["host"] = self.headers["Host"]
            self.send_response(204)
            self.end_headers()

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)

    def sni(connection, name, context):
        seen["sni"] = name

    tls.sni_callback = sni
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    resolving(monkeypatch, {"partner.example": "127.0.0.1"})
    trusting = ssl.create_default_context(cafile=str(cert_file))
    monkeypatch.setattr(outbound.ssl, "create_default_context", lambda: trusting)
    try:
        register_endpoint(
            url=f"https://partner.example:{port}/hooks",
            events=["endorsement.recorded"],
            owner_email="o@p.example",
            created_by=None,
        )
        record(initiative, "FRA", recorder)
        deliver()
    finally:
        server.shutdown()
        server.server_close()
    assert seen == {"sni": "partner.example", "host": f"partner.example:{port}"}
    assert Delivery.objects.get().status == "delivered"


def test_check_deploy_warns_only_while_loopback_is_allowed(settings):
    def found() -> set[str]:
        return {message.id for message in run_checks(include_deployment_checks=True, tags=["security"])}

    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert "webhooks.W001" not in found()
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    assert "webhooks.W001" in found()


def test_the_connection_goes_to_the_vetted_address_not_to_a_second_lookup(
    register, receiver, initiative, recorder, monkeypatch
):
    port = receiver.server.server_address[1]
    resolving(monkeypatch, {"partner.example": "127.0.0.1"})
    register_endpoint(
        url=f"http://partner.example:{port}/hooks",
        events=["endorsement.recorded"],
        owner_email="o@p.example",
        created_by=None,
    )
    real, answers = outbound.socket.getaddrinfo, iter(["127.0.0.1"])

    def rebinding(host, port, *args, **kwargs):
        if host == "partner.example":  # the vetting's lookup; any later one would get elsewhere
            return real(next(answers, "192.0.2.1"), port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(outbound.socket, "getaddrinfo", rebinding)
    record(initiative, "FRA", recorder)
    deliver()
    [request] = receiver.requests
    assert request.headers["Host"] == f"partner.example:{port}"
    assert Delivery.objects.get().status == "delivered"


def test_an_answer_trickled_a_byte_at_a_time_is_cut_off_at_the_deadline(settings, monkeypatch):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    monkeypatch.setattr(outbound, "TIMEOUT", 0.5)  # each byte comes sooner than this
    monkeypatch.setattr(outbound, "DEADLINE", 1.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def trickle():
        client, _address = listener.accept()
        with client:
            client.recv(65536)
            client.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                try:
                    client.sendall(b"X")
                except OSError:
                    return
                time.sleep(0.2)

    server = threading.Thread(target=trickle, daemon=True)
    server.start()
    started = time.monotonic()
    try:
        with pytest.raises(outbound.SendingFailed, match="No complete answer within 1 seconds"):
            outbound.post(url=f"http://127.0.0.1:{listener.getsockname()[1]}/hook", body=b"{}", headers={})
        assert time.monotonic() - started < 3
    finally:
        stop.set()
        listener.close()
