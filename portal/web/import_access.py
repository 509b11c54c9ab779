"""Who may see and run each kind of import in the hub's pages.

Finance runs bank reports and commission tables; operations runs the proposals and
clients spreadsheets (the same people who could import or register them before the hub).
Managers read the finance kinds. A kind not listed follows its `audience`.
"""

from __future__ import annotations

from flask_login import current_user

from portal.core.errors import Forbidden
from portal.core.imports.kinds import get_kind, kind_choices
from portal.core.imports.models import DataImport
from portal.people.permissions import Permission

P = Permission
_FINANCE_MANAGE = (P.FINANCE, P.COMMISSIONS_MANAGE)
_FINANCE_VIEW = (P.FINANCE, P.COMMISSIONS_VIEW)
MANAGE: dict[str, tuple[Permission, ...]] = {
    "bank-report": _FINANCE_MANAGE,
    "commission-table": _FINANCE_MANAGE,
    "proposals": (P.OPERATIONS, P.PIPELINE_MANAGE),
    "clients": (P.OPERATIONS, P.CLIENTS_EDIT),
}
VIEW: dict[str, tuple[Permission, ...]] = {
    "bank-report": _FINANCE_VIEW,
    "commission-table": _FINANCE_VIEW,
    "proposals": (P.OPERATIONS, P.PIPELINE_MANAGE),
    "clients": (P.OPERATIONS, P.CLIENTS_EDIT),
}
#: the route-level gates (any of them); each record is then checked by its kind
ANY_VIEW = (P.COMMISSIONS_VIEW, P.PIPELINE_MANAGE, P.CLIENTS_EDIT)
ANY_MANAGE = (P.COMMISSIONS_MANAGE, P.PIPELINE_MANAGE, P.CLIENTS_EDIT)
_BY_AUDIENCE = {"finance": (_FINANCE_VIEW, _FINANCE_MANAGE), "operations": ((P.PIPELINE_MANAGE,),) * 2}


def _needs(kind: str, manage: bool) -> tuple[Permission, ...]:
    table = MANAGE if manage else VIEW
    if kind in table:
        return table[kind]
    view, run = _BY_AUDIENCE.get(get_kind(kind).audience, _BY_AUDIENCE["finance"])
    return run if manage else view


def can(kind: str, manage: bool = False) -> bool:
    return current_user.is_authenticated and all(current_user.can(p) for p in _needs(kind, manage))


def kinds_for(manage: bool = False) -> list[tuple[str, str]]:
    """(name, label) of the kinds the signed-in user may see (or run)."""
    return [(name, label) for name, label in kind_choices() if can(name, manage)]


def check(record: DataImport, manage: bool = False) -> DataImport:
    if not can(record.kind, manage):
        raise Forbidden("Você não tem acesso a este tipo de importação.")
    return record
