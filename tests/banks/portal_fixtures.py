"""Shared setup of the portal-side bank tests: banks on the sandbox process, an agent with
certification and operator codes, and HTMX requests with the page's CSRF token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from portal.banks.types import Capability
from portal.demo.banks import STATUS_MAPPINGS
from portal.proposals import mapping
from tests import factories
from tests.banks.helpers import CREDENTIALS
from tests.conftest import csrf_token_from

API = [Capability.BENEFIT_QUERY, Capability.SIMULATE, Capability.SUBMIT, Capability.FETCH_STATUS]


@dataclass
class Seller:
    user: Any
    collaborator: Any


def sandbox_banks(db, sandbox, codes=("facta", "daycoval", "c6"), **fields: Any) -> dict[str, Any]:
    """Bank rows pointing at the sandbox process, with short timeouts and mappings."""
    banks = {}
    for code in codes:
        capabilities = [*API, Capability.RECEIVE_WEBHOOK] if code != "facta" else API
        banks[code] = factories.bank(
            db,
            code,
            base_url=f"{sandbox.url}/{code}",
            credentials=CREDENTIALS[code],
            capabilities=capabilities,
            webhook_secret="segredo-de-teste-webhook",
            **fields,
        )
        for bank_status, status in STATUS_MAPPINGS.get(code, []):
            mapping.set_mapping(db, code, bank_status, status)
    factories.regulatory_defaults(db)
    return banks


def make_seller(db, login_as) -> Seller:
    """A signed-in agent with a valid certification and operator codes at every bank."""
    user = login_as("agent")
    team = factories.org_unit(db, "team")
    collaborator = factories.collaborator(db, user, team)
    factories.certification(db, collaborator, expires_on=date.today() + timedelta(days=200))
    for code in ("facta", "daycoval", "c6"):
        factories.operator_code(db, collaborator, code, secret="senha-operador")
    return Seller(user, collaborator)


def hx_post(client, path: str, data: dict[str, Any] | None = None, token_page: str = "/sales/"):
    """POST as HTMX does from a page: CSRF header from the page, HX-Request set."""
    token = csrf_token_from(client, token_page)
    return client.post(path, data=data or {}, headers={"X-CSRFToken": token, "HX-Request": "true"})
