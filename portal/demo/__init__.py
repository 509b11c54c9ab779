"""Demo data for `make run` and `flask seed-demo`: idempotent steps run in order.

Later domains append their own steps to `STEPS`; each step must be safe to run twice.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.audit import SYSTEM
from portal.demo.banks import seed_banks, seed_parameters, seed_sandbox_clients, seed_status_mappings
from portal.demo.people import seed_collaborators
from portal.people import services
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


def seed_users(session: Session) -> None:
    for email, name, role in DEMO_USERS:
        if services.find_by_email(session, email) is None:
            services.create_user(session, SYSTEM, email=email, name=name, role=role, password=DEMO_PASSWORD)


STEPS: list[Callable[[Session], None]] = [
    seed_users,
    seed_collaborators,
    seed_parameters,
    seed_banks,
    seed_status_mappings,
]


def seed(session: Session, only_if_empty: bool = False) -> bool:
    """Run every step; with `only_if_empty`, do nothing when users already exist."""
    if only_if_empty and session.scalar(select(func.count()).select_from(User)):
        return False
    for step in STEPS:
        step(session)
        session.flush()
    return True


# Clients (issue #4): ~500 with benefit links and consents, owned by agent collaborators
# (creates a minimal demo team when none exists). Appended last, after the people steps.
from portal.demo.clients import seed_clients  # noqa: E402

STEPS.append(seed_clients)
STEPS.append(seed_sandbox_clients)

# Operations pipeline (issue #6): ~3,000 proposals of the demo clients, with history,
# pendencies, bank status mappings and SLA limits. After the clients step.
from portal.demo.proposals import seed_proposals  # noqa: E402

STEPS.append(seed_proposals)

# Commissions (issue #10): tables, plans, overrides and ledger history from the paid demo
# proposals (two closed periods, one open, a few clawbacks). After the proposals step.
from portal.demo.commissions import seed_commissions  # noqa: E402

STEPS.append(seed_commissions)
