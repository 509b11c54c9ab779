"""PostgreSQL restarted under the portal: the request in flight and the requests during the
outage get the Portuguese 503 page, nothing half-written survives, and the portal serves
again by itself within seconds of the server coming back."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.clients.models import Client
from portal.core.audit import AuditEntry, verify_chain
from tests import factories
from tests.conftest import form_post, sign_in
from tests.faults.conftest import wait_until
from tests.page_text import visible_text

pytestmark = pytest.mark.faults

NEW = "/sales/clients/new"
LIST = "/sales/clients"


def _form(cpf: str, name: str) -> dict[str, str]:
    return {
        "cpf": cpf,
        "name": name,
        "birth_date": "02/01/1950",
        "phone": "(11) 98765-4321",
        "email": "cliente@exemplo.com",
        "cep": "01310-100",
        "city": "São Paulo",
        "state": "SP",
        "provenance": "agent",
    }


def _counts(engine) -> tuple[int, int]:
    with Session(engine) as session:
        clients = session.scalar(select(func.count()).select_from(Client))
        audits = session.scalar(select(func.count()).select_from(AuditEntry))
        return int(clients or 0), int(audits or 0)


def test_postgres_restart_mid_write_gives_503_then_recovers_with_nothing_half_written(
    private_postgres, portal_on
):
    app = portal_on(private_postgres.url)
    engine = app.extensions["athenas.db"]["engine"]
    with Session(engine, expire_on_commit=False) as session:
        org = factories.client_org(session)
        session.commit()
        client = app.test_client()
        sign_in(client, session, org.agent_user)
        session.commit()

    first = form_post(client, NEW, _form("529.982.247-25", "Primeira Cliente"), token_page=NEW)
    assert first.status_code == 302, first.get_data(as_text=True)[:1000]
    clients_before, audits_before = _counts(engine)
    assert clients_before == 1

    # The server dies in the middle of the next write: after the client row went out,
    # just as its audit entry is being inserted.
    statements: list[str] = []

    def _die_on_audit(conn, cursor, statement, parameters, context, executemany):
        if private_postgres.running():
            statements.append(statement)
            if statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES"):
                private_postgres.stop(mode="immediate")

    event.listen(engine, "before_cursor_execute", _die_on_audit)
    try:
        in_flight = form_post(client, NEW, _form("111.444.777-35", "Cliente Interrompida"), token_page=NEW)
    finally:
        event.remove(engine, "before_cursor_execute", _die_on_audit)
    assert not private_postgres.running()
    assert any(s.lstrip().upper().startswith("INSERT INTO CLIENTS") for s in statements), statements
    assert in_flight.status_code == 503
    page = visible_text(in_flight.get_data(as_text=True))
    assert "Serviço indisponível" in page
    assert "banco de dados está temporariamente indisponível" in page

    # While it is down every page answers 503 in Portuguese, never a 500 or a traceback.
    for path in (LIST, "/", NEW):
        response = client.get(path)
        assert response.status_code == 503, (path, response.status_code)
        page = visible_text(response.get_data(as_text=True))
        assert "Nada foi gravado; tente novamente em instantes" in page

    private_postgres.start()
    # The pool's pre-ping drops the dead connections: the portal is back by itself.
    took = wait_until(lambda: client.get(LIST).status_code == 200, timeout=10)
    assert took < 10

    # The interrupted request left nothing: no client, no audit entry, an intact chain.
    assert _counts(engine) == (clients_before, audits_before)
    with Session(engine) as session:
        report = verify_chain(session)
    assert report.ok, report
    assert report.checked == audits_before

    # Sent again, it is applied once, as a clean submission would be.
    again = form_post(client, NEW, _form("111.444.777-35", "Cliente Interrompida"), token_page=NEW)
    assert again.status_code == 302, again.get_data(as_text=True)[:1000]
    assert _counts(engine)[0] == clients_before + 1
    with Session(engine) as session:
        assert verify_chain(session).ok
