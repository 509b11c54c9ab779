"""Reads of the bank registry and regulatory parameters (back office only: no scoping)."""

from __future__ import annotations

from sqlalchemy import Select, select

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
