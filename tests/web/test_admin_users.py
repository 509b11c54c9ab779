"""User administration through the pages, and the create-user CLI."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from portal.core import passwords
from portal.core.audit import AuditEntry
from portal.people.models import User
from tests import factories
from tests.conftest import csrf_token_from, form_post

TEMP = re.compile(r"Senha temporária \(mostrada uma única vez\): (\S+)")


def test_admin_creates_user_who_must_change_password(app, client, db, login_as):
    login_as("admin")
    response = form_post(
        client,
        "/admin/users/new",
        {
            "name": "D'Ávila Conceição",
            "email": "Nova.Pessoa@Empresa.com.br",
            "role": "supervisor",
            "active": "y",
        },
        token_page="/admin/users/new",
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    temporary = TEMP.search(html).group(1)
    user = db.scalar(select(User).where(User.email == "nova.pessoa@empresa.com.br"))
    assert user.name == "D'Ávila Conceição" and user.role == "supervisor"
    assert user.must_change_password
    assert passwords.verify_password(user.password_hash, temporary)
    assert db.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.created", AuditEntry.target == f"user:{user.id}")
    )
    # The new user signs in with the temporary password and is sent to change it.
    other = app.test_client()
    login = form_post(other, "/login", {"email": user.email, "password": temporary})
    assert login.status_code == 302
    assert other.get("/sales/").headers["Location"].endswith("/account/password")


def test_create_user_bad_input_saves_nothing(client, db, login_as):
    login_as("admin")
    existing = factories.user(db)
    cases = [
        ({"name": "", "email": "a@b.com", "role": "agent"}, "Campo obrigatório."),
        ({"name": "X", "email": "nao-e-email", "role": "agent"}, "Informe um e-mail válido."),
        ({"name": "X" * 121, "email": "a@b.com", "role": "agent"}, "Máximo de 120 caracteres."),
        ({"name": "X", "email": existing.email, "role": "agent"}, "Já existe um usuário com este e-mail."),
        ({"name": "X", "email": "a@b.com", "role": "dono"}, "Not a valid choice"),
    ]
    before = len(db.scalars(select(User)).all())
    for data, message in cases:
        response = form_post(client, "/admin/users/new", data, token_page="/admin/users/new")
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True) or "inválid" in response.get_data(as_text=True), (
            data
        )
    assert len(db.scalars(select(User)).all()) == before


def test_script_in_name_is_shown_as_text(client, db, login_as):
    login_as("admin")
    factories.user(db, name="<script>alert(1)</script>")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_deactivation_ends_the_users_session(app, client, db, login_as):
    login_as("admin")
    victim = factories.user(db, role="agent")
    other = app.test_client()
    form_post(other, "/login", {"email": victim.email, "password": factories.PASSWORD})
    assert other.get("/sales/").status_code == 200
    token = csrf_token_from(client, f"/admin/users/{victim.id}")
    assert client.post(f"/admin/users/{victim.id}/deactivate", data={"csrf_token": token}).status_code == 302
    assert other.get("/sales/").status_code == 302  # signed out
    login = form_post(other, "/login", {"email": victim.email, "password": factories.PASSWORD})
    assert login.status_code == 401


def test_admin_cannot_deactivate_self_and_is_told_in_place(client, db, login_as):
    admin = login_as("admin")
    page = client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    assert f'action="/admin/users/{admin.id}/deactivate"' not in page  # not offered
    assert 'data-testid="self-deactivate-note"' in page
    token = csrf_token_from(client, f"/admin/users/{admin.id}")
    response = client.post(f"/admin/users/{admin.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 422  # a crafted POST is refused on the same page
    assert "sua própria conta" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(type(admin), admin.id).active


def test_password_reset_gives_temporary_password_and_ends_sessions(app, client, db, login_as):
    login_as("admin")
    victim = factories.user(db)
    other = app.test_client()
    form_post(other, "/login", {"email": victim.email, "password": factories.PASSWORD})
    token = csrf_token_from(client, f"/admin/users/{victim.id}")
    html = client.post(
        f"/admin/users/{victim.id}/reset-password", data={"csrf_token": token}, follow_redirects=True
    ).get_data(as_text=True)
    temporary = TEMP.search(html).group(1)
    assert other.get("/sales/").status_code == 302
    assert (
        form_post(other, "/login", {"email": victim.email, "password": factories.PASSWORD}).status_code == 401
    )
    assert form_post(other, "/login", {"email": victim.email, "password": temporary}).status_code == 302
    assert other.get("/sales/").headers["Location"].endswith("/account/password")


def test_user_list_filters_paginates_and_exports(client, db, login_as):
    login_as("admin")
    for i in range(55):
        factories.user(db, role="finance", name=f"Financeira {i:02d}")
    first = client.get("/admin/users?role=finance").get_data(as_text=True)
    assert first.count("Financeira ") == 50
    cursor = re.search(r'href="(/admin/users\?[^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(cursor, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count("Financeira ") == 5 and "<html" not in second
    csv_text = client.get("/admin/users/export.csv?role=finance").get_data().decode("utf-8-sig")
    assert csv_text.count("Financeira ") == 55 and "Perfil" in csv_text
    xlsx = client.get("/admin/users/export.xlsx?role=finance&q=Financeira 0")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("ID", "Nome", "E-mail", "Perfil")
    assert len(rows) == 1 + 10 and all(r[3] == "Financeiro" for r in rows[1:])


def test_create_user_cli(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "--email", "cli@empresa.com", "--name", "Pela Linha", "--role", "finance"]
    )
    assert result.exit_code == 0, result.output
    assert "Senha temporária" in result.output
    duplicate = runner.invoke(
        args=["create-user", "--email", "cli@empresa.com", "--name", "X", "--role", "finance"]
    )
    assert duplicate.exit_code != 0 and "Já existe" in duplicate.output
    weak = runner.invoke(
        args=[
            "create-user",
            "--email",
            "b@empresa.com",
            "--name",
            "X",
            "--role",
            "agent",
            "--password",
            "curta",
        ]
    )
    assert weak.exit_code != 0 and "pelo menos 10" in weak.output


def test_deactivation_and_reset_are_audited(client, db, login_as):
    admin = login_as("admin")
    victim = factories.user(db)
    token = csrf_token_from(client, f"/admin/users/{victim.id}")
    client.post(f"/admin/users/{victim.id}/reset-password", data={"csrf_token": token})
    client.post(f"/admin/users/{victim.id}/deactivate", data={"csrf_token": token})
    entries = db.execute(
        select(AuditEntry.action, AuditEntry.actor_id).where(AuditEntry.target == f"user:{victim.id}")
    ).all()
    assert [tuple(e) for e in entries] == [("user.password_reset", admin.id), ("user.deactivated", admin.id)]
