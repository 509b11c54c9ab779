"""One scoping rule for clients: agent → own, supervisor → team, store manager → store,
back office → all; a client outside the scope is "not found"."""

from __future__ import annotations

import pytest

from portal.clients.queries import clients_for, get_client_for
from portal.core.errors import NotFound
from tests import factories


def _names(db, user):
    return {c.name for c in db.scalars(clients_for(db, user))}


def test_each_role_sees_its_own_portfolio(db, org):
    factories.client(db, org.agent, name="Cliente do Agente")
    factories.client(db, org.peer, name="Cliente do Colega")
    factories.client(db, org.other_team_agent, name="Cliente da Equipe A2")
    factories.client(db, org.other_store_agent, name="Cliente da Loja B")

    assert _names(db, org.agent_user) == {"Cliente do Agente"}
    assert _names(db, org.supervisor_user) == {"Cliente do Agente", "Cliente do Colega"}
    assert _names(db, org.manager_user) == {"Cliente do Agente", "Cliente do Colega", "Cliente da Equipe A2"}
    assert {"Cliente da Loja B", "Cliente do Agente"} <= _names(db, org.operations_user)
    assert _names(db, factories.user(db, role="agent")) == set()  # no collaborator: nothing


def test_get_client_outside_scope_is_not_found(db, org):
    mine = factories.client(db, org.agent)
    theirs = factories.client(db, org.peer)
    assert get_client_for(db, org.agent_user, mine.id).id == mine.id
    with pytest.raises(NotFound):
        get_client_for(db, org.agent_user, theirs.id)
    with pytest.raises(NotFound):
        get_client_for(db, org.agent_user, 10**9)
    assert get_client_for(db, org.supervisor_user, theirs.id).id == theirs.id
