"""`flask --app wsgi commissions preview` end to end, on real CSV and XLSX files, no database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from portal.commissions.layouts import CONTRACT_COLUMNS, TABLE_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
TABLE = [
    ["facta", "new", "INSS", "*", 1, 96, 0, 3, date(2026, 1, 1), None, "bruto", 6, 0.5, 12, 0, 0, 90, "pro_rata"],  # noqa: E501
]
CONTRACTS = [
    ["FAC-1", "facta", "Empréstimo novo", "INSS", "T84", 84, "1,85", "10.000,00", "9.500,00", "", "", "05/03/2026",  # noqa: E501
     "ana@demo.athenas", "25/03/2026", "cancelamento"],
    ["FAC-2", "facta", "new", "SIAPE", "T84", 84, "1,85", "5.000,00", "", "", "", "05/03/2026", "ana@demo.athenas", "", ""],  # noqa: E501
]  # fmt: skip
HEADER = [*CONTRACT_COLUMNS, "data_encerramento", "motivo_encerramento"]


def xlsx(path: Path, header, rows) -> Path:  # noqa: ANN001
    wb = Workbook()
    wb.active.append(list(header))
    for item in rows:
        wb.active.append(item)
    wb.save(path)
    return path


def csv_file(path: Path, header, rows) -> Path:  # noqa: ANN001
    text = "\n".join(";".join("" if c is None else str(c) for c in r) for r in [header, *rows])
    path.write_text(text + "\n", encoding="utf-8")
    return path


def preview(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A database URL that cannot be opened: the calculator must never need it.
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/no/such/dir/x.db"}
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "commissions", "preview", *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_preview_xlsx_table_csv_contracts_and_plans(tmp_path):
    table = xlsx(tmp_path / "tabela.xlsx", TABLE_COLUMNS, TABLE)
    contracts = csv_file(tmp_path / "contratos.csv", HEADER, CONTRACTS)
    plans = csv_file(tmp_path / "planos.csv", ["colaborador", "vigencia_de", "vigencia_ate", "sobre", "percentual"],  # noqa: E501
                     [["ana@demo.athenas", "01/01/2026", "", "comissao", "40"]])  # fmt: skip
    out = tmp_path / "linhas.csv"
    done = preview(tmp_path, "--table", str(table), "--contracts", str(contracts), "--plans", str(plans),
                   "--out", str(out))  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 contrato(s), 53 linha(s)" in done.stdout and "sem tabela: 1" in done.stdout
    # company: 600 − 466,67 (pro rata 70/90); deferred earned and reversed; agent 240 − 186,67
    assert "empresa: R$ 133,33" in done.stdout and "ana@demo.athenas: R$ 53,33" in done.stdout
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "contrato;beneficiario;tipo;competencia;base;percentual;valor;explicacao"
    assert lines[1] == (
        "FAC-1;empresa;flat;2026-03;10.000,00;6,00;600,00;"
        "6,00% de R$ 10.000,00 (valor bruto), tabela Facta linha 2"
    )
    assert "FAC-1;empresa;estorno;2026-03;600,00;;-466,67;estorno pro rata 70/90" in lines[27]
    assert lines[-1].startswith("FAC-2;empresa;sem_tabela;2026-03;5.000,00;;0,00;nenhuma linha de tabela")
    assert not (tmp_path / "no").exists()


def test_preview_xlsx_contracts_without_plans(tmp_path):
    table = csv_file(tmp_path / "tabela.csv", TABLE_COLUMNS, [[c if not isinstance(c, date) else "01/01/2026" for c in TABLE[0]]])  # noqa: E501
    contracts = xlsx(tmp_path / "contratos.xlsx", HEADER, CONTRACTS[1:])
    out = tmp_path / "linhas.csv"
    done = preview(tmp_path, "--table", str(table), "--contracts", str(contracts), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_text(encoding="utf-8-sig").count("\n") == 2


def test_bad_contract_lines_exit_non_zero_and_write_nothing(tmp_path):
    table = xlsx(tmp_path / "tabela.xlsx", TABLE_COLUMNS, TABLE)
    bad = [CONTRACTS[0][:7] + ["dez mil", *CONTRACTS[0][8:]], CONTRACTS[1][:2] + ["consórcio", *CONTRACTS[1][3:]]]  # noqa: E501
    contracts = csv_file(tmp_path / "contratos.csv", HEADER, [CONTRACTS[1], *bad])
    out = tmp_path / "linhas.csv"
    done = preview(tmp_path, "--table", str(table), "--contracts", str(contracts), "--out", str(out))

    assert done.returncode == 1, done.stdout + done.stderr
    assert "Linha 3: valor_bruto: Valor inválido: “dez mil”" in done.stderr
    assert "Linha 4: produto: produto desconhecido “consórcio”." in done.stderr
    assert not out.exists() and list(tmp_path.glob("linhas*")) == []
