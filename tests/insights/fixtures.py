"""A small month of business (March 2031) with figures computed by hand in the tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

from portal.commissions.models import CommissionPeriod, LedgerEntry
from portal.commissions.reconciliation.models import ReceivedPayment
from portal.commissions.statements.models import Statement
from portal.commissions.types import COMPANY
from tests import factories
from tests.commissions.reconciliation import helpers as recon

PERIOD = "2031-03"
_seq = itertools.count(1)


def entry(
    db, payee: str, kind: str, amount: str, *, bank="facta", period=PERIOD, collaborator=None, contract=None
):
    n = next(_seq)
    row = LedgerEntry(
        batch_id=f"b{n}",
        contract=contract or f"P{n}",
        bank_code=bank,
        payee=payee,
        collaborator_id=collaborator.id if collaborator else None,
        kind=kind,
        competence=period,
        posting_period=period,
        base=Decimal("1000.00"),
        amount=Decimal(amount),
        explanation="teste",
        source="engine",
        author_label="teste",
    )
    db.add(row)
    db.flush()
    return row


def company_line(db, contract: str, amount: str, bank: str):
    return entry(db, COMPANY, "flat", amount, bank=bank, contract=contract)


def _paid(db, client, agent, store, at: datetime, gross: str, net: str, bank="facta", product="new"):
    p = factories.proposal(
        db,
        client,
        agent,
        bank_code=bank,
        product=product,
        gross_amount=Decimal(gross),
        net_amount=Decimal(net),
    )
    p.paid_at = at
    p.store_id = store.id
    db.flush()
    return p


def statement(db, period_row, payee: str, name: str, store: str, state: str, payable: str, **fields):
    zero = Decimal("0.00")
    s = Statement(
        period_id=period_row.id,
        period=period_row.period,
        payee=payee,
        payee_name=name,
        store_name=store,
        state=state,
        earned=Decimal(payable),
        overrides=zero,
        bonuses=zero,
        clawbacks=zero,
        adjustments=zero,
        carried_in=zero,
        carried_out=zero,
        payable=Decimal(payable),
        content_hash=f"{next(_seq):064d}",
        **fields,
    )
    db.add(s)
    db.flush()
    return s


def month(db) -> SimpleNamespace:
    factories.bank(db, "facta", name="Facta")
    factories.bank(db, "c6", name="C6")
    company = factories.org_unit(db, "company", "Empresa")
    centro = factories.org_unit(db, "store", "Loja Centro", company)
    norte = factories.org_unit(db, "store", "Loja Norte", company)
    ana_user = factories.user(db, role="agent", name="Ana Souza")
    bruno_user = factories.user(db, role="agent", name="Bruno Lima")
    ana = factories.collaborator(db, ana_user, centro, name="Ana Souza")
    bruno = factories.collaborator(db, bruno_user, norte, name="Bruno Lima")
    ana_client = factories.client(db, ana)
    bruno_client = factories.client(db, bruno)

    march = datetime(2031, 3, 10, 15, 0, tzinfo=UTC)
    _paid(db, ana_client, ana, centro, march, "10000.00", "9500.00")
    _paid(db, ana_client, ana, centro, march, "5000.00", "4800.00")
    _paid(db, bruno_client, bruno, norte, march, "20000.00", "3000.00", bank="c6", product="refin")
    _paid(db, bruno_client, bruno, norte, march, "1000.50", "900.25")
    # 1 Apr 00:30 in São Paulo and 28 Feb 23:00 in São Paulo: both outside March.
    _paid(db, ana_client, ana, centro, datetime(2031, 4, 1, 3, 30, tzinfo=UTC), "777.00", "700.00")
    _paid(db, ana_client, ana, centro, datetime(2031, 3, 1, 2, 0, tzinfo=UTC), "888.00", "800.00")

    company_line(db, "C-1", "300.00", "facta")
    company_line(db, "C-2", "150.00", "facta")
    company_line(db, "C-3", "600.00", "c6")
    entry(db, ana_user.email, "repasse", "120.00", collaborator=ana)
    entry(db, ana_user.email, "repasse", "60.00", collaborator=ana)
    entry(db, ana_user.email, "estorno", "-20.00", collaborator=ana)
    entry(db, bruno_user.email, "repasse", "240.00", collaborator=bruno)
    entry(db, bruno_user.email, "repasse", "999.00", collaborator=bruno, period="2031-02")  # other month

    report = recon.report(db, "facta")
    recon.line(db, report, "C-1", "300.00", date(2031, 3, 10))
    recon.line(db, report, "C-2", "140.00", date(2031, 3, 12))
    db.add(
        ReceivedPayment(
            bank_code="facta",
            period=PERIOD,
            received_on=date(2031, 4, 5),
            amount=Decimal("400.00"),
            source="manual",
            natural_key="rcv-1",
            created_by_label="teste",
        )
    )

    period_row = CommissionPeriod(period=PERIOD, state="closed")
    db.add(period_row)
    db.flush()
    statement(db, period_row, ana_user.email, "Ana Souza", "Loja Centro", "approved", "160.00")
    statement(
        db, period_row, bruno_user.email, "Bruno Lima", "Loja Norte", "paid", "240.00",
        paid_on=date(2031, 4, 5), payment_method="pix",
    )  # fmt: skip
    statement(db, period_row, "outra@teste", "Carla Dias", "Loja Norte", "draft", "999.00")
    db.flush()
    return SimpleNamespace(ana_user=ana_user, bruno_user=bruno_user, ana=ana, bruno=bruno)
