"""Signed webhooks from banks (and from the sandbox bank) to the portal.

Signature: ``X-Athenas-Signature: sha256=<hex>`` where hex is HMAC-SHA256, keyed with the
bank's webhook secret, over ``timestamp + "." + event id + "." + raw body`` — the event id
is signed too, because it is the replay key: changing it must break the signature.
``X-Athenas-Timestamp`` is Unix seconds; ``X-Athenas-Event-Id`` is unique per event. `verify_webhook`
rejects missing or
wrong signatures, timestamps outside the tolerance window and event ids already seen (kept in
the shared store for twice the window, after which the timestamp check rejects them anyway).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from portal.banks.errors import WebhookRejected
from portal.banks.state import StateStore

SIGNATURE_HEADER = "X-Athenas-Signature"
TIMESTAMP_HEADER = "X-Athenas-Timestamp"
EVENT_ID_HEADER = "X-Athenas-Event-Id"


def sign(secret: str, timestamp: str, event_id: str, body: bytes) -> str:
    """Return the signature header value for event `event_id` with `body` sent at `timestamp`."""
    message = timestamp.encode() + b"." + event_id.encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signed_headers(secret: str, body: bytes, event_id: str, now: float) -> dict[str, str]:
    """Headers a sender attaches to a webhook POST."""
    timestamp = str(int(now))
    return {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(secret, timestamp, event_id, body),
        TIMESTAMP_HEADER: timestamp,
        EVENT_ID_HEADER: event_id,
    }


def verify_webhook(
    secret: str | None,
    headers: Mapping[str, str],
    body: bytes,
    store: StateStore,
    now: float,
    tolerance_s: float = 300,
    *,
    bank: str = "",
) -> str:
    """Check a received webhook; return its event id or raise `WebhookRejected`."""
    if not secret:
        raise WebhookRejected("Webhook recusado: segredo do banco não configurado", bank)
    lower = {key.lower(): value for key, value in headers.items()}
    signature = lower.get(SIGNATURE_HEADER.lower())
    timestamp = lower.get(TIMESTAMP_HEADER.lower())
    event_id = lower.get(EVENT_ID_HEADER.lower())
    if not signature or not timestamp or not event_id:
        raise WebhookRejected("Webhook recusado: assinatura ausente", bank)
    try:
        if not timestamp.isascii():  # int() reads other scripts' digits too
            raise ValueError(timestamp)
        sent_at = int(timestamp)
    except ValueError:
        raise WebhookRejected("Webhook recusado: carimbo de tempo inválido", bank) from None
    # Bytes, not str: `compare_digest` raises on non-ASCII text, and a header is attacker text.
    expected = sign(secret, timestamp, event_id, body).encode()
    if not hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
        raise WebhookRejected("Webhook recusado: assinatura inválida", bank)
    if abs(now - sent_at) > tolerance_s:
        raise WebhookRejected("Webhook recusado: mensagem fora da janela de tempo permitida", bank)
    event_key = f"webhook:{bank}:{hashlib.sha256(event_id.encode()).hexdigest()[:32]}"
    if not store.set_if_absent(event_key, "1", tolerance_s * 2):
        raise WebhookRejected("Webhook recusado: evento já recebido (reenvio)", bank)
    return event_id
