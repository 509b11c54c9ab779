"""Signed webhooks: verification rules and real deliveries from the sandbox process."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from portal.banks.errors import WebhookRejected
from portal.banks.state import MemoryStore
from portal.banks.webhooks import signed_headers, verify_webhook
from sandbox_bank.scenarios import CPF_MARGIN_OK
from tests.banks.helpers import WEBHOOK_SECRET

BODY = b'{"numeroProposta": "DC0001001", "situacao": "EM ANALISE"}'
NOW = 1_800_000_000.0


def test_good_signature_is_accepted_and_returns_the_event_id():
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt-1", NOW)
    assert verify_webhook(WEBHOOK_SECRET, headers, BODY, MemoryStore(), NOW + 10) == "evt-1"


def test_header_names_are_case_insensitive():
    headers = {k.lower(): v for k, v in signed_headers(WEBHOOK_SECRET, BODY, "e", NOW).items()}
    assert verify_webhook(WEBHOOK_SECRET, headers, BODY, MemoryStore(), NOW) == "e"


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda h, b: (h, b + b" "), "assinatura inválida"),
        (lambda h, b: ({**h, "X-Athenas-Signature": "sha256=00"}, b), "assinatura inválida"),
        (
            lambda h, b: ({k: v for k, v in h.items() if k != "X-Athenas-Signature"}, b),
            "assinatura ausente",
        ),
        (lambda h, b: ({**h, "X-Athenas-Timestamp": "ontem"}, b), "carimbo de tempo inválido"),
    ],
)
def test_tampered_or_incomplete_webhooks_are_rejected(mutate, reason):
    headers, body = mutate(signed_headers(WEBHOOK_SECRET, BODY, "evt", NOW), BODY)
    with pytest.raises(WebhookRejected, match=reason):
        verify_webhook(WEBHOOK_SECRET, headers, body, MemoryStore(), NOW)


def test_wrong_secret_is_rejected():
    headers = signed_headers("outro-segredo", BODY, "evt", NOW)
    with pytest.raises(WebhookRejected, match="assinatura inválida"):
        verify_webhook(WEBHOOK_SECRET, headers, BODY, MemoryStore(), NOW)


def test_stale_timestamp_is_rejected():
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt", NOW)
    with pytest.raises(WebhookRejected, match="fora da janela"):
        verify_webhook(WEBHOOK_SECRET, headers, BODY, MemoryStore(), NOW + 301)
    assert verify_webhook(WEBHOOK_SECRET, headers, BODY, MemoryStore(), NOW + 299) == "evt"


def test_replayed_event_is_rejected():
    store = MemoryStore()
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt-replay", NOW)
    verify_webhook(WEBHOOK_SECRET, headers, BODY, store, NOW)
    with pytest.raises(WebhookRejected, match="já recebido"):
        verify_webhook(WEBHOOK_SECRET, headers, BODY, store, NOW + 1)


def test_replay_with_a_new_event_id_breaks_the_signature():
    """The event id is the replay key, so it is signed: a captured webhook resent under a
    fresh id must not pass."""
    store = MemoryStore()
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt-original", NOW)
    verify_webhook(WEBHOOK_SECRET, headers, BODY, store, NOW)
    forged = {**headers, "X-Athenas-Event-Id": "evt-forjado"}
    with pytest.raises(WebhookRejected, match="assinatura inválida"):
        verify_webhook(WEBHOOK_SECRET, forged, BODY, store, NOW + 1)


def test_missing_secret_rejects_everything():
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt", NOW)
    with pytest.raises(WebhookRejected, match="não configurado"):
        verify_webhook(None, headers, BODY, MemoryStore(), NOW)


def test_replay_memory_is_shared_through_redis(redis_store):
    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt-redis", NOW)
    verify_webhook(WEBHOOK_SECRET, headers, BODY, redis_store(), NOW, bank="c6")
    with pytest.raises(WebhookRejected):
        verify_webhook(WEBHOOK_SECRET, headers, BODY, redis_store(), NOW, bank="c6")


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[str, dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append((self.path, dict(self.headers.items()), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture
def receiver(sandbox):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/webhooks"
    sandbox.control("POST", "/config", json={"webhook_url": url, "webhook_secret": WEBHOOK_SECRET})
    yield _Receiver.received
    sandbox.control("POST", "/config", json={"webhook_url": None, "webhook_secret": None})
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    ("bank", "next_status"),
    [("daycoval", "EM ANALISE"), ("c6", "ASSINADA"), ("master", "EM_ANALISE")],
)
def test_sandbox_delivers_signed_webhooks_the_connector_understands(
    connect, sandbox, receiver, bank, next_status
):
    seeded = sandbox.control("POST", "/proposals", json={"bank": bank, "cpf": CPF_MARGIN_OK})
    number = seeded.json()["number"]
    sandbox.control("POST", f"/proposals/{number}/advance")

    deadline = time.monotonic() + 5
    while not receiver and time.monotonic() < deadline:
        time.sleep(0.05)
    assert receiver, "the sandbox did not deliver the webhook"
    path, headers, body = receiver[0]
    assert path == f"/api/webhooks/{bank}"

    connector = connect(bank)
    updates = connector.parse_webhook(headers, body)
    assert [(u.bank_proposal_number, u.bank_status) for u in updates] == [(number, next_status)]
    with pytest.raises(WebhookRejected, match="já recebido"):
        connector.parse_webhook(headers, body)
    forged = json.dumps(json.loads(body)).replace(next_status, "PAGA").encode()
    with pytest.raises(WebhookRejected):
        connector.parse_webhook(headers, forged)


def test_facta_is_followed_by_polling_not_webhooks(connect):
    from portal.banks.errors import UnsupportedCapability

    headers = signed_headers(WEBHOOK_SECRET, BODY, "evt", time.time())
    with pytest.raises(UnsupportedCapability, match="webhook"):
        connect("facta").parse_webhook(headers, BODY)
