"""Table versions through the pages: import (bad lines shown, nothing created), approve
blocked by the cap naming the row, export → import gives the same rows, compare."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.commissions.models import TableRowRecord, TableVersion

HEADER = (
    "banco;produto;convenio;tabela;prazo_de;prazo_ate;taxa_de;taxa_ate;vigencia_de;vigencia_ate;"
    "base;flat;diferido;diferido_meses;bonus;fixo;estorno_dias;estorno_regra"
)
GOOD = "facta;refin;INSS;*;1;84;0;3;01/04/2026;;troco;4,00;0;0;0,50;10,00;60;integral"
OVER_CAP = "facta;new;SIAPE;*;1;96;0;3;01/04/2026;;bruto;5,50;0;0;1,00;0;90;pro_rata"  # 6,50 % > 6 %


def _upload(post, lines: list[str], **fields):
    body = ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")
    data = {"bank_code": "facta", "valid_from": "", "valid_to": "", "note": "", **fields}
    data["file"] = (io.BytesIO(body), "tabela.csv")
    return post(
        "/finance/tables/import", data, page="/finance/tables/import", content_type="multipart/form-data"
    )


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_bad_file_shows_every_line_error_and_creates_nothing(db, fin, finance_user, post):
    before = (_count(db, TableVersion), _count(db, TableRowRecord))
    response = _upload(
        post,
        [
            GOOD,
            "facta;new;INSS;*;96;1;0;3;01/04/2026;;bruto;6;0;0;0;0;90;integral",  # line 3: term upside down
            # line 4: a rate with text, 31/02, a negative percentage
            "facta;new;INSS;*;1;96;abc;3;31/02/2026;;bruto;-1;0;0;0;0;90;integral",
            "banco_x;new;INSS;*;1;96;0;3;01/04/2026;;bruto;6;0;0;0;0;90;integral",  # line 5: unknown bank
        ],
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = html.split('data-testid="line-errors"')[1].split("</table>")[0]
    for line in ("<td>3</td>", "<td>4</td>", "<td>5</td>"):
        assert line in errors
    assert "<td>2</td>" not in errors  # the good line has no error
    assert "prazo" in errors and "taxa_de" in errors and "vigencia_de" in errors and "banco" in errors
    assert "nada foi importado" in html
    assert (_count(db, TableVersion), _count(db, TableRowRecord)) == before


def test_good_file_becomes_a_draft_with_its_rows(client, db, fin, finance_user, post):
    response = _upload(post, [GOOD], note="Tabela de abril")
    assert response.status_code == 303
    version = db.scalar(select(TableVersion).where(TableVersion.number == 2))
    assert version.state == "draft" and version.bank_code == "facta" and len(version.rows) == 1
    assert str(version.valid_from) == "2026-04-01" and version.valid_to is None
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rascunho" in html and "4,00%" in html and "R$ 10,00" in html and "01/04/2026" in html


def test_approval_over_the_cap_names_the_row_and_keeps_the_draft(client, db, fin, finance_user, post):
    _upload(post, [GOOD, OVER_CAP], valid_from="2026-04-01")
    version = db.scalar(select(TableVersion).where(TableVersion.number == 2))
    page = f"/finance/tables/{version.id}"
    response = post(f"{page}/approve", page=page)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    problems = html.split('data-testid="cap-problems"')[1].split("</ul>")[0]
    assert "Linha 3 (new, convênio SIAPE" in problems and "6,50%" in problems and "6,00%" in problems
    assert "Linha 2" not in problems
    db.expire_all()
    assert db.get(TableVersion, version.id).state == "draft"


def test_approve_new_version_then_retire(client, db, fin, finance_user, post):
    page = f"/finance/tables/{fin.version.id}"
    response = post(f"{page}/new-version", page=page)
    assert response.status_code == 303
    draft = db.scalar(select(TableVersion).where(TableVersion.number == 2))
    assert draft.supersedes_id == fin.version.id and draft.state == "draft"
    assert post(f"/finance/tables/{draft.id}/approve", page=page).status_code == 303
    db.expire_all()
    assert db.get(TableVersion, draft.id).state == "approved"
    assert db.get(TableVersion, fin.version.id).state == "retired"
    assert post(f"/finance/tables/{draft.id}/retire", page=page).status_code == 303
    db.expire_all()
    assert db.get(TableVersion, draft.id).state == "retired"


def test_export_then_import_gives_the_same_rows(client, db, fin, finance_user, post):
    _upload(
        post,
        [
            GOOD,
            "facta;new;SIAPE;T-12;13;48;1,20;2,10;01/04/2026;31/12/2026;liquido_mais_seguro;3,25;0,40;6;0;2,50;120;pro_rata",
        ],
    )
    first = db.scalar(select(TableVersion).where(TableVersion.number == 2))
    exported = client.get(f"/finance/tables/{first.id}/export.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("banco", "produto", "convenio") and len(rows) == 3
    assert rows[2][:4] == ("facta", "new", "SIAPE", "T-12") and rows[2][11] == "3,25"
    response = post(
        "/finance/tables/import",
        {"bank_code": "facta", "file": (io.BytesIO(exported.data), "export.xlsx")},
        page="/finance/tables/import",
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    second = db.scalar(select(TableVersion).where(TableVersion.number == 3))
    html = client.get(f"/finance/tables/compare?old={first.id}&new={second.id}").get_data(as_text=True)
    assert "0 linha(s) incluída(s), 0 removida(s), 0 alterada(s), 2 igual(is)" in html
    assert "As versões são iguais" in html


def test_compare_shows_added_removed_and_changed_cells(client, db, fin, finance_user, post):
    _upload(post, [GOOD])
    old = db.scalar(select(TableVersion).where(TableVersion.number == 2))
    changed = GOOD.replace(";4,00;", ";3,50;")
    _upload(post, [changed, "facta;new;INSS;*;1;96;0;3;01/04/2026;;bruto;6;0;0;0;0;90;integral"])
    new = db.scalar(select(TableVersion).where(TableVersion.number == 3))
    html = client.get(f"/finance/tables/compare?old={old.id}&new={new.id}").get_data(as_text=True)
    assert "1 linha(s) incluída(s), 0 removida(s), 1 alterada(s), 0 igual(is)" in html
    # Line numbers are the file's: the header is line 1.
    row = html.split('data-testid="changed-2"')[1].split("</tr>")[0]
    assert row.count("table-warning") == 1  # only the flat cell changed
    cell = row.split('data-testid="changed-cell-flat"')[1].split("</td>")[0]
    assert "<del>4,00%</del>" in cell and "<strong>3,50%</strong>" in cell
    assert 'data-testid="added-3"' in html
