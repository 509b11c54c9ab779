"""Bank operator codes: the code or login each bank knows a collaborator by.

One per (collaborator, bank); a code belongs to one collaborator per bank, which is what
lets a bank report's line be matched to a person. The optional secret (password or
token) is encrypted at rest, audited when set, and never returned to a page.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core import audit
from portal.core.audit import Actor
from portal.core.db import utcnow
from portal.core.errors import DomainError, NotFound
from portal.people import validation
from portal.people.models import Collaborator, OperatorCode

SECRET_MAX = 500


def operator_codes_of(session: Session, collaborator: Collaborator) -> list[OperatorCode]:
    return list(
        session.scalars(
            select(OperatorCode)
            .where(OperatorCode.collaborator_id == collaborator.id)
            .order_by(OperatorCode.bank_code)
        )
    )


def operator_code_for(session: Session, collaborator_id: int, bank_code: str) -> OperatorCode | None:
    """The collaborator's code at `bank_code` (to submit proposals in their name)."""
    return session.scalar(
        select(OperatorCode).where(
            OperatorCode.collaborator_id == collaborator_id, OperatorCode.bank_code == bank_code
        )
    )


def collaborator_by_operator_code(session: Session, bank_code: str, code: str) -> Collaborator | None:
    """Who a bank report line belongs to: exact match on (bank, code), spaces trimmed."""
    return session.scalar(
        select(Collaborator)
        .join(OperatorCode, OperatorCode.collaborator_id == Collaborator.id)
        .where(OperatorCode.bank_code == bank_code, OperatorCode.operator_code == (code or "").strip())
    )


def set_operator_code(
    session: Session,
    actor: Actor,
    collaborator: Collaborator,
    *,
    bank_code: str,
    operator_code: str,
    banks: Collection[str],
    secret: str | None = None,
    clear_secret: bool = False,
) -> OperatorCode:
    """Create or update the collaborator's code at a bank. `banks` are the registered bank
    codes (the caller reads the registry, which sits above people). A blank `secret` keeps
    the stored one; `clear_secret` removes it."""
    bank = validation.choice(bank_code, banks, "bank_code", "Banco desconhecido.")
    code = validation.text(operator_code, "operator_code", "o código ou login no banco", 60)
    if secret is not None and len(secret) > SECRET_MAX:
        raise DomainError(f"Máximo de {SECRET_MAX} caracteres.", field="secret")
    holder = session.scalar(
        select(func.count()).where(
            OperatorCode.bank_code == bank,
            OperatorCode.operator_code == code,
            OperatorCode.collaborator_id != collaborator.id,
        )
    )
    if holder:
        raise DomainError("Este código já pertence a outro colaborador neste banco.", field="operator_code")
    record = operator_code_for(session, collaborator.id, bank)
    created = record is None
    if record is None:
        record = OperatorCode(collaborator_id=collaborator.id, bank_code=bank, operator_code=code)
        session.add(record)
    record.operator_code = code  # type: ignore[assignment]
    secret_changed = False
    if clear_secret:
        secret_changed = record.secret is not None
        record.secret = None
        record.secret_set_at = None
    elif secret:
        record.secret = secret
        record.secret_set_at = utcnow()
        secret_changed = True
    record.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "operator_code.created" if created else "operator_code.updated",
        f"collaborator:{collaborator.id}",
        {"bank": bank, "secret_changed": secret_changed},
    )
    return record


def get_operator_code(session: Session, collaborator: Collaborator, code_id: int) -> OperatorCode:
    record = session.get(OperatorCode, code_id)
    if record is None or record.collaborator_id != collaborator.id:
        raise NotFound("Código de operador não encontrado.")
    return record


def delete_operator_code(session: Session, actor: Actor, record: OperatorCode) -> None:
    session.delete(record)
    session.flush()
    audit.record(
        session,
        actor,
        "operator_code.deleted",
        f"collaborator:{record.collaborator_id}",
        {"bank": record.bank_code},
    )
