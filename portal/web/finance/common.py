"""Helpers shared by the finance pages: choices, Brazilian numbers from forms, the
DomainError status (a concurrent change is a 409, any other broken rule a 422)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from portal.commissions.models import EXTRA_KIND_LABELS
from portal.commissions.types import COMPANY, LineKind
from portal.core.errors import Conflict, DomainError
from portal.core.money import parse_brl, parse_decimal_br
from portal.extensions import db
from portal.people.models import Collaborator, OrgKind, OrgUnit
from portal.web.bank_names import registered_banks

KIND_CHOICES = [(k.value, k.label) for k in LineKind] + list(EXTRA_KIND_LABELS.items())


def bank_choices() -> list[tuple[str, str]]:
    return list(registered_banks().items())


def collaborator_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(select(Collaborator.id, Collaborator.name).order_by(Collaborator.name))
    return [(str(cid), name) for cid, name in rows]


def sub_correspondent_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(OrgUnit.id, OrgUnit.name)
        .where(OrgUnit.kind == OrgKind.SUB_CORRESPONDENT.value)
        .order_by(OrgUnit.name)
    )
    return [(f"u{uid}", f"{name} (substabelecido)") for uid, name in rows]


def company_choice() -> tuple[str, str]:
    return (COMPANY, "Empresa")


def parse_percent_field(text: str | None, field: str) -> Decimal:
    try:
        return parse_decimal_br((text or "").replace("%", "").strip())
    except ValueError as error:
        raise DomainError(str(error), field=field) from None


def parse_money_field(text: str | None, field: str) -> Decimal:
    try:
        return parse_brl(text or "")
    except ValueError as error:
        raise DomainError(str(error), field=field) from None


def error_status(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 422
