"""`POST /api/banks/<bank>/webhook`: signed, fresh, unique notifications only; stored once."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from portal.banks.models import WebhookEvent
from portal.banks.state import MemoryStore
from portal.banks.types import Capability
from portal.banks.webhooks import signed_headers
from portal.web.bank_store import KEY as STORE_KEY
from sandbox_bank.scenarios import CPF_MARGIN_OK
from tests import factories
from tests.banks.helpers import WEBHOOK_SECRET

URL = "/api/banks/daycoval/webhook"


def _body(number: str = "DC0001001", status: str = "EM ANALISE") -> bytes:
    payload = {
        "evento": "SITUACAO_PROPOSTA",
        "numeroProposta": number,
        "situacao": status,
        "dataHoraSituacao": "2026-01-10T12:00:00+00:00",
        "observacao": f"Cliente CPF {CPF_MARGIN_OK} em análise",
    }
    return json.dumps(payload).encode()


@pytest.fixture
def daycoval(db):
    return factories.bank(
        db,
        "daycoval",
        credentials={"apikey": "k"},
        capabilities=[Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK],
        webhook_secret=WEBHOOK_SECRET,
    )


def _post(client, body: bytes, headers: dict[str, str], url: str = URL):
    return client.post(url, data=body, headers=headers)


def _events(db) -> list[WebhookEvent]:
    return list(db.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def test_signed_notification_is_stored_without_personal_data(client, db, daycoval):
    body = _body()
    event_id = uuid.uuid4().hex

    response = _post(client, body, signed_headers(WEBHOOK_SECRET, body, event_id, time.time()))

    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json == {"status": "ok", "duplicado": False, "atualizacoes": 1}
    [event] = _events(db)
    assert (event.bank_code, event.event_id) == ("daycoval", event_id)
    assert event.processed_at is not None  # applied at once (no proposal of ours has this number)
    assert event.payload[0]["number"] == "DC0001001"
    assert event.payload[0]["status"] == "EM ANALISE"
    assert CPF_MARGIN_OK not in json.dumps(event.payload)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda h, b: (h, b.replace(b"EM ANALISE", b"PAGA")), "assinatura inválida"),
        (lambda h, b: ({k: v for k, v in h.items() if "Signature" not in k}, b), "assinatura ausente"),
        (lambda h, b: ({"Content-Type": "application/json"}, b), "assinatura ausente"),
    ],
)
def test_unsigned_or_tampered_notifications_get_401_and_store_nothing(client, db, daycoval, tamper, reason):
    body = _body()
    headers, sent = tamper(signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time()), body)

    response = _post(client, sent, headers)

    assert response.status_code == 401
    assert reason in response.json["mensagem"]
    assert _events(db) == []


def test_wrong_secret_is_refused(client, db, daycoval):
    body = _body()
    response = _post(client, body, signed_headers("outro-segredo-qualquer", body, "e1", time.time()))
    assert response.status_code == 401
    assert _events(db) == []


def test_stale_notification_is_refused(client, db, daycoval):
    body = _body()
    response = _post(client, body, signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time() - 3600))
    assert response.status_code == 401
    assert "fora da janela" in response.json["mensagem"]


def test_replayed_notification_is_refused_and_stored_once(client, db, daycoval):
    body = _body()
    headers = signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time())

    assert _post(client, body, headers).status_code == 200
    replay = _post(client, body, headers)

    assert replay.status_code == 401
    assert "já recebido" in replay.json["mensagem"]
    assert len(_events(db)) == 1


def test_redelivery_after_replay_memory_is_lost_changes_nothing(app, client, db, daycoval):
    body = _body()
    headers = signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time())
    assert _post(client, body, headers).status_code == 200
    original = app.extensions[STORE_KEY]
    app.extensions[STORE_KEY] = MemoryStore()  # e.g. a restart without Redis
    try:
        again = _post(client, body, headers)
    finally:
        app.extensions[STORE_KEY] = original

    assert again.status_code == 200
    assert again.json["duplicado"] is True
    assert len(_events(db)) == 1


def test_banks_that_send_no_webhooks_answer_404(client, db):
    factories.bank(db, "facta")
    body = _body()
    response = _post(
        client, body, signed_headers(WEBHOOK_SECRET, body, "e", time.time()), url="/api/banks/facta/webhook"
    )
    assert response.status_code == 404
    assert _post(client, body, {}, url="/api/banks/nenhum/webhook").status_code == 404


@pytest.fixture
def live_portal(app, db) -> Iterator[str]:
    """The test app served on a loopback port (shares the test's transaction)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


def test_real_deliveries_from_the_sandbox_process_are_stored(sandbox, live_portal, db, daycoval):
    sandbox.control(
        "POST",
        "/config",
        json={"webhook_url": f"{live_portal}/api/banks/{{bank}}/webhook", "webhook_secret": WEBHOOK_SECRET},
    )
    try:
        before = len(sandbox.control("GET", "/webhooks").json()["deliveries"])
        seeded = sandbox.control("POST", "/proposals", json={"bank": "daycoval", "cpf": CPF_MARGIN_OK}).json()
        sandbox.control("POST", f"/proposals/{seeded['number']}/advance")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            deliveries = sandbox.control("GET", "/webhooks").json()["deliveries"][before:]
            if deliveries:
                break
            time.sleep(0.05)
        assert deliveries and deliveries[0]["status"] == 200, deliveries
    finally:
        sandbox.control("POST", "/config", json={"webhook_url": None, "webhook_secret": None})
    count = db.scalar(select(func.count()).select_from(WebhookEvent))
    assert count == 1
    [event] = _events(db)
    assert event.payload[0]["number"] == seeded["number"]
    assert event.payload[0]["status"] == "EM ANALISE"


def test_non_ascii_signature_is_refused_not_a_server_error(client, db, daycoval):
    body = _body()
    headers = signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time())
    headers["X-Athenas-Signature"] = "sha256=çãé"
    response = _post(client, body, headers)
    assert response.status_code == 401
    assert "assinatura inválida" in response.json["mensagem"]
    assert _events(db) == []


