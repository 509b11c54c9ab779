"""The statement PDF: `templates/pdf/statement.html` rendered with its own Jinja
environment (no request or app context needed, so the approval job, the demo seed and
the benchmark render exactly what a request would), then WeasyPrint."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from flask import Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from portal.commissions.statements import files
from portal.commissions.statements.models import Statement
from portal.core import formats
from portal.core.pdf import render_pdf

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
COMPANY = {
    "name": "Athenas Correspondente Bancário Ltda.",
    "line": "Correspondente no País (Res. CMN 4.935/2021) · Financeiro · Extratos de comissão",
}
SUMMARY_ROWS = [
    ("earned", "Comissões"),
    ("overrides", "Overrides (equipe)"),
    ("bonuses", "Bônus"),
    ("clawbacks", "Estornos"),
    ("adjustments", "Ajustes"),
    ("carried_in", "Saldo negativo vindo do período anterior"),
    ("carried_out", "Saldo negativo transferido ao próximo período"),
]


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters["brl_text"] = lambda v: "" if v is None else formats.money(Decimal(v))
    env.filters["percent"] = lambda v: "" if v is None else formats.percent(Decimal(v), 2)
    env.filters["datetime_br"] = lambda v: "" if v is None else formats.date_time(v)
    return env


def statement_html(statement: Statement) -> str:
    return (
        environment()
        .get_template("pdf/statement.html")
        .render(s=statement, company=COMPANY, summary_rows=SUMMARY_ROWS)
    )


def render_statement_pdf(statement: Statement) -> bytes:
    return render_pdf(statement_html(statement))


def pdf_download(storage_dir: str, statement: Statement) -> Response:
    """The stored PDF, decrypted and sent as is (never re-rendered, never cached)."""
    data = files.read_pdf(storage_dir, statement)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{files.download_name(statement)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
