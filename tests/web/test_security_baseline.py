"""CSRF, security headers, error pages, health check, app factory without I/O."""

from __future__ import annotations

from sqlalchemy import func, select

from portal import create_app
from portal.people.models import User
from tests.conftest import app_settings, csrf_token_from


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, db, login_as):
    login_as("admin")
    before = db.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/admin/users/new", data={"name": "Sem Token", "email": "semtoken@x.com", "role": "agent"}
    )
    assert response.status_code == 400
    assert "Recarregue a página" in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_htmx_post_with_csrf_header_is_accepted(client, db, login_as):
    user = login_as("admin")
    token = csrf_token_from(client, "/admin/users")
    other = db.scalar(select(User).where(User.id != user.id).limit(1))
    if other is None:
        from tests import factories

        other = factories.user(db)
    response = client.post(
        f"/admin/users/{other.id}/deactivate",
        data={"csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 302
    no_token = client.post(f"/admin/users/{other.id}/activate", headers={"HX-Request": "true"})
    assert no_token.status_code == 400
    header_token = client.post(
        f"/admin/users/{other.id}/activate",
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert header_token.status_code == 302


def test_login_form_itself_needs_csrf(client, db):
    response = client.post("/login", data={"email": "a@b.com", "password": "x" * 12})
    assert response.status_code == 400


def test_security_headers_on_every_response(client, db):
    for path in ("/login", "/healthz", "/nao-existe", "/static/css/athenas.css"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts(client, db, login_as):
    login_as("admin")
    for path in ("/login", "/admin/users", "/admin/audit"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and " onclick=" not in html


def test_404_is_portuguese_inside_layout(client, db, login_as):
    login_as("agent")
    response = client.get("/sales/nao-existe")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Página não encontrada" in html and 'data-testid="main-menu"' in html


def test_403_is_portuguese(client, db, login_as):
    login_as("agent")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "Você não tem permissão" in response.get_data(as_text=True)


def test_htmx_errors_are_fragments(client, db, login_as):
    login_as("agent")
    response = client.get("/admin/users", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 403
    assert "<html" not in html and "Acesso negado" in html


def test_500_is_portuguese_and_hides_the_traceback(database_url):
    fresh = create_app(app_settings(database_url))

    @fresh.route("/_boom")
    def _boom():  # pragma: no cover - exercised through the client
        raise RuntimeError("segredo interno")

    _boom._athenas_policy = ("public",)
    response = fresh.test_client().get("/_boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Erro interno" in html and "segredo interno" not in html


def test_422_domain_error_page(client, db, login_as):
    login_as("admin")
    from tests import factories

    other = factories.user(db, active=False)
    response = client.post(
        f"/admin/users/{other.id}/deactivate", data={"csrf_token": csrf_token_from(client, "/admin/users")}
    )
    assert response.status_code == 422
    assert "já está desativado" in response.get_data(as_text=True)


def test_healthz_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    # a checkout has no RELEASE file: deploy/deploy.sh writes one into each release
    assert response.get_json() == {"status": "ok", "database": "ok", "release": "dev"}


def test_healthz_503_when_database_is_down(tmp_path):
    dead = create_app(app_settings("postgresql+psycopg2://postgres@127.0.0.1:1/nada"))
    response = dead.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "indisponível"


def test_create_app_does_no_io(tmp_path):
    # An unreachable database and a missing directory: building the app must not touch them.
    missing = tmp_path / "nao" / "existe" / "athenas.db"
    create_app(app_settings(f"sqlite:///{missing}"))
    assert not missing.parent.exists()


def test_production_refuses_development_secrets(database_url):
    import pytest

    with pytest.raises(RuntimeError, match="ATHENAS_SECRET_KEY"):
        create_app(
            app_settings(
                database_url, ENV_MODE="production", SECRET_KEY="athenas-dev-secret-not-for-production"
            )
        )
