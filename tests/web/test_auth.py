"""Login, logout, throttling, session renewal, idle timeout, password rules."""

from __future__ import annotations

import time

from portal.core import passwords
from portal.people.models import User
from tests import factories
from tests.conftest import csrf_token_from, form_post


def _login(client, email, password):
    return form_post(client, "/login", {"email": email, "password": password})


def test_login_page_is_portuguese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "Entre com seu e-mail e senha" in html
    assert 'lang="pt-BR"' in html


def test_successful_login_lands_on_the_role_area(client, db):
    user = factories.user(db, role="operations")
    response = _login(client, user.email, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/operations/")
    page = client.get("/operations/").get_data(as_text=True)
    assert user.name in page and "Operações" in page


def test_wrong_password_shows_portuguese_error_and_no_session(client, db):
    user = factories.user(db)
    response = _login(client, user.email, "senha-errada-000")
    assert response.status_code == 401
    assert "E-mail ou senha inválidos." in response.get_data(as_text=True)
    assert client.get("/sales/").status_code == 302


def test_inactive_user_cannot_login(client, db):
    user = factories.user(db, active=False)
    response = _login(client, user.email, factories.PASSWORD)
    assert response.status_code == 401
    assert "desativado" in response.get_data(as_text=True)


def test_passwords_are_argon2_hashed(db):
    user = factories.user(db)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash
    assert passwords.verify_password(user.password_hash, factories.PASSWORD)


def test_account_throttled_after_five_failures_even_with_right_password(client, db, app):
    user = factories.user(db)
    for _ in range(5):
        assert _login(client, user.email, "senha-errada-000").status_code == 401
    response = _login(client, user.email, factories.PASSWORD)
    assert response.status_code == 429
    assert "Muitas tentativas" in response.get_data(as_text=True)


def test_throttle_counts_only_failures(client, db):
    user = factories.user(db)
    for _ in range(4):
        _login(client, user.email, "senha-errada-000")
    assert _login(client, user.email, factories.PASSWORD).status_code == 302


def test_session_is_renewed_at_login(client, db):
    client.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "valor-de-antes"
    user = factories.user(db)
    _login(client, user.email, factories.PASSWORD)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:1"


def test_session_cookie_flags(client, db):
    user = factories.user(db)
    response = _login(client, user.email, factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookie_outside_development(app, database_url):
    from portal import create_app
    from tests.conftest import app_settings

    prod = create_app(
        app_settings(
            database_url,
            ENV_MODE="production",
            SECRET_KEY="x" * 40,
            DATA_KEY="p1:YXRoZW5hcy1kZXYta2V5LW5ldmVyLXByb2R1Y3Rpb24=",
            INDEX_SECRET="production-index-secret",
            SESSION_COOKIE_SECURE=True,
        )
    )
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    from portal.config import from_environment

    assert from_environment({"ATHENAS_ENV": "production"})["SESSION_COOKIE_SECURE"] is True
    assert from_environment({})["SESSION_COOKIE_SECURE"] is False


def test_idle_timeout_logs_out(client, db, login_as):
    login_as("agent")
    assert client.get("/sales/").status_code == 200
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - 31 * 60
    response = client.get("/sales/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Sua sessão expirou" in client.get("/login").get_data(as_text=True)


def test_htmx_request_after_expiry_gets_hx_redirect(client, db, login_as):
    login_as("agent")
    with client.session_transaction() as sess:
        sess["last_seen"] = int(time.time()) - 31 * 60
    response = client.get("/sales/", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"] == "/login"


def test_htmx_request_without_login_gets_hx_redirect(client, db):
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/login"


def test_logout_requires_post_and_ends_session(client, db, login_as):
    login_as("agent")
    assert client.get("/logout").status_code == 405
    response = form_post(client, "/logout", token_page="/sales/")
    assert response.status_code == 302
    assert client.get("/sales/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, db):
    user = factories.user(db)
    token = csrf_token_from(client)
    response = client.post(
        "/login?next=https://evil.example/x",
        data={"email": user.email, "password": factories.PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/sales/"


def test_change_own_password_and_policy(client, db, login_as):
    user = login_as("finance")
    short = form_post(
        client,
        "/account/password",
        {"current_password": factories.PASSWORD, "password": "curta", "confirm": "curta"},
        token_page="/account/password",
    )
    assert short.status_code == 422
    assert "pelo menos 10 caracteres" in short.get_data(as_text=True)
    same_as_email = form_post(
        client,
        "/account/password",
        {"current_password": factories.PASSWORD, "password": user.email, "confirm": user.email},
        token_page="/account/password",
    )
    assert "não pode ser igual ao e-mail" in same_as_email.get_data(as_text=True)
    ok = form_post(
        client,
        "/account/password",
        {
            "current_password": factories.PASSWORD,
            "password": "nova-senha-forte-1",
            "confirm": "nova-senha-forte-1",
        },
        token_page="/account/password",
    )
    assert ok.status_code == 302
    db.expire_all()
    assert passwords.verify_password(db.get(User, user.id).password_hash, "nova-senha-forte-1")
    # The session that changed the password stays valid.
    assert client.get("/finance/").status_code == 200


def test_temporary_password_forces_a_change(client, db):
    user = factories.user(db, must_change_password=True)
    _login(client, user.email, factories.PASSWORD)
    response = client.get("/sales/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert "senha temporária" in client.get("/account/password").get_data(as_text=True)
