"""Statements a user may see, through the one scoping rule: agents their own, supervisors
their team's, finance all (`people.scope.visible_collaborator_ids`). Statements of
sub-correspondents (no collaborator) only unscoped users see. Outside scope = NotFound."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.commissions.statements.models import Statement, StatementState
from portal.core.errors import NotFound
from portal.people.models import User
from portal.people.scope import visible_collaborator_ids

NOT_FOUND = "Extrato não encontrado."


@dataclass(frozen=True)
class StatementFilter:
    period: str = ""
    state: str = ""
    payee: str = ""  # part of the payee's name or e-mail
    store: str = ""


def statements_query(session: Session, user: User, filters: StatementFilter = StatementFilter()) -> Select:
    stmt = select(Statement)
    visible = visible_collaborator_ids(session, user)
    if visible is not None:
        stmt = stmt.where(Statement.collaborator_id.in_(visible))
    if filters.period:
        stmt = stmt.where(Statement.period == filters.period)
    if filters.state in {s.value for s in StatementState}:
        stmt = stmt.where(Statement.state == filters.state)
    if filters.payee:
        like = f"%{filters.payee.strip().lower()}%"
        stmt = stmt.where(Statement.payee_name.ilike(like) | Statement.payee.ilike(like))
    if filters.store:
        stmt = stmt.where(Statement.store_name == filters.store)
    return stmt.order_by(Statement.period.desc(), Statement.payee_name, Statement.id)


def list_statements(
    session: Session, user: User, filters: StatementFilter = StatementFilter(), limit: int = 500
) -> list[Statement]:
    return list(session.scalars(statements_query(session, user, filters).limit(limit)))


def get_statement_for(
    session: Session, user: User, statement_id: int, *, approved_only: bool = False
) -> Statement:
    """The statement if the user may see it; NotFound otherwise (never "forbidden": that
    would tell a statement exists). Sales users see only approved ones."""
    stmt = statements_query(session, user).where(Statement.id == statement_id)
    if approved_only:
        stmt = stmt.where(Statement.state != StatementState.DRAFT.value)
    statement = session.scalar(stmt)
    if statement is None:
        raise NotFound(NOT_FOUND)
    return statement


def periods_with_statements(session: Session) -> list[str]:
    return list(session.scalars(select(Statement.period).distinct().order_by(Statement.period.desc())))


def stores(session: Session) -> list[str]:
    return [
        s
        for s in session.scalars(select(Statement.store_name).distinct().order_by(Statement.store_name))
        if s
    ]


def drafts_between(session: Session, period: str, first: int, last: int) -> list[int]:
    """Ids of the drafts of `period` with ids first..last, in order (a period job's chunk)."""
    stmt = (
        select(Statement.id)
        .where(
            Statement.period == period,
            Statement.state == StatementState.DRAFT.value,
            Statement.id.between(first, last),
        )
        .order_by(Statement.id)
    )
    return list(session.scalars(stmt))


def still_draft(session: Session, ids: list[int]) -> list[int]:
    """Which of `ids` are still drafts, in order."""
    if not ids:
        return []
    stmt = (
        select(Statement.id)
        .where(Statement.id.in_(ids), Statement.state == StatementState.DRAFT.value)
        .order_by(Statement.id)
    )
    return list(session.scalars(stmt))


def count_approved(session: Session, ids: list[int]) -> int:
    """How many of `ids` are no longer drafts."""
    if not ids:
        return 0
    stmt = select(func.count()).where(Statement.id.in_(ids), Statement.state != StatementState.DRAFT.value)
    return int(session.scalar(stmt) or 0)


def statements_by_ids(session: Session, ids: list[int]) -> list[Statement]:
    """The statements of `ids`, in id order."""
    return list(session.scalars(select(Statement).where(Statement.id.in_(ids)).order_by(Statement.id)))

