import datetime
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from initiatives.endorsing import record_endorsement
from members.models import MemberState
from tests.conftest import sign_in, turn_on_mfa
from tests.factories import InitiativeFactory, UserFactory
from webhooks.endpoints import register_endpoint
from webhooks.models import Endpoint, Event

ROLES = {"editor": "Secretariat editors", "admin": "Secretariat admins"}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def verified(self, secret: str) -> dict:
        """The payload, once its Standard Webhooks signature is verified with the secret (raises otherwise)."""
        return Webhook(secret).verify(self.body, self.headers)


class Receiver:
    """A partner's endpoint on loopback: keeps each request and answers with the next scripted
    status (200 when none is left); a 3xx points elsewhere on the same server."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.answers: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append(Received(self.command, self.path, dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", f"{receiver.base}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_GET = _answer

            def log_message(self, format, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/hooks?partner=1"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def ids(self) -> list[str]:
        return [request.headers["webhook-id"] for request in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def endpoint(register, receiver) -> Endpoint:
    """An endpoint of the receiver for every event, registered now: the log's history is behind it."""
    return register_endpoint(url=receiver.url, events=Event.values, owner_email="ops@partner.example", created_by=None)


@pytest.fixture
def initiative(register):
    return InitiativeFactory(slug="digital-commons")


@pytest.fixture
def recorder(register):
    return UserFactory(email="recorder@secretariat.example", is_staff=True)


def record(initiative, code: str, recorder):
    return record_endorsement(
        initiative=initiative,
        member_state=MemberState.objects.get(code=code),
        endorsed_on=timezone.localdate(),
        recorded_by=recorder,
        source_url="https://example.org/note-verbale",
        announce=False,
    )


def retries_due_now() -> None:
    """Bring every task waiting for its next attempt forward to now, instead of waiting."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - datetime.timedelta(seconds=1))


def payload(request: Received) -> dict:
    return json.loads(request.body)


@pytest.fixture
def staff(register):
    """A signed-in staff member with a second factor: a secretariat editor or admin."""

    def build(role: str) -> tuple:
        user = UserFactory(email=f"{role}@secretariat.example", is_staff=True)
        turn_on_mfa(user)
        user.groups.add(Group.objects.get(name=ROLES[role]))
        return user, sign_in(Client(), user)

    return build


def resolving(monkeypatch, names: dict[str, str]) -> None:
    """DNS as the test says for these host names (others as usual)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return real(names[host], port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
