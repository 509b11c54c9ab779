"""Statements: totals equal the ledger to the centavo, drafts idempotent, approved ones
frozen, the PDF holds lines, totals, "X de Y" and the hash, verification, disputes,
payouts and monitoring."""

from __future__ import annotations

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.commissions import manual, periods
from portal.commissions.models import LedgerEntry
from portal.commissions.statements import disputes, files, payouts, service, verify
from portal.commissions.statements.models import Statement
from portal.core.db import money_sum
from portal.core.errors import DomainError
from portal.web.statement_pdf import render_statement_pdf
from tests.commissions.helpers import FINANCE, paid_proposal, world

D = Decimal


@pytest.fixture
def closed(db, monkeypatch):
    """Ana's worked example paid 05/03/2026 (R$ 10.000,00 gross: her 40 % of the 6 % flat
    is R$ 240,00; the supervisor's 0,30 % override R$ 30,00), a R$ -300,00 adjustment that
    leaves her R$ 60,00 negative (carried to April), then March closed."""
    w = world(db)
    paid_proposal(db, monkeypatch, w, date(2026, 3, 5), contract="CT-EXEMPLO")
    manual.post_manual(
        db,
        FINANCE,
        competence="2026-03",
        amount=D("-300.00"),
        reason="Adiantamento descontado",
        collaborator_id=w.agent.id,
    )
    periods.close_period(db, FINANCE, "2026-03")
    service.generate_drafts(db, FINANCE, "2026-03")
    return w


def _statement(db, payee: str, period: str = "2026-03") -> Statement:
    return db.scalar(select(Statement).where(Statement.payee == payee, Statement.period == period))


def _ledger_total(db, payee: str, period: str) -> Decimal:
    return db.scalar(
        select(money_sum(LedgerEntry.amount)).where(
            LedgerEntry.payee == payee, LedgerEntry.posting_period == period
        )
    )


def _approve(db, statement, tmp_path):
    service.approve(db, FINANCE, statement, render_statement_pdf, tmp_path)


def test_statement_summary_and_totals_equal_the_ledger_to_the_centavo(db, closed):
    ana = _statement(db, "ana@teste.athenas")
    assert (ana.earned, ana.adjustments, ana.carried_out, ana.payable) == (
        D("240.00"),
        D("-300.00"),
        D("60.00"),
        D("0.00"),
    )
    assert ana.lines_count == 3
    assert [line.amount for line in ana.lines] == [D("-300.00"), D("60.00"), D("240.00")]
    assert ana.payable == _ledger_total(db, "ana@teste.athenas", "2026-03")
    sup = _statement(db, "sup@teste.athenas")
    assert (sup.overrides, sup.earned, sup.payable) == (D("30.00"), D("0.00"), D("30.00"))
    assert sup.payable == _ledger_total(db, "sup@teste.athenas", "2026-03")
    assert _statement(db, "empresa") is None  # the company is not paid by statement
    line = ana.lines[2]
    assert (
        line.contract == "CT-EXEMPLO"
        and line.bank_name == "Facta"
        and line.client_cpf_masked.startswith("***")
    )
    assert line.base == D("600.00") and line.percent == D("40") and "40,00% de R$ 600,00" in line.explanation


def test_april_statement_carries_the_negative_balance_in(db, closed, monkeypatch):
    periods.close_period(db, FINANCE, "2026-04")
    service.generate_drafts(db, FINANCE, "2026-04")
    april = _statement(db, "ana@teste.athenas", "2026-04")
    # −60,00 from March, +20,00 deferred; still −40,00, carried again to May.
    assert (april.carried_in, april.earned, april.carried_out, april.payable) == (
        D("-60.00"),
        D("20.00"),
        D("40.00"),
        D("0.00"),
    )
    assert april.payable == _ledger_total(db, "ana@teste.athenas", "2026-04")


