"""Demo data for `make run` and `flask seed-demo`: idempotent steps run in order.

Later domains add their own steps to `steps()`; each step must be safe to run twice.
The step modules are imported when seeding, not with this package: `portal.demo.jobs`
registers a job kind at start-up and must not drag the whole demo (and what it imports) in.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.audit import SYSTEM
from portal.people import mfa, services
from portal.people.models import User

DEMO_PASSWORD = "athenas-demo"  # noqa: S105 - documented demo credential
DEMO_USERS = [
    ("agente@demo.athenas", "Ana Corretora", "agent"),
    ("supervisor@demo.athenas", "Sérgio Supervisor", "supervisor"),
    ("operacoes@demo.athenas", "Olívia Operações", "operations"),
    ("financeiro@demo.athenas", "Fábio Financeiro", "finance"),
    ("gerente@demo.athenas", "Gabriela Gerente", "manager"),
    ("admin@demo.athenas", "Antônio Administrador", "admin"),
]


def seed_users(session: Session, totp_secret: str | None = None) -> None:
    """The demo logins; with `totp_secret` (development only) the users of the MFA roles
    come enrolled with it, so they can sign in at once with the README's secret."""
    for email, name, role in DEMO_USERS:
        if services.find_by_email(session, email) is None:
            services.create_user(session, SYSTEM, email=email, name=name, role=role, password=DEMO_PASSWORD)
    if totp_secret:
        enrol_demo_mfa(session, totp_secret)


def enrol_demo_mfa(session: Session, totp_secret: str) -> None:
    """Enrol the existing demo users of the MFA roles that are not enrolled yet (also for a
    database seeded before MFA existed)."""
    for email, _name, _role in DEMO_USERS:
        user = services.find_by_email(session, email)
        if user is not None and mfa.is_required(user) and not user.mfa_enabled:
            mfa.enrol_with_secret(session, user, totp_secret)


def steps() -> list[Callable[[Session], None]]:
    """The steps after the users, in order (seed() runs seed_users first, with the demo
    TOTP secret). The banks come before the people: operator codes are checked against the
    bank registry."""
    from portal.demo.banks import seed_banks, seed_parameters, seed_sandbox_clients, seed_status_mappings
    from portal.demo.clients import seed_clients
    from portal.demo.commissions import seed_commissions
    from portal.demo.insights import rebuild_insights
    from portal.demo.people import seed_collaborators
    from portal.demo.proposals import seed_proposals
    from portal.demo.reconciliation import seed_received
    from portal.demo.reports import seed_reports
    from portal.demo.statements import seed_statements

    return [
        seed_parameters,
        seed_banks,
        seed_collaborators,
        seed_status_mappings,
        # Clients (issue #4): ~500 with benefit links and consents, owned by agent
        # collaborators (creates a minimal demo team when none exists).
        seed_clients,
        seed_sandbox_clients,
        # Operations pipeline (issue #6): ~3,000 proposals of the demo clients, with history,
        # pendencies, bank status mappings and SLA limits.
        seed_proposals,
        # Commissions (issue #10): tables, plans, overrides and ledger history from the paid
        # demo proposals (two closed periods, one open, a few clawbacks).
        seed_commissions,
        # Statements (issue #11): drafts of the closed periods; the demo agent's approved with PDFs.
        seed_statements,
        # Bank reports (issue #11): each demo bank's commission report of the closed periods,
        # imported through the import hub (Facta's latest with deliberate divergences).
        seed_reports,
        # Reconciliation (issue #11): money received from the demo banks for the closed periods.
        seed_received,
        # Dashboards (issue #12): the steps above write proposals with bulk inserts, which
        # skip the rollups' flush listener; recompute the dashboards' rollups once, last.
        rebuild_insights,
    ]


def seed(session: Session, only_if_empty: bool = False, totp_secret: str | None = None) -> bool:
    """Run every step; with `only_if_empty`, do nothing when users already exist."""
    if only_if_empty and session.scalar(select(func.count()).select_from(User)):
        return False
    seed_users(session, totp_secret)
    session.flush()
    for step in steps():
        step(session)
        session.flush()
    return True
