"""Redis (sessions and login throttle) restarted under the portal: while it is down a
signed-in page and a login fail closed with a Portuguese 503 message — never a 500, never
a page served unchecked; once it is back the user, whose session Redis forgot, is sent to
the login with a message and signs in again normally."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.conftest import form_post, sign_in
from tests.faults.conftest import wait_until
from tests.page_text import visible_text

pytestmark = pytest.mark.faults

LIST = "/sales/clients"


def test_redis_restart_fails_closed_with_a_message_then_sessions_work_again(
    private_postgres, private_redis, portal_on
):
    app = portal_on(private_postgres.url, REDIS_URL=private_redis.url)
    engine = app.extensions["athenas.db"]["engine"]
    with Session(engine, expire_on_commit=False) as session:
        org = factories.client_org(session)
        session.commit()
        browser = app.test_client()
        sign_in(browser, session, org.agent_user)
        session.commit()
    assert browser.get(LIST).status_code == 200
    newcomer = app.test_client()
    assert newcomer.get("/login").status_code == 200

    private_redis.stop()

    # The signed-in page cannot check its session: refused with a message, not let through.
    down = browser.get(LIST)
    assert down.status_code == 503
    page = visible_text(down.get_data(as_text=True))
    assert "Não foi possível verificar sua sessão agora. Tente novamente em instantes." in page
    assert "Serviço indisponível" in page

    # A login cannot count its attempts: refused with the throttle's message.
    refused = form_post(newcomer, "/login", {"email": org.peer_user.email, "password": factories.PASSWORD})
    assert refused.status_code == 503
    assert "Não foi possível verificar as tentativas de login agora" in visible_text(
        refused.get_data(as_text=True)
    )

    private_redis.start()

    # Redis came back empty: the old session is gone, so the user is sent to sign in again.
    def _answers() -> bool:
        return browser.get(LIST).status_code != 503

    wait_until(_answers, timeout=10)
    again = browser.get(LIST)
    assert again.status_code == 302
    assert "/login" in again.headers["Location"]
    login = browser.get(again.headers["Location"])
    assert "Faça login para continuar." in visible_text(login.get_data(as_text=True))

    with Session(engine, expire_on_commit=False) as session:
        sign_in(browser, session, session.merge(org.agent_user))
        sign_in(newcomer, session, session.merge(org.peer_user))
        session.commit()
    assert browser.get(LIST).status_code == 200
    assert newcomer.get(LIST).status_code == 200
