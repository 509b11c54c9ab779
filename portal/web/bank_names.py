"""The bank registry as views see it: names cached once per request."""

from __future__ import annotations

from flask import g

from portal.banks.queries import bank_names
from portal.extensions import db


def registered_banks() -> dict[str, str]:
    """Registered banks, code → name (one query per request)."""
    if "_registered_banks" not in g:
        g._registered_banks = bank_names(db.session)
    return g._registered_banks


def bank_label(code: str) -> str:
    """The bank's registered name; the code itself for a bank since removed."""
    return registered_banks().get(code, code.upper())