AT = "2026-01-10T12:00:00"


@pytest.mark.parametrize(
    ("bank", "payload"),
    [
        ("c6", {"eventos": 5}),
        ("c6", {"eventos": "abc"}),
        ("c6", {"eventos": [{"numero_proposta": "C61", "status": {"x": 1}, "atualizado_em": AT}]}),
        ("daycoval", {"numeroProposta": "DC1", "situacao": {"codigo": "PAGA"}, "dataHoraSituacao": AT}),
        ("daycoval", {"numeroProposta": ["DC1"], "situacao": "PAGA", "dataHoraSituacao": AT}),
        ("daycoval", {"numeroProposta": "DC1", "situacao": True, "dataHoraSituacao": AT}),
        ("daycoval", [5, "x"]),
        ("daycoval", {"numeroProposta": "DC1", "situacao": "PAGA\u0000", "dataHoraSituacao": AT}),
    ],
)
def test_signed_body_with_the_wrong_json_types_is_refused_as_unreadable(client, db, bank, payload):
    factories.bank(
        db,
        bank,
        credentials={"apikey": "k"},
        capabilities=[Capability.FETCH_STATUS, Capability.RECEIVE_WEBHOOK],
        webhook_secret=WEBHOOK_SECRET,
    )
    body = json.dumps(payload).encode()
    headers = signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time())

    response = _post(client, body, headers, url=f"/api/banks/{bank}/webhook")

    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.json["mensagem"] == "Conteúdo da notificação ilegível"
    assert _events(db) == []


def test_nul_characters_in_a_banks_note_are_dropped_not_a_server_error(client, db, daycoval):
    payload = {"numeroProposta": "DC0001001", "situacao": "EM ANALISE", "dataHoraSituacao": AT}
    body = json.dumps({**payload, "observacao": "em\u0000 análise"}).encode()

    response = _post(client, body, signed_headers(WEBHOOK_SECRET, body, uuid.uuid4().hex, time.time()))

    assert response.status_code == 200, response.get_data(as_text=True)
    [event] = _events(db)
    assert event.payload[0]["status"] == "EM ANALISE"
    assert event.payload[0]["detail"] == "em análise"
