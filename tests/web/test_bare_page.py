"""The bare authenticated page (session, user, access, layout, no query of its own) sends
exactly one statement: the server-side session and its user, read together. Revocation is
still seen on the very next page, and the menu follows the user's role."""

from __future__ import annotations

from sqlalchemy import event

from portal.people import sessions
from tests import factories
from tests.conftest import sign_in

PAGE = "/account/password"  # layout + a form: the page itself reads nothing
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT")


def _statements(app, client, path):
    engine = app.extensions["athenas.db"]["engine"]
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return response, seen


def test_the_bare_page_reads_the_session_and_its_user_in_one_statement(app, client, db):
    user = factories.user(db, role="operations")
    sign_in(client, db, user)
    client.get(PAGE)  # the first page after login may touch the session record

    response, statements = _statements(app, client, PAGE)

    assert response.status_code == 200
    assert 'data-testid="main-menu"' in response.get_data(as_text=True)
    assert len(statements) == 1, statements
    assert "user_sessions" in statements[0] and "users" in statements[0]


def test_a_revoked_session_is_refused_on_the_next_page(app, client, db):
    user = factories.user(db, role="operations")
    sign_in(client, db, user)
    assert client.get(PAGE).status_code == 200

    sessions.registry().revoke_user(db, user.id)
    db.flush()

    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_menu_is_the_role_s_own_and_marks_the_page_it_is_on(client, db):
    sign_in(client, db, factories.user(db, role="agent"))
    agent_page = client.get("/sales/clients").get_data(as_text=True)
    assert 'href="/sales/clients">Clientes' in agent_page.replace(' active" aria-current="page', "")
    assert 'active" aria-current="page" href="/sales/clients"' in agent_page
    assert 'href="/admin/' not in agent_page

    other = client.application.test_client()
    sign_in(other, db, factories.user(db, role="admin"))
    admin_page = other.get(PAGE).get_data(as_text=True)
    assert 'href="/admin/">Administração' in admin_page
    assert ">Vendas<" not in admin_page and ">Comissões<" not in admin_page
