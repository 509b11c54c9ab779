"""Reads of the bank registry and regulatory parameters (back office only: no scoping)."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from portal.banks.models import Bank, RegulatoryParameter


def banks_query(enabled: str = "") -> Select:
    """Banks, optionally only enabled ("1") or disabled ("0") ones."""
    stmt = select(Bank)
    if enabled:
        stmt = stmt.where(Bank.enabled.is_(enabled == "1"))
    return stmt


def parameters_query(name: str = "") -> Select:
    """Every version of the regulatory parameters, optionally of one name."""
    stmt = select(RegulatoryParameter)
    if name:
        stmt = stmt.where(RegulatoryParameter.name == name)
    return stmt


def bank_names(session: Session) -> dict[str, str]:
    """Every registered bank, code → name, by name: the only banks filters, forms, operator
    codes and imports offer (a disabled bank stays: its old proposals are still filtered)."""
    return {code: name for code, name, _ in bank_registry(session)}


_REGISTRY = select(Bank.code, Bank.name, Bank.under_liquidation).order_by(Bank.name)  # built once


def bank_registry(session: Session) -> list[tuple[str, str, bool]]:
    """(code, name, under liquidation) of every registered bank, by name, in one query that
    reads no credentials (pages showing names and the liquidation warning share it)."""
    rows = session.execute(_REGISTRY)
    return [(code, name, bool(liquidation)) for code, name, liquidation in rows]