def test_generating_drafts_again_changes_nothing(db, closed):
    ids = sorted(db.scalars(select(Statement.id)))
    again = service.generate_drafts(db, FINANCE, "2026-03")
    assert (again.created, again.refreshed, again.unchanged) == (0, 0, 2)
    assert sorted(db.scalars(select(Statement.id))) == ids


def test_drafts_only_for_closed_periods(db, closed):
    with pytest.raises(DomainError, match="não está fechado"):
        service.generate_drafts(db, FINANCE, "2026-04")


def test_approved_statement_never_changes(db, closed, tmp_path):
    ana = _statement(db, "ana@teste.athenas")
    _approve(db, ana, tmp_path)
    assert ana.state == "approved" and ana.pdf_path and ana.approved_by_label == FINANCE.label
    stored = (tmp_path / ana.pdf_path).read_bytes()
    assert not stored.startswith(b"%PDF")  # encrypted at rest
    assert files.read_pdf(tmp_path, ana).startswith(b"%PDF")
    with pytest.raises(DomainError, match="não pode ser alterado"), db.begin_nested():
        ana.payable = D("999.00")
    db.expire_all()
    ana = _statement(db, "ana@teste.athenas")
    with pytest.raises(DomainError, match="não pode ser alterado"), db.begin_nested():
        ana.lines[0].amount = D("1.00")
    db.expire_all()
    assert _statement(db, "ana@teste.athenas").lines[0].amount == D("-300.00")
    again = service.generate_drafts(db, FINANCE, "2026-03")
    assert again.frozen == 1
    with pytest.raises(DomainError):
        _approve(db, _statement(db, "ana@teste.athenas"), tmp_path)


def _pdf_text(tmp_path, pdf: bytes) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_holds_lines_totals_pages_and_hash_on_every_page(db, monkeypatch, tmp_path):
    w = world(db)
    for day in range(2, 28):  # 26 contracts: enough lines for more than one page
        paid_proposal(db, monkeypatch, w, date(2026, 3, day), gross="1000.00", contract=f"CT-{day:02d}")
    periods.close_period(db, FINANCE, "2026-03")
    service.generate_drafts(db, FINANCE, "2026-03")
    ana = _statement(db, "ana@teste.athenas")
    _approve(db, ana, tmp_path)
    text = _pdf_text(tmp_path, files.read_pdf(tmp_path, ana))
    pages = text.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Página {number} de {len(pages)}" in page
        assert ana.content_hash in page
    table_pages = [p for p in pages if "CT-" in p]
    assert len(table_pages) >= 2
    for page in table_pages:  # <thead> and <tfoot> repeat on every page of the table
        assert "Contrato" in page and "valores em reais" in page
    for day in range(2, 28):
        assert f"CT-{day:02d}" in text
    # 26 × 40 % of 6 % of R$ 1.000,00 = 26 × R$ 24,00 = R$ 624,00
    assert ana.payable == D("624.00")
    totals = text[text.rindex("CT-27") :]  # totals at the end, after the last line
    assert "Total do extrato" in totals and "R$ 624,00" in totals.split("Total do extrato")[1]
    assert "Athenas Correspondente Bancário" in pages[0]


def test_verify_names_the_statement_and_checks_the_ledger_now(db, closed, tmp_path):
    ana = _statement(db, "ana@teste.athenas")
    _approve(db, ana, tmp_path)
    result = verify.verify(db, ana.content_hash.upper())
    assert (
        result.matches
        and f"Extrato nº {ana.id}" in result.message
        and "Confere com o razão" in result.message
    )
    # A later correction of March posts in April: the statement still matches, and says so.
    manual.post_manual(
        db,
        FINANCE,
        competence="2026-03",
        amount=D("15.00"),
        reason="Correção posterior",
        collaborator_id=closed.agent.id,
    )
    later = verify.verify(db, ana.content_hash)
    assert later.matches and later.later_lines == 1 and later.later_amount == D("15.00")
    # An entry written straight into the closed period (bypassing the services) is caught.
    entry = db.scalar(select(LedgerEntry).where(LedgerEntry.payee == ana.payee).limit(1))
    values = {c.key: getattr(entry, c.key) for c in LedgerEntry.__table__.columns if c.key != "id"}
    values.update(amount=D("1.00"), batch_id="x" * 32)
    db.add(LedgerEntry(**values))
    db.flush()
    broken = verify.verify(db, ana.content_hash)
    assert broken.found and not broken.matches and "NÃO confere" in broken.message
    assert not verify.verify(db, "0" * 64).found


