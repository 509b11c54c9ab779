"""Collaborator and org pages as each role sees them: access, scoping, bad input,
masking, secrets, evidence files and the certification warnings."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select

from portal.core.audit import AuditEntry
from portal.people.models import Certification, Collaborator, OperatorCode, OrgUnit
from tests import factories
from tests.conftest import form_post, sign_in

TODAY = date.today()
VALID_CPF = "529.982.247-25"


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def org(db):
    """A store with two teams; a supervised agent in team A, a stranger in team B."""
    store = factories.org_unit(db, "store", "Loja Centro")
    team_a = factories.org_unit(db, "team", "Equipe A", store)
    team_b = factories.org_unit(db, "team", "Equipe B", store)
    return store, team_a, team_b


@pytest.mark.parametrize(
    ("role", "list_status", "new_status"),
    [
        ("agent", 403, 403),
        ("operations", 403, 403),
        ("finance", 403, 403),
        ("supervisor", 200, 403),
        ("manager", 200, 403),
        ("admin", 200, 200),
    ],
)
def test_who_reaches_the_people_pages(client, login_as, role, list_status, new_status):
    login_as(role)
    for path in ("/admin/collaborators", "/admin/org", "/admin/collaborators/export.csv"):
        assert client.get(path).status_code == list_status, path
    for path in ("/admin/collaborators/new", "/admin/org/new"):
        assert client.get(path).status_code == new_status, path


def test_supervisor_sees_own_team_read_only_and_404_outside(client, db, login_as, org):
    _, team_a, team_b = org
    sup_user = login_as("supervisor")
    sup = factories.collaborator(db, sup_user, team_a, role_group="supervisor", name="Sérgio Sup")
    mine = factories.collaborator(db, None, team_a, name="Ana da Equipe", supervisor_id=sup.id)
    stranger = factories.collaborator(db, None, team_b, name="Bruno de Fora")

    html = client.get("/admin/collaborators").get_data(as_text=True)
    assert "Ana da Equipe" in html and "Bruno de Fora" not in html
    assert "Novo colaborador" not in html
    detail = client.get(f"/admin/collaborators/{mine.id}")
    assert detail.status_code == 200
    page = detail.get_data(as_text=True)
    assert "Editar" not in page and "Registrar certificação" not in page and "Desligar" not in page
    assert client.get(f"/admin/collaborators/{stranger.id}").status_code == 404
    assert client.get(f"/admin/collaborators/{stranger.id + 1000}").status_code == 404
    export = client.get("/admin/collaborators/export.csv").get_data(as_text=True)
    assert "Ana da Equipe" in export and "Bruno de Fora" not in export
    response = form_post(
        client,
        f"/admin/collaborators/{mine.id}/edit",
        {"name": "Hack", "role_group": "agent"},
        token_page="/admin/collaborators",
    )
    assert response.status_code == 403
    assert db.get(Collaborator, mine.id).name == "Ana da Equipe"


def test_list_filters_and_masked_export(client, db, login_as, org):
    _, team_a, team_b = org
    login_as("admin")
    ok = factories.collaborator(db, None, team_a, name="Ok Válido", cpf="52998224725")
    factories.certification(db, ok, TODAY + timedelta(days=200))
    soon = factories.collaborator(db, None, team_b, name="Quase Vencendo")
    factories.certification(db, soon, TODAY + timedelta(days=10))
    factories.collaborator(db, None, team_b, name="Nunca Certificado")

    def names(query: str) -> set[str]:
        html = client.get(f"/admin/collaborators?{query}").get_data(as_text=True)
        return {n for n in ("Ok Válido", "Quase Vencendo", "Nunca Certificado") if n in html}

    assert names("cert=expiring") == {"Quase Vencendo"}
    assert names("cert=missing") == {"Nunca Certificado"}
    assert names(f"team={team_b.id}") == {"Quase Vencendo", "Nunca Certificado"}
    assert names("q=529.982.247-25") == {"Ok Válido"}
    assert names("q=vencendo") == {"Quase Vencendo"}

    response = client.get(f"/admin/collaborators/export.csv?team={team_a.id}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:3] == ["ID", "Nome", "CPF"]
    assert [r[1:3] for r in rows[1:]] == [["Ok Válido", "***.982.247-**"]]
    assert rows[1][6:8] == ["Equipe A", "Loja Centro"] and rows[1][9] == "Válida"
    assert "52998224725" not in response.get_data(as_text=True)
    xlsx = client.get("/admin/collaborators/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_list_query_count_does_not_grow_with_rows(app, client, db, login_as, org):
    _, team_a, _ = org
    login_as("admin")
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    def measure() -> int:
        statements.clear()
        engine = app.extensions["athenas.db"]["engine"]
        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/collaborators").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    for _ in range(2):
        person = factories.collaborator(db, None, team_a)
        factories.certification(db, person, TODAY + timedelta(days=90))
    few = measure()
    for _ in range(12):
        person = factories.collaborator(db, None, team_a)
        factories.certification(db, person, TODAY + timedelta(days=90))
    assert measure() == few


def _new(client, **overrides):
    data = {"name": "Nova Pessoa", "cpf": VALID_CPF, "role_group": "agent", **overrides}
    return form_post(client, "/admin/collaborators/new", data, token_page="/admin/collaborators/new")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cpf": "123.456.789-10"}, "CPF inválido."),
        ({"email": "ana@"}, "Informe um e-mail válido."),
        ({"phone": "(11) 1234-567"}, "Telefone inválido"),
        ({"name": "Á" * 121}, "Máximo de 120 caracteres."),
        ({"cpf": "1" * 5000}, "Máximo de 20 caracteres."),
        ({"hired_on": "31/02/2026"}, "Data inválida."),
        ({"name": ""}, "Campo obrigatório."),
    ],
)
def test_create_bad_input_shows_field_error_and_saves_nothing(client, db, login_as, overrides, message):
    login_as("admin")
    before = _count(db, Collaborator)
    response = _new(client, **overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert 'class="invalid-feedback d-block"' in response.get_data(as_text=True)
    assert _count(db, Collaborator) == before


def test_duplicate_cpf_on_the_form(client, db, login_as):
    login_as("admin")
    factories.collaborator(db, cpf="52998224725")
    response = _new(client, cpf=VALID_CPF)
    assert response.status_code == 422
    assert "Já existe um colaborador com este CPF." in response.get_data(as_text=True)


def test_create_keeps_accents_and_shows_html_as_text(client, db, login_as, org):
    _, team_a, _ = org
    login_as("admin")
    response = _new(
        client,
        name="Joana D'Arc <script>alert(1)</script>",
        email="joana@empresa.com.br",
        phone="(81) 99876-5432",
        unit_id=str(team_a.id),
        hired_on="2026-03-02",
    )
    assert response.status_code == 302
    person = db.scalar(select(Collaborator).where(Collaborator.email == "joana@empresa.com.br"))
    assert person.name == "Joana D'Arc <script>alert(1)</script>"
    for path in (f"/admin/collaborators/{person.id}", "/admin/collaborators"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in html
        assert "Joana D&#39;Arc &lt;script&gt;alert(1)&lt;/script&gt;" in html
    detail = client.get(f"/admin/collaborators/{person.id}").get_data(as_text=True)
    assert "***.982.247-**" in detail and "529.982.247-25" not in detail
    assert "(81) *****-5432" in detail and "99876" not in detail
    assert "Equipe A" in detail and "02/03/2026" in detail


def test_reveal_is_audited(client, db, login_as):
    login_as("admin")
    person = factories.collaborator(db, cpf="52998224725")
    response = form_post(
        client, f"/admin/collaborators/{person.id}/reveal", {}, token_page=f"/admin/collaborators/{person.id}"
    )
    assert response.status_code == 200
    assert "529.982.247-25" in response.get_data(as_text=True)
    assert db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "collaborator.pii_revealed", AuditEntry.target == f"collaborator:{person.id}"
        )
    )


def test_edit_keeps_cpf_when_left_blank(client, db, login_as):
    login_as("admin")
    person = factories.collaborator(db, cpf="52998224725", name="Antes")
    page = client.get(f"/admin/collaborators/{person.id}/edit").get_data(as_text=True)
    assert "52998224725" not in page and "529.982.247-25" not in page
    response = form_post(
        client,
        f"/admin/collaborators/{person.id}/edit",
        {"name": "Depois Ávila", "cpf": "", "role_group": "partner"},
        token_page=f"/admin/collaborators/{person.id}/edit",
    )
    assert response.status_code == 302
    db.expire_all()
    person = db.get(Collaborator, person.id)
    assert (person.name, person.cpf, person.role_group) == ("Depois Ávila", "52998224725", "partner")


def test_move_and_deactivate_through_the_page(client, db, login_as, org):
    _, team_a, team_b = org
    login_as("admin")
    person = factories.collaborator(db, None, team_a, since=date(2026, 1, 1))
    page = f"/admin/collaborators/{person.id}"
    moved = form_post(
        client, f"{page}/move", {"unit_id": team_b.id, "moved_on": "2026-03-01"}, token_page=page
    )
    assert moved.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "01/03/2026" in html and "Transferência de unidade" in html
    assert 'data-confirm="Desligar' in html
    bad = form_post(client, f"{page}/deactivate", {"left_on": ""}, token_page=page)
    assert bad.status_code == 422 and "Campo obrigatório." in bad.get_data(as_text=True)
    done = form_post(client, f"{page}/deactivate", {"left_on": "2026-06-30"}, token_page=page)
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Collaborator, person.id).status == "inactive"


def test_secret_is_never_shown_after_saving(client, db, login_as):
    login_as("admin")
    person = factories.collaborator(db)
    factories.bank(db, "daycoval")
    page = f"/admin/collaborators/{person.id}"
    response = form_post(
        client,
        f"{page}/operator-codes",
        {"bank_code": "daycoval", "operator_code": "ana.login", "secret": "Segredo-Muito-Forte-9"},
        token_page=page,
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    today_in_brazil = datetime.now(ZoneInfo("America/Sao_Paulo")).date()  # the page's calendar
    assert "ana.login" in html and f"definida em {today_in_brazil:%d/%m/%Y}" in html
    assert "Segredo-Muito-Forte-9" not in html
    code = db.scalar(select(OperatorCode).where(OperatorCode.collaborator_id == person.id))
    assert code.secret == "Segredo-Muito-Forte-9"
    # A failed save re-renders the form, still without echoing the secret.
    failed = form_post(
        client,
        f"{page}/operator-codes",
        {"bank_code": "banco-x", "operator_code": "y", "secret": "Outro-Segredo-123"},
        token_page=page,
    )
    assert failed.status_code == 422
    assert "Banco desconhecido." in failed.get_data(as_text=True)
    assert "Outro-Segredo-123" not in failed.get_data(as_text=True)


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, person_id: int, content: bytes, filename: str):
    page = f"/admin/collaborators/{person_id}"
    data = {
        "issuer": "febraban",
        "number": "FB-2026-001",
        "issued_on": "2026-01-10",
        "expires_on": "2029-01-10",
        "evidence": (io.BytesIO(content), filename),
    }
    return form_post(
        client, f"{page}/certifications", data, token_page=page, content_type="multipart/form-data"
    )


def test_evidence_upload_and_scoped_download(app, client, db, login_as, org):
    _, team_a, team_b = org
    login_as("admin")
    person = factories.collaborator(db, None, team_a)
    bad = _upload(client, person.id, b"<script>alert('x')</script>", "certificado.pdf")
    assert bad.status_code == 422
    assert "Envie o comprovante em PDF, JPG ou PNG." in bad.get_data(as_text=True)
    assert _count(db, Certification) == 0
    good = _upload(client, person.id, PDF, "Certificação FEBRABAN.pdf")
    assert good.status_code == 302
    cert = db.scalar(select(Certification).where(Certification.collaborator_id == person.id))
    assert cert.evidence_content_type == "application/pdf" and len(cert.evidence_sha256) == 64
    url = f"/admin/collaborators/{person.id}/certifications/{cert.id}/evidence"
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    on_disk = Path(app.config["STORAGE_DIR"]) / cert.evidence_path
    assert PDF not in on_disk.read_bytes() and b"obj<<>>endobj" not in on_disk.read_bytes()
    on_disk.write_bytes(PDF)  # evidence stored in clear before encryption still downloads
    assert client.get(url).data == PDF

    outsider = app.test_client()
    sup_user = factories.user(db, role="supervisor")
    factories.collaborator(db, sup_user, team_b, role_group="supervisor")
    form_post(outsider, "/login", {"email": sup_user.email, "password": factories.PASSWORD})
    assert outsider.get(url).status_code == 404
    agent = app.test_client()
    agent_user = factories.user(db, role="agent")
    form_post(agent, "/login", {"email": agent_user.email, "password": factories.PASSWORD})
    assert agent.get(url).status_code == 403


def test_org_unit_form_rejects_bad_cnpj_and_keeps_nothing(client, db, login_as):
    login_as("admin")
    before = _count(db, OrgUnit)
    response = form_post(
        client,
        "/admin/org/new",
        {"kind": "company", "name": "Promotora X", "cnpj": "12.345.678/0001-00"},
        token_page="/admin/org/new",
    )
    assert response.status_code == 422 and "CNPJ inválido." in response.get_data(as_text=True)
    response = form_post(
        client,
        "/admin/org/new",
        {"kind": "company", "name": "Promotora X", "cnpj": "11.222.333/0001-81", "cep": "00000-000"},
        token_page="/admin/org/new",
    )
    assert response.status_code == 422 and "CEP inválido." in response.get_data(as_text=True)
    assert _count(db, OrgUnit) == before
    ok = form_post(
        client,
        "/admin/org/new",
        {"kind": "company", "name": "Promotora <b>X</b>", "cnpj": "11.222.333/0001-81"},
        token_page="/admin/org/new",
    )
    assert ok.status_code == 302
    tree = client.get("/admin/org").get_data(as_text=True)
    assert "Promotora &lt;b&gt;X&lt;/b&gt;" in tree and "11.222.333/0001-81" in tree


def test_certification_warnings_on_home_pages(app, client, db, login_as, org):
    _, team_a, _ = org
    agent_user = login_as("agent")
    agent = factories.collaborator(db, agent_user, team_a, name="Ana Agente")
    factories.certification(db, agent, TODAY + timedelta(days=12))
    html = client.get("/sales/").get_data(as_text=True)
    assert f"Sua certificação vence em {TODAY + timedelta(days=12):%d/%m/%Y}" in html

    sup_client = app.test_client()
    sup_user = factories.user(db, role="supervisor")
    sup = factories.collaborator(db, sup_user, team_a, role_group="supervisor")
    factories.certification(db, sup, TODAY + timedelta(days=400))
    form_post(sup_client, "/login", {"email": sup_user.email, "password": factories.PASSWORD})
    sup_home = sup_client.get("/sales/").get_data(as_text=True)
    assert "Ana Agente" in sup_home and "Sua certificação" not in sup_home

    admin_client = app.test_client()
    admin = factories.user(db, role="admin")
    sign_in(admin_client, db, admin)
    assert "Ana Agente" in admin_client.get("/admin/").get_data(as_text=True)
