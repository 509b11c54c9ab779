"""Pendencies: catalogue, open/resolve with timeline events, agent ownership, home list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.core.audit import Actor
from portal.core.errors import Conflict, DomainError, Forbidden
from portal.proposals import pendencies
from portal.proposals.page import proposal_page
from portal.proposals.pendencies import NewPendency
from portal.proposals.pipeline_models import PendencyType
from portal.proposals.queries import events_of
from tests import factories

OPS = Actor(id=None, label="operador@teste")


def _type(db, name="Biometria pendente"):
    return db.scalar(select(PendencyType).where(PendencyType.name == name))


def test_catalogue_starts_with_the_domain_list_and_is_editable(db):
    names = [t.name for t in pendencies.types(db)]
    assert set(pendencies.DEFAULT_TYPES) <= set(names)
    assert pendencies.ensure_default_types(db) == 0  # already there (migration)
    created = pendencies.save_type(db, OPS, "  Selfie   ilegível ")
    assert created.name == "Selfie ilegível"
    with pytest.raises(Conflict, match="Já existe"):
        pendencies.save_type(db, OPS, "selfie ilegível")
    pendencies.save_type(db, OPS, "Selfie ilegível", created.id, active=False)
    assert "Selfie ilegível" not in [t.name for t in pendencies.types(db, only_active=True)]
    with pytest.raises(DomainError, match="nome"):
        pendencies.save_type(db, OPS, "   ")


def test_open_and_resolve_write_the_timeline(db, org):
    proposal = factories.proposal(db, org.client)
    due = date.today() + timedelta(days=2)
    pendency = pendencies.open_pendency(
        db, OPS, proposal, NewPendency(_type(db).id, "agent", "Cliente deve refazer a selfie", due)
    )
    assert pendency.is_open and pendency.owner_label == "Corretor"
    pendencies.resolve_pendency(db, OPS, org.operations_user, proposal, pendency, "Selfie enviada")
    assert not pendency.is_open and pendency.resolution_note == "Selfie enviada"
    reasons = [e.reason for e in events_of(db, proposal)]
    assert "Pendência aberta: Biometria pendente (Corretor)" in reasons
    assert "Pendência resolvida: Biometria pendente" in reasons
    with pytest.raises(Conflict, match="já foi resolvida"):
        pendencies.resolve_pendency(db, OPS, org.operations_user, proposal, pendency)


def test_bad_pendency_input_is_refused(db, org):
    proposal = factories.proposal(db, org.client)
    kind = _type(db)
    with pytest.raises(DomainError, match="quem deve resolver"):
        pendencies.open_pendency(db, OPS, proposal, NewPendency(kind.id, "cliente"))
    with pytest.raises(DomainError, match="passado"):
        pendencies.open_pendency(db, OPS, proposal, NewPendency(kind.id, "agent", due_on=date(2020, 1, 1)))
    kind.active = False
    with pytest.raises(DomainError, match="tipo de pendência válido"):
        pendencies.open_pendency(db, OPS, proposal, NewPendency(kind.id, "agent"))


def test_agent_resolves_only_agent_pendencies(db, org):
    proposal = factories.proposal(db, org.client)
    ops_owned = pendencies.open_pendency(db, OPS, proposal, NewPendency(_type(db).id, "operations"))
    agent = Actor(id=org.agent_user.id, label=org.agent_user.email)
    assert pendencies.can_resolve(org.agent_user, ops_owned) is False
    assert pendencies.can_resolve(org.operations_user, ops_owned) is True
    with pytest.raises(Forbidden):
        pendencies.resolve_pendency(db, agent, org.agent_user, proposal, ops_owned)
    assert ops_owned.is_open
    assert pendencies.assign_owner(db, OPS, proposal, "agent") == 1
    assert pendencies.can_resolve(org.agent_user, ops_owned) is True
    pendencies.resolve_pendency(db, agent, org.agent_user, proposal, ops_owned)
    assert ops_owned.resolved_by_id == org.agent_user.id
    # Nobody resolves a pendency twice, operations included.
    assert pendencies.can_resolve(org.operations_user, ops_owned) is False


def test_home_list_shows_open_agent_pendencies_in_scope(db, org):
    mine = factories.proposal(db, org.client)
    theirs = factories.proposal(db, org.other_client)
    kind = _type(db, "Comparecer ao INSS")
    pendencies.open_pendency(db, OPS, mine, NewPendency(kind.id, "agent"))
    pendencies.open_pendency(db, OPS, mine, NewPendency(kind.id, "operations"))
    pendencies.open_pendency(db, OPS, theirs, NewPendency(kind.id, "agent"))
    for_agent = list(db.scalars(pendencies.open_agent_pendencies(db, org.agent_user)))
    assert [(p.proposal_id, p.owner_kind) for p in for_agent] == [(mine.id, "agent")]
    for_ops = list(db.scalars(pendencies.open_agent_pendencies(db, org.operations_user)))
    assert {p.proposal_id for p in for_ops} == {mine.id, theirs.id}


def test_proposal_page_pendencies_in_order_with_the_active_types_of_the_form(db, org):
    proposal = factories.proposal(db, org.client)
    other = factories.proposal(db, org.client)
    today = date(2026, 12, 1)
    kinds = {name: _type(db, name) for name in ("Biometria pendente", "CPF inválido", "Margem excedida")}

    def open_(name, due=None, on=proposal):
        return pendencies.open_pendency(db, OPS, on, NewPendency(kinds[name].id, "operations", name, due))

    no_due = open_("Biometria pendente")
    later = open_("CPF inválido", today + timedelta(days=5))
    sooner = open_("Margem excedida", today + timedelta(days=1))
    done = open_("Biometria pendente", today)
    pendencies.resolve_pendency(db, OPS, org.operations_user, proposal, done, "feito")
    open_("CPF inválido", on=other)  # another proposal's: not listed
    pendencies.save_type(db, OPS, "Margem excedida", kinds["Margem excedida"].id, active=False)

    page = proposal_page(db, org.operations_user, proposal.id)
    found, active = page.pendencies, page.pendency_types

    assert [p.id for p in found] == [sooner.id, later.id, no_due.id, done.id]
    assert found[0].type_name == "Margem excedida"  # an inactive type still names its pendency
    assert [t.name for t in active] == [t.name for t in pendencies.types(db, only_active=True)]
    assert "Margem excedida" not in [t.name for t in active] and "CPF inválido" in [t.name for t in active]
