"""Money received: the OFX reader (SGML and XML, hostile input), CSV statements, idempotent
imports matched to a bank and period, and finance's typed payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.commissions.reconciliation import received
from portal.commissions.reconciliation.models import ReceivedPayment
from portal.commissions.reconciliation.ofx import read_ofx
from portal.core.audit import Actor
from portal.core.errors import DomainError
from tests import factories

D = Decimal
FIN = Actor(id=None, label="Financeiro de teste")

SGML = b"""OFXHEADER:100
DATA:OFXSGML
VERSION:102
ENCODING:USASCII
CHARSET:1252

<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260410120000[-3:BRT]<TRNAMT>1234.56<FITID>A1
<NAME>TED BANCO FACTA SA<MEMO>COMISSAO MAR
<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20260411<TRNAMT>-50.00<FITID>A2<NAME>TARIFA
<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20260412<TRNAMT>99,90<FITID>A3<NAME>PIX RECEBIDO<MEMO>CLIENTE X
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""

XML = """<?xml version="1.0" encoding="UTF-8"?>
<?OFX OFXHEADER="200" VERSION="220"?>
<!DOCTYPE x [<!ENTITY boom SYSTEM "file:///etc/passwd">]>
<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20260415</DTPOSTED><TRNAMT>700.00</TRNAMT>
<FITID>X9</FITID><NAME>&boom;</NAME><MEMO>Comissões</MEMO></STMTTRN>
</BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
""".encode()


def test_sgml_reader_reads_every_transaction_with_its_sign_and_date():
    rows = read_ofx(SGML)
    assert [(t.fit_id, t.posted, t.amount, t.kind) for t in rows] == [
        ("A1", date(2026, 4, 10), D("1234.56"), "CREDIT"),
        ("A2", date(2026, 4, 11), D("-50.00"), "DEBIT"),
        ("A3", date(2026, 4, 12), D("99.90"), "CREDIT"),
    ]
    assert rows[0].name == "TED BANCO FACTA SA" and rows[0].memo == "COMISSAO MAR"


def test_xml_reader_never_expands_entities():
    (row,) = read_ofx(XML)
    assert row.amount == D("700.00") and row.memo == "Comissões"
    assert "root" not in row.name and row.name == "&boom;"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Data;Valor\n01/01/2026;10,00\n", "não é um extrato OFX"),
        (b"<OFX><STMTTRN><DTPOSTED>2026<TRNAMT>1.00</OFX>", "data ou valor inválido"),
        (b"<OFX><STMTTRN><DTPOSTED>20260101<TRNAMT>abc</OFX>", "data ou valor inválido"),
        (b"<OFX>" + b" " * (5 * 1024 * 1024), "grande demais"),
    ],
)
def test_bad_ofx_is_refused_in_portuguese(data, message):
    with pytest.raises(DomainError, match=message):
        read_ofx(data)


@pytest.fixture
def banks(db):
    factories.bank(db, "facta", name="Facta Financeira")
    factories.bank(db, "pan", name="Banco Pan")


def _all(db):
    return db.scalars(select(ReceivedPayment).order_by(ReceivedPayment.id)).all()


def test_ofx_import_identifies_the_bank_skips_debits_and_is_idempotent(db, banks):
    result = received.import_statement(db, FIN, SGML, "extrato.ofx", period="2026-03")
    # A1 names Facta; A2 is a debit; A3 names no bank.
    assert (result.imported, result.not_credit, len(result.unidentified)) == (1, 1, 1)
    (row,) = _all(db)
    assert (row.bank_code, row.period, row.amount, row.source) == ("facta", "2026-03", D("1234.56"), "ofx")
    again = received.import_statement(db, FIN, SGML, "extrato.ofx", period="2026-03")
    assert (again.imported, again.already) == (0, 1) and len(_all(db)) == 1


def test_ofx_import_for_a_chosen_bank_takes_every_credit(db, banks):
    result = received.import_statement(db, FIN, SGML, "extrato.ofx", bank_code="pan")
    assert result.imported == 2 and result.total == D("1334.46")
    assert [(r.bank_code, r.period) for r in _all(db)] == [("pan", "2026-04"), ("pan", "2026-04")]


CSV = (
    "Data;Descrição;Valor;Documento\n10/04/2026;TED Banco Pan comissão;2.500,00;123\n"
    "10/04/2026;TED Banco Pan comissão;2.500,00;123\n11/04/2026;Tarifa;-12,00;\n".encode("latin-1")
)


def test_csv_import_keeps_two_identical_rows_and_is_idempotent(db, banks):
    result = received.import_statement(db, FIN, CSV, "extrato.csv")
    assert (result.imported, result.not_credit, result.total) == (2, 1, D("5000.00"))
    assert {(r.bank_code, r.period, r.reference, r.source) for r in _all(db)} == {
        ("pan", "2026-04", "123", "csv")
    }
    assert received.import_statement(db, FIN, CSV, "extrato.csv").imported == 0
    assert len(_all(db)) == 2


def test_csv_with_text_for_money_names_the_line(db, banks):
    with pytest.raises(DomainError, match="Linha 2"):
        received.import_statement(db, FIN, b"Data;Valor\n10/04/2026;muito\n", "x.csv")


def test_typed_payment_needs_a_known_bank_and_a_positive_amount(db, banks):
    row = received.add_manual(
        db,
        FIN,
        bank_code="facta",
        received_on=date(2026, 4, 5),
        amount=D("10.00"),
        reference="TED 1",
        period="2026-03",
    )
    assert (row.period, row.source, row.amount) == ("2026-03", "manual", D("10.00"))
    with pytest.raises(DomainError, match="positivo"):
        received.add_manual(db, FIN, bank_code="facta", received_on=date(2026, 4, 5), amount=D("-1.00"))
    with pytest.raises(DomainError, match="Banco desconhecido"):
        received.add_manual(db, FIN, bank_code="nope", received_on=date(2026, 4, 5), amount=D("1.00"))
