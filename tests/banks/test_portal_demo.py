"""Demo data of the bank integration: banks on the sandbox, parameters, mappings, clients."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.banks.models import Bank, RegulatoryParameter
from portal.banks.service import credentials_of
from portal.cli import _demo_banks_follow_sandbox
from portal.clients.models import Client
from portal.core.audit import AuditEntry
from portal.demo import seed
from portal.demo.banks import SANDBOX_CLIENTS
from portal.proposals.models import BankStatusMapping


def _count(db, model, *where):
    return db.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_banks_point_at_the_sandbox_and_seeding_twice_changes_nothing(app, db, monkeypatch):
    monkeypatch.setenv("ATHENAS_SANDBOX_BANK_URL", "http://127.0.0.1:18099")
    with app.app_context():
        seed(db)
        banks = {b.code: b for b in db.scalars(select(Bank))}
        assert set(banks) == {"facta", "daycoval", "c6", "master", "bradesco"}
        assert banks["facta"].base_url == "http://127.0.0.1:18099/facta"
        assert credentials_of(banks["facta"])["user"] and banks["daycoval"].webhook_secret
        assert banks["master"].under_liquidation and banks["bradesco"].file_only
        names = [name for _, name in SANDBOX_CLIENTS]
        assert _count(db, Client, Client.name.in_(names)) == len(names)
        counts = (
            _count(db, Bank),
            _count(db, RegulatoryParameter),
            _count(db, BankStatusMapping),
            _count(db, Client),
        )
        assert counts[1] == 11 and counts[2] > 10  # 7 INSS rules + 2 commission upfront caps + 2 IOF rates

        seed(db)

        assert (
            _count(db, Bank),
            _count(db, RegulatoryParameter),
            _count(db, BankStatusMapping),
            _count(db, Client),
        ) == counts


def test_demo_banks_follow_the_sandbox_address_of_a_later_run(app, db, monkeypatch):
    monkeypatch.setenv("ATHENAS_SANDBOX_BANK_URL", "http://127.0.0.1:18099")
    with app.app_context():
        seed(db)
        daycoval = db.scalar(select(Bank).where(Bank.code == "daycoval"))
        daycoval.base_url = "https://api.daycoval.example/consignado"  # an admin's real bank
        db.flush()
        # A second `make run` with SANDBOX_PORT=18123: the seed is skipped (not empty),
        # `serve --with-sandbox` repoints the demo banks at the sandbox it starts.
        app.config["SANDBOX_BANK_URL"] = "http://127.0.0.1:18123"
        try:
            _demo_banks_follow_sandbox()
        finally:
            app.config["SANDBOX_BANK_URL"] = ""
        fresh = select(Bank).execution_options(populate_existing=True)
        urls = {b.code: b.base_url for b in db.scalars(fresh)}
    assert urls == {
        "facta": "http://127.0.0.1:18123/facta",
        "c6": "http://127.0.0.1:18123/c6",
        "master": "http://127.0.0.1:18123/master",
        "daycoval": "https://api.daycoval.example/consignado",
        "bradesco": "",
    }
    moves = db.scalars(select(AuditEntry).where(AuditEntry.action == "bank.sandbox_followed")).all()
    assert sorted(m.target for m in moves) == ["bank:c6", "bank:facta", "bank:master"]


def test_csv_exports_name_their_charset_once(client, login_as):
    login_as("operations")
    response = client.get("/sales/clients/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
