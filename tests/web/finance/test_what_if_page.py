"""Finance · E se?: a draft table or draft plans over a past period, compared per person
and per bank with the ledger (differences by hand); nothing is posted."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy import func, select

from portal.commissions import tables
from portal.commissions.models import LedgerEntry, VersionState
from tests.commissions.helpers import FINANCE, D, paid_proposal, row, world
from tests.conftest import form_post
from tests.page_text import visible_text

URL = "/finance/what-if"


def row_of(html: str, key: str) -> list[str]:
    """The amount cells (held, draft, difference) of the row `data-key="key"`."""
    start = html.index(f'data-key="{key}"')
    text = html[start : html.index("</tr>", start)]
    cells = [c.split(">", 1)[1].split("</td>")[0] for c in text.split('<td class="text-end')[1:]]
    return [visible_text(c) for c in cells]


def run(client, version_id: str = "", period: str = "2026-03", plans: bytes | None = None):
    data: dict[str, object] = {"version_id": version_id, "period": period}
    if plans is not None:
        data["plans"] = (io.BytesIO(plans), "planos.csv")
    return form_post(client, URL, data, token_page=URL, content_type="multipart/form-data")


def test_draft_table_differences_per_person_and_bank_and_nothing_posted(client, db, monkeypatch, login_as):
    w = world(db)  # approved Facta: flat 6 % + 0,5 % × 12; Ana 40 %; supervisor override 0,30 %
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))  # gross 10.000,00
    draft = tables.new_draft_from(db, FINANCE, w.version)
    tables.replace_rows(db, FINANCE, draft, [row(flat=D("5"))])
    entries = db.scalar(select(func.count()).select_from(LedgerEntry))
    login_as("finance")
    response = run(client, str(draft.id))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html[html.index("<h1") :][:1500]
    # Company: 600,00 flat + 12 × 50,00 deferred = 1.200,00 in the ledger; with flat 5 %:
    # 500,00 + 600,00 = 1.100,00 → −100,00. Ana (40 % of each): 480,00 → 440,00 → −40,00.
    # Supervisor: 0,30 % of 10.000,00 = 30,00 either way.
    assert row_of(html, "facta") == ["R$ 1.200,00", "R$ 1.100,00", "-R$ 100,00"]
    assert row_of(html, "ana@teste.athenas") == ["R$ 480,00", "R$ 440,00", "-R$ 40,00"]
    assert row_of(html, "sup@teste.athenas") == ["R$ 30,00", "R$ 30,00", "R$ 0,00"]
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == entries
    db.refresh(draft)
    assert draft.state == VersionState.DRAFT.value


def test_draft_plans_file_replaces_only_the_named_persons_plan(client, db, monkeypatch, login_as):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5))
    login_as("finance")
    plans = b"colaborador;vigencia_de;vigencia_ate;sobre;percentual\nana@teste.athenas;01/01/2026;;comissao;50,00\n"  # noqa: E501
    html = run(client, plans=plans).get_data(as_text=True)
    # Ana at 50 % of 1.200,00 = 600,00 (+120,00); the company's table did not change.
    assert row_of(html, "ana@teste.athenas") == ["R$ 480,00", "R$ 600,00", "R$ 120,00"]
    assert row_of(html, "facta") == ["R$ 1.200,00", "R$ 1.200,00", "R$ 0,00"]


def test_contracts_outside_the_period_are_not_counted(client, db, monkeypatch, login_as):
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 4, 2))
    draft = tables.new_draft_from(db, FINANCE, w.version)
    login_as("finance")
    html = run(client, str(draft.id)).get_data(as_text=True)
    assert "0 contrato(s) pago(s)" in html and "Nada neste período." in html


def test_approved_version_or_no_draft_is_a_422(client, db, login_as):
    w = world(db)
    login_as("finance")
    refused = run(client, str(w.version.id))
    assert refused.status_code == 422
    assert "não é um rascunho" in refused.get_data(as_text=True)
    nothing = run(client)
    assert nothing.status_code == 422
    assert "Escolha uma versão rascunho da tabela ou envie um arquivo de planos." in nothing.get_data(as_text=True)  # noqa: E501
    bad_period = run(client, str(w.version.id), period="2026-13")
    assert bad_period.status_code == 422 and "Período inválido" in bad_period.get_data(as_text=True)


def test_bad_plans_file_is_refused_by_line(client, db, login_as):
    world(db)
    login_as("finance")
    response = run(client, plans=b"colaborador;vigencia_de;vigencia_ate;sobre;percentual\nana;31/02/2026;;tudo;-5\n")  # noqa: E501
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Linha 2: colaborador: e-mail inválido" in html and "Linha 2: vigencia_de: data inexistente" in html  # noqa: E501
