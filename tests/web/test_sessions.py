"""Server-side sessions: logout, password change, reset and deactivation end a session for
good, even for a copy of the cookie; the account page lists and ends sessions."""

from __future__ import annotations

import re
import uuid

import pytest
import redis
from sqlalchemy import select

from portal.core.audit import Actor
from portal.people import services, sessions
from portal.people.models import User, UserSession
from tests import factories
from tests.conftest import complete_mfa, form_post

COOKIE = "athenas_session"
CHROME_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0"


def _copy_of(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _second_login(app, user, ip="198.51.100.7", agent=FIREFOX_ANDROID):
    other = app.test_client()
    env = {"REMOTE_ADDR": ip, "HTTP_USER_AGENT": agent}
    response = form_post(
        other, "/login", {"email": user.email, "password": factories.PASSWORD}, environ_base=env
    )
    assert response.status_code == 302
    if user.mfa_enabled:
        assert complete_mfa(other, user.mfa_secret, environ_base=env).status_code == 302
    return other


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(client, app, login_as):
    login_as("finance")
    thief = _copy_of(client, app)
    assert thief.get("/finance/").status_code == 200  # the copy works while the session lives
    assert form_post(client, "/logout", token_page="/finance/").status_code == 302
    for path in ("/finance/", "/account/password"):
        response = thief.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_marks_the_server_record_revoked(client, db, login_as):
    user = login_as("agent")
    form_post(client, "/logout", token_page="/sales/")
    records = db.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    assert len(records) == 1 and records[0].revoked_at is not None


def test_password_change_ends_the_other_sessions_only(client, app, db, login_as):
    user = login_as("agent")
    phone = _second_login(app, user)
    response = form_post(
        client,
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "password": "cavalo-bateria-grampo",
            "confirm": "cavalo-bateria-grampo",
        },
        token_page="/account/password",
    )
    assert response.status_code == 302
    assert client.get("/sales/").status_code == 200
    assert phone.get("/sales/").status_code == 302


@pytest.mark.parametrize("action", ["reset", "deactivate"])
def test_reset_and_deactivation_revoke_every_record(client, db, login_as, action):
    user = login_as("agent")
    admin = factories.user(db, role="admin")
    actor = Actor(id=admin.id, label=admin.email, ip=None)
    if action == "reset":
        services.reset_password(db, actor, db.get(User, user.id))
    else:
        services.deactivate_user(db, actor, db.get(User, user.id))
    assert client.get("/sales/").status_code == 302
    assert sessions.registry().active(db, user.id) == []


def test_account_page_lists_sessions_and_ends_the_others(client, app, db, login_as):
    user = login_as("agent")
    phone = _second_login(app, user, ip="198.51.100.7", agent=FIREFOX_ANDROID)
    page = client.get("/account/").get_data(as_text=True)
    assert "Sessões ativas" in page
    assert "Firefox no Android" in page and "198.51.100.7" in page
    assert "esta sessão" in page
    assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", page)  # pt-BR dates
    # Without the CSRF token nothing happens.
    assert client.post("/account/sessions/end-others").status_code == 400
    assert phone.get("/sales/").status_code == 200
    response = form_post(client, "/account/sessions/end-others", token_page="/account/")
    assert response.status_code == 302
    assert phone.get("/sales/").status_code == 302
    assert client.get("/sales/").status_code == 200
    assert "Firefox no Android" not in client.get("/account/").get_data(as_text=True)


def test_end_one_session_by_its_key_only_for_its_owner(client, app, db, login_as):
    user = login_as("agent")
    phone = _second_login(app, user, agent=CHROME_WINDOWS)
    key = next(s.key for s in sessions.registry().active(db, user.id) if s.ip == "198.51.100.7")
    stranger = factories.user(db)
    other = app.test_client()
    form_post(other, "/login", {"email": stranger.email, "password": factories.PASSWORD})
    form_post(other, f"/account/sessions/{key}/end", token_page="/account/")
    assert phone.get("/sales/").status_code == 200  # someone else's key ends nothing
    form_post(client, f"/account/sessions/{key}/end", token_page="/account/")
    assert phone.get("/sales/").status_code == 302


def test_redis_registry_same_contract(db):
    client = redis.Redis(host="127.0.0.1", port=6379)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis indisponível em 127.0.0.1:6379")
    prefix = f"athenas-test:{uuid.uuid4().hex}:"
    registry = sessions.RedisSessions(client, idle_seconds=1800, prefix=prefix)
    try:
        first = registry.open(db, 7, "10.0.0.1", CHROME_WINDOWS)
        second = registry.open(db, 7, "10.0.0.2", None)
        assert registry.check(db, first, 7) and not registry.check(db, first, 8)
        assert {s.ip for s in registry.active(db, 7)} == {"10.0.0.1", "10.0.0.2"}
        registry.revoke(db, first)
        assert not registry.check(db, first, 7) and registry.check(db, second, 7)
        third = registry.open(db, 7, "10.0.0.3", None)
        assert registry.revoke_user(db, 7, keep_token=third) == 1
        assert not registry.check(db, second, 7) and registry.check(db, third, 7)
    finally:
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()
