"""Demo statements: drafts for both closed demo periods, and the demo agent's approved
with their PDFs (the others stay drafts, for finance to approve as a job in the demo).
Only a few PDFs are rendered, so the seed stays quick."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.models import CommissionPeriod, PeriodState
from portal.commissions.statements import service
from portal.commissions.statements.models import Statement
from portal.core.audit import Actor
from portal.people.models import Collaborator, User
from portal.web.statement_pdf import render_statement_pdf

FINANCE = Actor(id=None, label="Fábio Financeiro (demonstração)")
DEMO_AGENT = "agente@demo.athenas"


def seed_statements(session: Session) -> None:
    if not has_app_context() or session.scalar(select(Statement.id).limit(1)) is not None:
        return
    storage = Path(current_app.config["STORAGE_DIR"])
    closed = session.scalars(
        select(CommissionPeriod.period).where(CommissionPeriod.state == PeriodState.CLOSED.value)
    ).all()
    agent = session.scalar(
        select(Collaborator.id).join(User, User.id == Collaborator.user_id).where(User.email == DEMO_AGENT)
    )
    for period in closed:
        service.generate_drafts(session, FINANCE, period)
        for statement in session.scalars(
            select(Statement).where(Statement.period == period, Statement.collaborator_id == agent)
        ):
            service.approve(session, FINANCE, statement, render_statement_pdf, storage)
