"""Client pages as a user meets them: create, list/search, 360, masking and reveal, bad input."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import object_session

from portal.clients.models import Client
from portal.core.audit import AuditEntry
from tests import factories
from tests.conftest import csrf_token_from, form_post, sign_in

CPF = "529.982.247-25"
NEW = "/sales/clients/new"


@pytest.fixture
def org(db):
    return factories.client_org(db)


def _login(client, user):
    sign_in(client, object_session(user), user)


def _form(**overrides):
    data = {
        "cpf": CPF,
        "name": "Conceição D'Ávila",
        "birth_date": "02/01/1950",
        "phone": "(11) 98765-4321",
        "email": "conceicao@exemplo.com",
        "cep": "01310-100",
        "city": "São Paulo",
        "state": "SP",
        "provenance": "agent",
    }
    data.update(overrides)
    return data


def _clients(db):
    return db.scalar(select(func.count()).select_from(Client))


ACCESS = {
    "/sales/clients": {"agent", "supervisor", "manager", "operations", "admin"},
    "/sales/clients/new": {"agent", "supervisor", "operations"},
    "/sales/clients/export.csv": {"agent", "supervisor", "manager", "operations", "admin"},
}


@pytest.mark.parametrize("role", ["agent", "supervisor", "operations", "finance", "manager", "admin"])
def test_client_pages_access_contract(client, login_as, role):
    login_as(role)
    for path, allowed in ACCESS.items():
        assert client.get(path).status_code == (200 if role in allowed else 403), (role, path)


def test_agent_creates_client_and_sees_it_masked_in_the_list(client, db, org):
    _login(client, org.agent_user)
    response = form_post(client, NEW, _form(), token_page=NEW)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    created = db.scalar(select(Client).where(Client.cpf_index.is_not(None)))
    assert response.headers["Location"].endswith(f"/sales/clients/{created.id}")
    assert created.owner_id == org.agent.id
    html = client.get("/sales/clients").get_data(as_text=True)
    assert "Conceição D&#39;Ávila" in html
    assert "***.982.247-**" in html and "529.982.247-25" not in html and "52998224725" not in html
    assert "(11) *****-4321" in html
    detail = client.get(f"/sales/clients/{created.id}").get_data(as_text=True)
    assert "***.982.247-**" in detail and "529.982.247-25" not in detail
    assert "Cliente cadastrado" in detail  # the timeline


def test_duplicate_cpf_links_to_the_existing_client_or_hides_it(app, client, db, org):
    mine = factories.client(db, org.agent, cpf="52998224725", name="Já Existe")
    _login(client, org.agent_user)
    response = form_post(client, NEW, _form(cpf="529.982.247-25"), token_page=NEW)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Este CPF já está cadastrado." in html
    assert f'href="/sales/clients/{mine.id}"' in html

    other = app.test_client()
    _login(other, org.peer_user)
    response = form_post(other, NEW, _form(cpf="52998224725"), token_page=NEW)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "outro corretor" in html
    assert f"/sales/clients/{mine.id}" not in html and "Já Existe" not in html
    assert _clients(db) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cpf": "123.456.789-00"}, "CPF inválido"),
        ({"cep": "123"}, "CEP inválido"),
        ({"email": "sem-arroba"}, "Informe um e-mail válido."),
        ({"phone": "(11) 1234"}, "Telefone inválido"),
        ({"name": "N" * 500}, "Máximo de 120 caracteres."),
        ({"street": "R" * 5000}, "Máximo de 200 caracteres."),
        ({"provenance": ""}, "Informe a origem dos dados."),
        ({"provenance": "import"}, "Informe o nome do arquivo importado."),
    ],
)
def test_bad_input_shows_a_portuguese_field_error_and_saves_nothing(client, db, org, overrides, message):
    _login(client, org.agent_user)
    response = form_post(client, NEW, _form(**overrides), token_page=NEW)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="invalid-feedback d-block"' in html
    assert _clients(db) == 0


def test_script_in_fields_is_shown_as_text(client, db, org):
    _login(client, org.agent_user)
    payload = "<script>alert(1)</script>"
    response = form_post(
        client, NEW, _form(name=f"Zé {payload}", street=payload, city="<b>x</b>"), token_page=NEW
    )
    assert response.status_code == 302
    for path in ("/sales/clients", response.headers["Location"]):
        html = client.get(path).get_data(as_text=True)
        assert payload not in html and "<b>x</b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_reveal_shows_full_value_and_audits_who_saw_which_field(client, db, org):
    target = factories.client(db, org.agent, cpf="52998224725", phone="11987654321")
    _login(client, org.agent_user)
    token = csrf_token_from(client, f"/sales/clients/{target.id}")
    response = client.post(
        f"/sales/clients/{target.id}/reveal/cpf", headers={"HX-Request": "true", "X-CSRFToken": token}
    )
    assert response.status_code == 200
    assert "529.982.247-25" in response.get_data(as_text=True)
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "client.pii_revealed"))
    assert entry.target == f"client:{target.id}" and entry.details == {"field": "cpf"}
    assert entry.actor_id == org.agent_user.id
    assert "52998224725" not in str(entry.details)
    # Without the CSRF token nothing is revealed.
    assert client.post(f"/sales/clients/{target.id}/reveal/phone").status_code == 400
    assert (
        client.post(f"/sales/clients/{target.id}/reveal/email", headers={"X-CSRFToken": token}).status_code
        == 404
    )


def test_manager_without_reveal_permission_sees_masks_only(client, db, org):
    target = factories.client(db, org.agent, cpf="52998224725")
    _login(client, org.manager_user)
    html = client.get(f"/sales/clients/{target.id}").get_data(as_text=True)
    assert "***.982.247-**" in html and "Revelar" not in html
    token = csrf_token_from(client, f"/sales/clients/{target.id}")
    response = client.post(f"/sales/clients/{target.id}/reveal/cpf", headers={"X-CSRFToken": token})
    assert response.status_code == 403
    export = client.get("/sales/clients/export.csv").get_data(as_text=True)
    assert "***.982.247-**" in export and "529.982.247-25" not in export


ANA_EXPORT = {
    "cpf": "52998224725",
    "name": "Ana Export",
    "phone": "11912345678",
    "email": "ana.export@exemplo.com.br",
}


def test_exports_are_masked_like_the_screen_for_every_role(client, db, org):
    factories.client(db, org.agent, **ANA_EXPORT)
    factories.client(db, org.agent, cpf="11144477735", name="Bruno Export")
    factories.client(db, org.peer, cpf="39053344705", name="Ana do Colega")
    _login(client, org.agent_user)  # agents may reveal one value on screen, not export them
    csv = client.get("/sales/clients/export.csv?q=ana").get_data(as_text=True)
    assert "Ana Export" in csv and "Bruno Export" not in csv and "Ana do Colega" not in csv
    assert "***.982.247-**" in csv and "(11) *****-5678" in csv and "a***@exemplo.com.br" in csv
    assert "529.982.247-25" not in csv and "91234-5678" not in csv and "ana.export@" not in csv
    xlsx = client.get("/sales/clients/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert client.get("/sales/clients/export-full").status_code == 403
    assert client.get("/sales/clients").get_data(as_text=True).count("dados completos") == 0


def test_full_export_needs_the_permission_a_reason_and_lands_in_the_audit_log(app, client, db, org):
    factories.client(db, org.agent, **ANA_EXPORT)
    _login(client, org.operations_user)
    assert "Exportar com dados completos" in client.get("/sales/clients").get_data(as_text=True)
    page = "/sales/clients/export-full?q=ana"
    form = {"fmt": "csv", "q": "ana", "owner": "", "status": "active"}
    missing = form_post(client, page, {**form, "reason": "  curto  "}, token_page=page)
    assert missing.status_code == 422
    assert "Informe o motivo da exportação" in missing.get_data(as_text=True)
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "client.exported")) is None
    reason = "Arquivo de portabilidade pedido pelo banco Facta"
    full = form_post(client, page, {**form, "reason": reason}, token_page=page)
    assert full.status_code == 200 and full.headers["Cache-Control"] == "no-store"
    body = full.get_data(as_text=True)
    assert "529.982.247-25" in body and "(11) 91234-5678" in body and "ana.export@exemplo.com.br" in body
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "client.exported"))
    assert entry.details == {
        "format": "csv",
        "search": "name",
        "owner": None,
        "revealed": True,
        "reason": "Arquivo de portabilidade pedido pelo banco Facta",
    }
    assert entry.actor_id == org.operations_user.id


def test_list_pages_with_a_constant_number_of_queries(app, client, db, org):
    for i in range(60):
        factories.client(db, org.agent if i % 2 else org.peer, name=f"Cliente {i:02d}")
    _login(client, org.supervisor_user)
    engine = app.extensions["athenas.db"]["engine"]
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = client.get("/sales/clients").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first.count('href="/sales/clients/') >= 50
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 6, selects
    cursor = re.search(r'hx-get="(/sales/clients\?[^"]*after=[^"]+)"', first).group(1).replace("&amp;", "&")
    second = client.get(cursor, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Cliente 59" in second and "<html" not in second


def test_consent_with_evidence_through_the_page(app, client, db, org):
    import io

    target = factories.client(db, org.agent)
    _login(client, org.agent_user)
    page = f"/sales/clients/{target.id}"
    token = csrf_token_from(client, page)
    bad = client.post(
        f"{page}/consents",
        data={
            "csrf_token": token,
            "purpose": "benefit_query",
            "legal_basis": "consent",
            "channel": "in_person",
        },
    )
    assert bad.status_code == 422 and "Anexe o termo" in bad.get_data(as_text=True)
    good = client.post(
        f"{page}/consents",
        data={
            "csrf_token": token,
            "purpose": "benefit_query",
            "legal_basis": "consent",
            "channel": "in_person",
            "evidence": (io.BytesIO(b"%PDF-1.4 termo\n%%EOF\n"), "termo.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert "Consulta de benefício (IN100)" in html and "termo.pdf" in html
    link = re.search(r'href="(/sales/clients/\d+/consents/\d+/evidence)"', html).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 termo\n%%EOF\n"


def test_consent_evidence_is_encrypted_on_disk_and_downloads_in_clear(app, client, db, org):
    import io
    from pathlib import Path

    from portal.clients.models import Consent

    term = b"%PDF-1.4\n% Termo IN100 assinado por MARCADOR-DO-TITULAR\n%%EOF\n"
    target = factories.client(db, org.agent)
    _login(client, org.agent_user)
    page = f"/sales/clients/{target.id}"
    response = form_post(
        client,
        f"{page}/consents",
        {
            "purpose": "benefit_query",
            "legal_basis": "consent",
            "channel": "in_person",
            "evidence": (io.BytesIO(term), "termo assinado.pdf"),
        },
        token_page=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    consent = db.scalar(select(Consent).where(Consent.client_id == target.id))
    on_disk = Path(app.config["STORAGE_DIR"]) / consent.evidence_path
    assert b"MARCADOR-DO-TITULAR" not in on_disk.read_bytes()
    url = f"{page}/consents/{consent.id}/evidence"
    download = client.get(url)
    assert download.status_code == 200 and download.data == term
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert "termo assinado.pdf" in download.headers["Content-Disposition"]
    # Evidence stored in clear before this change still downloads as it was.
    on_disk.write_bytes(term)
    assert client.get(url).data == term
    # A file gone from the storage is a 404, not an error page.
    on_disk.unlink()
    assert client.get(url).status_code == 404


def test_edit_keeps_cpf_and_hidden_phone_and_records_the_change(client, db, org):
    target = factories.client(db, org.agent, cpf="52998224725", name="Edite Souza", phone="11987654321")
    _login(client, org.agent_user)
    page = f"/sales/clients/{target.id}/edit"
    form = client.get(page).get_data(as_text=True)
    assert "11987654321" not in form and "98765-4321" not in form  # phone not sent in full
    response = form_post(
        client,
        page,
        {"name": "Edite Souza Lima", "provenance": "agent", "cpf": "11144477735"},
        token_page=page,
    )
    assert response.status_code == 302
    db.expire_all()
    edited = db.get(Client, target.id)
    assert edited.name == "Edite Souza Lima" and edited.cpf == "52998224725" and edited.phone == "11987654321"
    html = client.get(f"/sales/clients/{target.id}").get_data(as_text=True)
    assert "Dados alterados: nome." in html


def test_every_wrong_field_is_shown_in_one_submit(client, db, org):
    """Name without letters, a minor, a CEP of SP with UF RJ and a bad e-mail: all four at once."""
    _login(client, org.agent_user)
    minor = (date.today() - timedelta(days=365 * 17)).strftime("%d/%m/%Y")
    response = form_post(
        client, NEW,
        _form(name="12345 -", birth_date=minor, cep="01310-100", state="RJ", email="sem-arroba",
              street="R" * 5000),
        token_page=NEW,
    )  # fmt: skip
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Nome inválido: use letras." in html
    assert "o cliente precisa ter 18 anos ou mais" in html
    assert "CEP 01310-100 é de SP, não de RJ." in html
    assert "Informe um e-mail válido." in html
    assert "Máximo de 200 caracteres." in html  # the form's own length check, with the rest
    assert _clients(db) == 0


@pytest.mark.parametrize(
    ("cep", "state", "accepted"),
    [("70040-010", "DF", True), ("72850-000", "GO", True), ("72850-000", "DF", False),
     ("69301-000", "RR", True), ("69301-000", "AM", False), ("90010-000", "RS", True),
     ("00000-000", "SP", False)],
)  # fmt: skip
def test_cep_must_belong_to_the_chosen_uf(client, db, org, cep, state, accepted):
    _login(client, org.agent_user)
    response = form_post(client, NEW, _form(cep=cep, state=state), token_page=NEW)
    assert (response.status_code == 302) is accepted, response.get_data(as_text=True)[:300]


def test_timeline_hint_only_when_it_is_empty(client, db, org):
    quiet = factories.client(db, org.agent, name="Sem Eventos")
    _login(client, org.agent_user)
    assert "aparecerão aqui" in client.get(f"/sales/clients/{quiet.id}").get_data(as_text=True)
    form_post(client, NEW, _form(), token_page=NEW)
    created = db.scalar(select(Client).where(Client.name == "Conceição D'Ávila"))
    html = client.get(f"/sales/clients/{created.id}").get_data(as_text=True)
    assert "Cliente cadastrado" in html and "aparecerão aqui" not in html


@pytest.mark.parametrize(
    ("path", "active"),
    [("/sales/", "Vendas"), ("/sales/clients", "Clientes"), ("/sales/proposals", "Propostas")],
)
def test_exactly_one_menu_item_is_highlighted(client, db, org, path, active):
    _login(client, org.agent_user)
    html = client.get(path).get_data(as_text=True)
    highlighted = re.findall(r'class="nav-link active"[^>]*>([^<]+)<', html)
    assert highlighted == [active]
