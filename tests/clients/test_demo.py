"""Demo data: ~500 clients with consents, idempotent, before and after the people demo."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.clients.models import BenefitLink, Client, Consent
from portal.clients.queries import clients_for
from portal.core.documents import is_valid_cpf
from portal.demo import seed
from portal.demo.banks import SANDBOX_CLIENTS
from portal.people.models import Collaborator, User


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_seed_creates_clients_once_and_links_the_demo_agent(app, db):
    with app.app_context():
        seed(db)
        assert 480 <= _count(db, Client) <= 500 + len(SANDBOX_CLIENTS)  # + the sandbox bank's clients
        assert _count(db, BenefitLink) >= _count(db, Client)
        assert _count(db, Consent, Consent.purpose == "benefit_query") > 400
        names = db.scalars(select(Client.name)).all()
        assert any(c in n for n in names for c in "ãçéíóôú") and any("'" in n for n in names)
        assert all(is_valid_cpf(c.cpf) for c in db.scalars(select(Client).limit(50)))
        with_evidence = db.scalar(select(Consent).where(Consent.evidence_path.is_not(None)).limit(1))
        assert with_evidence is not None and with_evidence.evidence_sha256

        agent = db.scalar(select(User).where(User.email == "agente@demo.athenas"))
        own = db.scalar(select(Collaborator).where(Collaborator.user_id == agent.id))
        assert own is not None and own.role_group == "agent"
        mine = db.scalar(select(func.count()).select_from(clients_for(db, agent).subquery()))
        assert 0 < mine < _count(db, Client)  # the demo agent owns part of the portfolio

        before = (_count(db, Client), _count(db, Consent), _count(db, Collaborator))
        seed(db)
        assert (_count(db, Client), _count(db, Consent), _count(db, Collaborator)) == before
