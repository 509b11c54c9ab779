"""The bank registry as views see it: names and liquidation flags read once per request."""

from __future__ import annotations

from flask import g

from portal.banks.queries import bank_registry
from portal.extensions import db


def _registry() -> list[tuple[str, str, bool]]:
    if "_bank_registry" not in g:
        g._bank_registry = bank_registry(db.session)
    return g._bank_registry


def registered_banks() -> dict[str, str]:
    """Registered banks, code → name (one query per request, shared with the flags below)."""
    if "_registered_banks" not in g:
        g._registered_banks = {code: name for code, name, _ in _registry()}
    return g._registered_banks


def banks_under_liquidation() -> frozenset[str]:
    """Codes of the banks the admin flagged as under extrajudicial liquidation (disabled
    banks included, since their old proposals are still shown)."""
    if "_banks_under_liquidation" not in g:
        g._banks_under_liquidation = frozenset(code for code, _, flagged in _registry() if flagged)
    return g._banks_under_liquidation


def bank_label(code: str) -> str:
    """The bank's registered name; the code itself for a bank since removed."""
    return registered_banks().get(code, code.upper())
