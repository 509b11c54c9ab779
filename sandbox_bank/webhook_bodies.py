"""Webhook bodies in each bank's dialect (Facta sends none: it is followed by polling)."""

from __future__ import annotations

import json

from sandbox_bank import c6, daycoval, master
from sandbox_bank.core import Proposal


def webhook_body(proposal: Proposal) -> bytes | None:
    """The raw body the bank would POST for the proposal's latest status, or None."""
    if proposal.bank == "daycoval":
        payload: object = {"evento": "SITUACAO_PROPOSTA", **daycoval.row(proposal)}
    elif proposal.bank == "c6":
        payload = {"eventos": [{"tipo": "proposta.status", **c6.row(proposal)}]}
    elif proposal.bank == "master":
        payload = [master.row(proposal)]
    else:
        return None
    return json.dumps(payload, ensure_ascii=False).encode()
