"""`POST /api/banks/<bank>/webhook`: signed status notifications from banks.

No login and no CSRF token (the bank is the caller); the HMAC signature, the timestamp
window and the replay memory authenticate it instead. Answers are JSON: 200 when stored
(or already stored), 401 for an unsigned, badly signed, stale or replayed message, 404 for a
bank that does not send webhooks, 400 for a body we cannot read.
"""

from __future__ import annotations

import logging

from flask import Response, jsonify, request

from portal.banks import inbox
from portal.banks import service as banks
from portal.banks.call_log import record_call
from portal.banks.errors import BankError, MalformedResponse, UnsupportedCapability, WebhookRejected
from portal.banks.registry import build_connector
from portal.banks.types import Capability
from portal.banks.webhooks import EVENT_ID_HEADER
from portal.core.errors import NotFound
from portal.extensions import csrf, db
from portal.proposals import bank_sync
from portal.web.access import public
from portal.web.api import bp
from portal.web.bank_store import bank_store
from portal.web.security import keep_writes

log = logging.getLogger("portal.banks")


def _error(status: int, message: str) -> Response:
    response = jsonify(status="erro", mensagem=message)
    response.status_code = status
    return response


def _refused(bank_code: str, outcome: str, message: str, status: int) -> Response:
    """Answer a refused webhook and keep its row in the call log (the admin's health page
    counts rejections), although the response is an error."""
    record_call(db.session, bank_code, "webhook", outcome, detail=message)
    keep_writes()
    return _error(status, message)


@bp.route("/api/banks/<bank>/webhook", methods=["POST"])
@public
@csrf.exempt
def bank_webhook(bank: str) -> Response:
    try:
        row = banks.get_bank(db.session, bank)
    except NotFound:
        return _error(404, "Banco não encontrado")
    if not row.has(Capability.RECEIVE_WEBHOOK):
        return _error(404, f"O banco {row.name} não envia notificações para o Athenas")
    connector = build_connector(banks.settings_for(row), bank_store())
    body = request.get_data(cache=False)
    try:
        updates = connector.parse_webhook(dict(request.headers), body)
    except WebhookRejected as error:
        log.warning("webhook rejected bank=%s reason=%s", bank, error.message)
        return _refused(row.code, "rejected_signature", error.message, 401)
    except UnsupportedCapability as error:
        return _error(404, error.message)
    except MalformedResponse:
        log.warning("webhook unreadable bank=%s", bank)
        return _refused(row.code, "unreadable", "Conteúdo da notificação ilegível", 400)
    except BankError as error:
        return _refused(row.code, "refused", error.message, 400)
    event_id = request.headers.get(EVENT_ID_HEADER, "")
    event = inbox.receive(db.session, row.code, event_id, updates)
    record_call(db.session, row.code, "webhook", "ok" if event is not None else "duplicate")
    if event is None:
        return jsonify(status="ok", duplicado=True, atualizacoes=0)
    bank_sync.apply_event(db.session, event)  # statuses change now; the periodic sync is the net
    log.info("webhook stored bank=%s updates=%d", bank, len(updates))
    return jsonify(status="ok", duplicado=False, atualizacoes=len(updates))
