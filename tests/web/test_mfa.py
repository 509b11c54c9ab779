"""Second factor: enrolment with a server-drawn QR code, the TOTP login step, recovery
codes, the admin reset, and the demo secret kept out of production."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select, text

from portal import create_app, refuse_demo_mfa_in_production
from portal.config import DEMO_TOTP_SECRET, PROJECT_ROOT, validate
from portal.core.audit import AuditEntry
from portal.core.db import utcnow
from portal.demo import DEMO_PASSWORD, seed_users
from portal.people.models import User
from tests import factories
from tests.conftest import app_settings, complete_mfa, form_post


def _password_step(client, user, password=factories.PASSWORD):
    return form_post(client, "/login", {"email": user.email, "password": password})


def _enrol(client):
    """Walk the enrolment page; returns (secret, recovery codes)."""
    page = client.get("/account/mfa")
    assert page.status_code == 200 and "<svg" in page.get_data(as_text=True)
    with client.session_transaction() as sess:
        secret = sess["mfa_setup_secret"]
    done = form_post(client, "/account/mfa", {"code": pyotp.TOTP(secret).now()}, token_page="/account/mfa")
    assert done.status_code == 200
    return secret, re.findall(r"<li>([a-z0-9]{5}-[a-z0-9]{5})</li>", done.get_data(as_text=True))


def test_required_role_without_mfa_goes_to_enrolment_and_nowhere_else(client, db):
    user = factories.user(db, role="finance")
    response = _password_step(client, user)
    assert response.status_code == 302
    assert client.get("/finance/").headers["Location"].endswith("/account/mfa")
    assert client.get("/admin/users").headers["Location"].endswith("/account/mfa")
    page = client.get("/account/mfa").get_data(as_text=True)
    assert "exige a verificação em duas etapas" in page and "<svg" in page
    wrong = form_post(client, "/account/mfa", {"code": "000000"}, token_page="/account/mfa")
    assert wrong.status_code == 422 and "Código inválido" in wrong.get_data(as_text=True)
    secret, codes = _enrol(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/finance/").status_code == 200
    db.expire_all()
    stored = db.execute(
        text("SELECT mfa_secret, mfa_recovery_codes FROM users WHERE id = :i"), {"i": user.id}
    ).one()
    assert secret not in stored[0]  # encrypted at rest
    assert codes[0] not in stored[1] and codes[0].replace("-", "") not in stored[1]  # hashes only


def test_enrolled_user_needs_the_code_after_the_password(client, db):
    secret = pyotp.random_base32()
    user = factories.user(db, role="manager", mfa_secret=secret, mfa_enabled_at=utcnow())
    response = _password_step(client, user)
    assert response.headers["Location"].endswith("/login/mfa")
    # The password alone opens nothing.
    assert "/login" in client.get("/operations/").headers["Location"]
    wrong = form_post(client, "/login/mfa", {"code": "123456"}, token_page="/login/mfa")
    assert wrong.status_code == 401 and "Código inválido" in wrong.get_data(as_text=True)
    assert complete_mfa(client, secret).status_code == 302
    assert client.get("/operations/").status_code == 200


def test_mfa_step_without_the_password_step_goes_back_to_login(client, db):
    response = client.get("/login/mfa")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_recovery_code_works_once(client, db):
    user = factories.user(db, role="admin")
    _password_step(client, user)
    _secret, codes = _enrol(client)
    form_post(client, "/logout", token_page="/account/")
    _password_step(client, user)
    used = form_post(client, "/login/mfa", {"code": codes[3].upper()}, token_page="/login/mfa")
    assert used.status_code == 302 and client.get("/admin/").status_code == 200
    form_post(client, "/logout", token_page="/account/")
    _password_step(client, user)
    again = form_post(client, "/login/mfa", {"code": codes[3]}, token_page="/login/mfa")
    assert again.status_code == 401
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "user.mfa_recovery_code_used")) is not None


def test_optional_for_agents_and_then_asked_at_login(client, db, login_as):
    user = login_as("agent")
    assert client.get("/sales/").status_code == 200
    assert "opcional" in client.get("/account/").get_data(as_text=True)
    secret, _codes = _enrol(client)
    form_post(client, "/logout", token_page="/account/")
    assert _password_step(client, user).headers["Location"].endswith("/login/mfa")
    assert complete_mfa(client, secret).status_code == 302


def test_admin_reset_is_audited_ends_sessions_and_asks_enrolment_again(app, client, db, login_as):
    finance = login_as("finance")
    other = app.test_client()
    admin = factories.user(db, role="admin", mfa_secret=pyotp.random_base32(), mfa_enabled_at=utcnow())
    _password_step(other, admin)
    complete_mfa(other, admin.mfa_secret)
    page = other.get(f"/admin/users/{finance.id}").get_data(as_text=True)
    assert "Redefinir verificação em duas etapas" in page
    response = form_post(
        other, f"/admin/users/{finance.id}/reset-mfa", token_page=f"/admin/users/{finance.id}"
    )
    assert response.status_code == 302
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "user.mfa_reset"))
    assert entry is not None and entry.actor_id == admin.id and entry.target == f"user:{finance.id}"
    assert client.get("/finance/").status_code == 302  # the finance user's session ended
    again = _password_step(client, db.get(User, finance.id))
    assert again.status_code == 302
    assert client.get("/finance/").headers["Location"].endswith("/account/mfa")


def test_demo_users_of_mfa_roles_come_enrolled_with_the_readme_secret(client, db):
    seed_users(db, DEMO_TOTP_SECRET)
    assert DEMO_TOTP_SECRET in (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    enrolled = {u.email for u in db.scalars(select(User).where(User.mfa_enabled_at.is_not(None)))}
    assert {"financeiro@demo.athenas", "gerente@demo.athenas", "admin@demo.athenas"} <= enrolled
    assert "agente@demo.athenas" not in enrolled
    response = form_post(client, "/login", {"email": "financeiro@demo.athenas", "password": DEMO_PASSWORD})
    assert response.headers["Location"].endswith("/login/mfa")
    assert complete_mfa(client, DEMO_TOTP_SECRET).status_code == 302
    assert client.get("/finance/").status_code == 200


PRODUCTION = {
    "ENV_MODE": "production",
    "SECRET_KEY": "x" * 40,
    "DATA_KEY": "p1:YXRoZW5hcy1kZXYta2V5LW5ldmVyLXByb2R1Y3Rpb24=",
    "INDEX_SECRET": "production-index-secret",
}


def test_production_refuses_a_configured_demo_secret(database_url):
    settings = app_settings(database_url, **PRODUCTION, DEMO_TOTP_SECRET=DEMO_TOTP_SECRET)
    with pytest.raises(RuntimeError, match="ATHENAS_DEMO_TOTP_SECRET"):
        create_app(settings)
    validate({**PRODUCTION, "DEMO_TOTP_SECRET": ""})  # without it, fine


def test_production_refuses_to_start_while_a_user_has_the_demo_secret(app, db, database_url):
    # The production key first, the test data key after it: the rows stay readable.
    keys = f"{PRODUCTION['DATA_KEY']},{app.config['DATA_KEY']}"
    prod = create_app(app_settings(database_url, **{**PRODUCTION, "DATA_KEY": keys}))
    prod.extensions["athenas.db"]["connection"] = app.extensions["athenas.db"]["connection"]
    refuse_demo_mfa_in_production(prod)  # nobody has it yet
    factories.user(db, role="admin", mfa_secret=DEMO_TOTP_SECRET, mfa_enabled_at=utcnow())
    db.flush()
    with pytest.raises(RuntimeError, match="segredo TOTP de demonstração"):
        refuse_demo_mfa_in_production(prod)
