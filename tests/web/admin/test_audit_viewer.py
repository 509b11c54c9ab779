"""The audit log page: people's words, bulk target resolution, filters, export, chain check."""

from __future__ import annotations

import ast
import io
import pathlib
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select, text

from portal.core import audit
from portal.core.audit import Actor, AuditEntry
from portal.web.admin.audit_catalogue import ACTION_PHRASES
from tests import factories
from tests.conftest import form_post
from tests.page_text import text_by_testid, visible_text
from tests.pipeline_helpers import count_queries

# Where each audit helper takes the action name (positional index).
ACTION_ARG = {"record": 2, "add_recorded": 3, "audit_record": 2, "record_change": 5, "record_user_action": 4}


def _strings(node: ast.AST, constants: dict[str, str]) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body, constants) | _strings(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return {constants[node.id]}
    return set()


def audited_actions() -> dict[str, str]:
    """Every action name passed to an audit helper anywhere in `portal/` -> the file."""
    found: dict[str, str] = {}
    for path in sorted(pathlib.Path("portal").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value.value, str)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name not in ACTION_ARG:
                continue
            arg = next((k.value for k in node.keywords if k.arg == "action"), None)
            if arg is None and len(node.args) > ACTION_ARG[name]:
                arg = node.args[ACTION_ARG[name]]
            for action in _strings(arg, constants) if arg is not None else ():
                found.setdefault(action, str(path))
    return found


def test_every_audited_action_has_a_portuguese_phrase():
    actions = audited_actions()
    assert "login.succeeded" in actions and "list.exported" in actions  # the scan sees the code
    missing = {action: path for action, path in actions.items() if action not in ACTION_PHRASES}
    assert missing == {}


def test_page_speaks_peoples_words(client, db, login_as):
    admin = login_as("admin")
    maria = factories.user(db, role="agent", name="Maria Souza")
    factories.bank(db, "facta", name="Facta Financeira")
    owner = factories.collaborator(db, factories.user(db, role="agent"), factories.org_unit(db))
    proposal = factories.proposal(db, factories.client(db, owner))
    audit.record(db, Actor(maria.id, maria.email), "login.succeeded", f"user:{maria.id}")
    audit.record(db, Actor(admin.id, admin.email), "proposal.status_changed", f"proposal:{proposal.id}")
    page = visible_text(client.get("/admin/audit").get_data(as_text=True))
    assert "Entrou no portal" in page and "Usuário Maria Souza" in page
    assert "Alterou o status da proposta" in page and f"Proposta {proposal.id} (Facta Financeira)" in page
    assert "login.succeeded" not in page and f"user:{maria.id}" not in page
    assert f"Maria Souza ({maria.email}) Entrou no portal" in page


def _page_queries(client, db) -> int:
    with count_queries(db.get_bind()) as statements:
        assert client.get("/admin/audit").status_code == 200
    return len(statements)


def test_targets_are_resolved_in_bulk(client, db, login_as):
    login_as("admin")
    factories.bank(db, "facta")
    owner = factories.collaborator(db, factories.user(db, role="agent"), factories.org_unit(db))
    a_client = factories.client(db, owner)

    def add(n: int) -> None:
        for _ in range(n):
            user = factories.user(db, role="agent")
            audit.record(db, Actor(user.id, user.email), "login.succeeded", f"user:{user.id}")
            proposal = factories.proposal(db, a_client)
            audit.record(db, Actor(user.id, user.email), "proposal.reviewed", f"proposal:{proposal.id}")

    add(2)
    few = _page_queries(client, db)
    add(30)
    many = _page_queries(client, db)
    assert many == few  # 60 more rows on the page, not one query more


def test_filters_actor_action_target_and_period(client, db, login_as, monkeypatch):
    login_as("admin")
    maria = factories.user(db, role="agent", name="Maria Souza", email="maria@teste.athenas")
    joao = factories.user(db, role="agent", name="João Lima", email="joao@teste.athenas")

    def at(day: int, actor, action: str, target: str) -> None:
        monkeypatch.setattr(audit, "utcnow", lambda: datetime(2026, 3, day, 15, 0, tzinfo=UTC))
        audit.record(db, Actor(actor.id, actor.email), action, target)

    at(2, maria, "login.succeeded", f"user:{maria.id}")
    at(10, maria, "user.password_changed", f"user:{maria.id}")
    at(10, joao, "login.succeeded", f"user:{joao.id}")
    at(20, joao, "bank.update", "bank:facta")

    def rows(query: str) -> str:
        return text_by_testid(client.get(f"/admin/audit?{query}").get_data(as_text=True), "audit-table")

    by_name = rows("actor=Maria")
    assert by_name.count("maria@teste.athenas") == 2 and "joao@" not in by_name
    by_action = rows("action=login.succeeded")
    assert "Usuário Maria Souza" in by_action and "Usuário João Lima" in by_action
    assert "Trocou a própria senha" not in by_action
    assert "Banco facta" in rows("target_kind=bank") and "Usuário" not in rows("target_kind=bank")
    one_user = rows(f"target_kind=user&target_key={joao.id}")
    assert "Usuário João Lima" in one_user and "Maria" not in one_user
    march_10 = rows("since=2026-03-10&until=2026-03-10")
    assert "Trocou a própria senha" in march_10 and "Usuário João Lima" in march_10
    assert "Alterou o cadastro do banco" not in march_10 and march_10.count("Entrou no portal") == 1


def test_export_follows_the_filters_and_is_audited(client, db, login_as):
    admin = login_as("admin")
    maria = factories.user(db, role="agent", name="Maria Souza")
    audit.record(db, Actor(maria.id, maria.email), "login.succeeded", f"user:{maria.id}")
    audit.record(db, Actor(maria.id, maria.email), "logout", f"user:{maria.id}")
    response = client.get("/admin/audit/export.xlsx?action=logout")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Nº", "Quando", "Quem", "Ação", "Alvo")
    assert [r[3:5] for r in rows[1:]] == [("Saiu do portal", "Usuário Maria Souza")]
    logged = db.scalar(select(AuditEntry).where(AuditEntry.action == "list.exported"))
    assert logged.actor_id == admin.id and logged.details["filters"] == {"action": "logout"}
    assert logged.details["rows"] == 1


def test_chain_verification_result_is_shown_and_names_the_break(client, db, login_as):
    login_as("admin")
    page = text_by_testid(client.get("/admin/audit").get_data(as_text=True), "chain-report")
    assert "ainda não foi verificada" in page
    ok = visible_text(
        form_post(client, "/admin/audit/verify", token_page="/admin/audit").get_data(as_text=True)
    )
    assert "Cadeia íntegra" in ok
    assert "Cadeia íntegra" in text_by_testid(
        client.get("/admin/audit").get_data(as_text=True), "chain-report"
    )
    victim = audit.record(db, Actor(None, "teste"), "logout", "user:999")
    audit.record(db, Actor(None, "teste"), "logout", "user:998")
    db.execute(text("UPDATE audit_entries SET actor_label = 'outro' WHERE id = :id"), {"id": victim.id})
    db.expire_all()
    broken = visible_text(
        form_post(client, "/admin/audit/verify", token_page="/admin/audit").get_data(as_text=True)
    )
    assert f"Cadeia quebrada no registro #{victim.id}: conteúdo alterado" in broken
    assert "Saiu do portal · Usuário #999" in broken
    shown = text_by_testid(client.get("/admin/audit").get_data(as_text=True), "chain-report")
    assert f"Cadeia quebrada no registro #{victim.id}" in shown