def test_dispute_lifecycle(db, closed, tmp_path):
    ana = _statement(db, "ana@teste.athenas")
    with pytest.raises(DomainError, match="aprovado"):
        disputes.open_dispute(db, FINANCE, ana, ana.lines[0].id, "Valor errado no contrato")
    _approve(db, ana, tmp_path)
    with pytest.raises(DomainError):
        disputes.open_dispute(db, FINANCE, ana, ana.lines[0].id, "ok")
    first = disputes.open_dispute(db, FINANCE, ana, ana.lines[0].id, "A taxa do meu plano é 45 %")
    second = disputes.open_dispute(db, FINANCE, ana, ana.lines[1].id, "Não reconheço o adiantamento")
    disputes.resolve(db, FINANCE, first, accept=True, reason="Plano corrigido", amount=D("30.00"))
    entry = db.get(LedgerEntry, first.adjustment_entry_id)
    assert (entry.amount, entry.posting_period, entry.competence, entry.kind) == (
        D("30.00"),
        "2026-04",
        "2026-03",
        "ajuste",
    )
    assert "Contestação nº" in entry.reason and "Plano corrigido" in entry.reason
    disputes.resolve(db, FINANCE, second, accept=False, reason="Adiantamento assinado em 02/03")
    assert (first.state, second.state, second.adjustment_entry_id) == ("accepted", "rejected", None)
    with pytest.raises(DomainError, match="já foi resolvida"):
        disputes.resolve(db, FINANCE, second, accept=False, reason="De novo, outra vez")
    assert _statement(db, "ana@teste.athenas").payable == D("0.00")  # the statement itself is unchanged


def test_payouts_batch_and_monitoring(db, closed, tmp_path):
    sup = _statement(db, "sup@teste.athenas")
    ana = _statement(db, "ana@teste.athenas")
    _approve(db, sup, tmp_path)
    _approve(db, ana, tmp_path)
    approved_day = sup.approved_at.date()
    on_time = payouts.monitoring(db, approved_day + timedelta(days=5), late_days=10)
    assert (on_time.totals.payable, on_time.totals.late) == (D("30.00"), D("0.00"))
    late = payouts.monitoring(db, approved_day + timedelta(days=11), late_days=10)
    assert (late.totals.payable, late.totals.late, late.totals.late_count) == (D("0.00"), D("30.00"), 1)
    assert [(b.name, b.late) for b in late.stores] == [("Loja", D("30.00"))]
    rows = list(payouts.batch_rows(db, "2026-03", full=False))
    assert (
        len(rows) == 1 and rows[0][0] == sup.payee_name and rows[0][1].startswith("***")
    )  # R$ 0,00 not paid
    full = list(payouts.batch_rows(db, "2026-03", full=True))
    assert len(full[0][1]) == 14 and "*" not in full[0][1]
    with pytest.raises(DomainError, match="referência"):
        service.mark_paid(db, FINANCE, sup, paid_on=date(2026, 4, 10), method="pix", reference=" ")
    service.mark_paid(db, FINANCE, sup, paid_on=date(2026, 4, 10), method="pix", reference="E123")
    paid = payouts.monitoring(db, approved_day + timedelta(days=11), late_days=10)
    assert (paid.totals.paid, paid.totals.late) == (D("30.00"), D("0.00"))
    assert sup.state == "paid" and sup.method_label == "PIX"
    with pytest.raises(DomainError):
        service.mark_paid(db, FINANCE, sup, paid_on=date(2026, 4, 11), method="ted", reference="X")
