"""Admin pages of the bank integrations: settings with write-only credentials, parameters."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from portal.banks import rules
from portal.banks.models import Bank, RegulatoryParameter
from portal.banks.service import credentials_of, settings_for
from portal.banks.types import Product
from portal.core.audit import SYSTEM, AuditEntry
from portal.core.errors import DomainError
from tests import factories
from tests.conftest import form_post

SECRET_PASSWORD = "senha-super-secreta-da-facta"


def _bank_form(bank: Bank, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "name": bank.name,
        "base_url": bank.base_url,
        "enabled": "y",
        "capabilities": ["benefit_query", "simulate"],
        "connect_timeout": "2,5",
        "read_timeout": "10",
        "breaker_threshold": "4",
        "breaker_cooldown_s": "20",
        "credentials": "",
        "webhook_secret": "",
    }
    data.update(overrides)
    return data


def test_admin_saves_credentials_encrypted_and_never_shows_them_again(client, db, login_as):
    login_as("admin")
    bank = factories.bank(db, "facta", credentials=None)
    page = f"/admin/banks/{bank.code}"
    creds = json.dumps({"user": "athenas.api", "password": SECRET_PASSWORD})

    response = form_post(client, page, _bank_form(bank, credentials=creds), token_page=page)

    assert response.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert SECRET_PASSWORD not in html
    assert "cadastradas" in html
    db.expire_all()
    stored = db.get(Bank, bank.id)
    assert credentials_of(stored)["password"] == SECRET_PASSWORD
    raw = db.execute(text("SELECT credentials FROM banks WHERE id = :id"), {"id": bank.id}).scalar()
    assert SECRET_PASSWORD not in raw and "athenas.api" not in raw
    settings = settings_for(stored)
    assert settings.connect_timeout == 2.5 and settings.read_timeout == 10.0
    assert settings.breaker_threshold == 4
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "bank.update"))
    assert "credentials" in entry.details["fields"]
    assert SECRET_PASSWORD not in json.dumps(entry.details)


def test_blank_credentials_keep_the_stored_ones(client, db, login_as):
    login_as("admin")
    bank = factories.bank(db, "facta", credentials={"user": "u1", "password": "p1"})
    page = f"/admin/banks/{bank.code}"

    response = form_post(client, page, _bank_form(bank, name="Facta Financeira"), token_page=page)

    assert response.status_code == 302
    db.expire_all()
    stored = db.get(Bank, bank.id)
    assert stored.name == "Facta Financeira"
    assert credentials_of(stored) == {"user": "u1", "password": "p1"}


def test_invalid_input_is_refused_in_portuguese_and_typed_secret_not_echoed(client, db, login_as):
    login_as("admin")
    bank = factories.bank(db, "facta")
    page = f"/admin/banks/{bank.code}"

    response = form_post(
        client,
        page,
        _bank_form(bank, credentials='{"password": "' + SECRET_PASSWORD + '"', read_timeout="abc"),
        token_page=page,
    )

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tempo de resposta: informe um número." in html
    assert SECRET_PASSWORD not in html


def test_bank_list_and_export_show_state_but_no_secret(client, db, login_as):
    login_as("admin")
    factories.bank(db, "facta", credentials={"user": "u", "password": SECRET_PASSWORD})
    factories.bank(db, "c6", credentials=None, enabled=False)

    html = client.get("/admin/banks").get_data(as_text=True)
    assert "Facta" in html and "C6" in html and "Pendentes" in html
    only_active = client.get("/admin/banks?enabled=1").get_data(as_text=True)
    assert "Facta" in only_active and ">C6<" not in only_active
    export = client.get("/admin/banks/export.csv?enabled=0").get_data(as_text=True)
    assert "C6" in export and "Facta" not in export
    assert SECRET_PASSWORD not in export


@pytest.mark.parametrize("role", ["agent", "supervisor", "operations", "finance", "manager"])
def test_only_admin_reaches_bank_settings(client, db, login_as, role):
    login_as(role)
    factories.bank(db, "facta")
    assert client.get("/admin/banks/facta").status_code == 403
    assert client.get("/admin/parameters").status_code == 403


def test_parameter_value_follows_its_validity(db):
    factories.regulatory_defaults(db)
    rules.add_version(db, SYSTEM, "max_rate_loan_monthly", Decimal("1.80"), date(2030, 1, 1))

    assert rules.parameter(db, "max_rate_loan_monthly", date(2025, 3, 25)) == Decimal("1.85")
    assert rules.parameter(db, "max_rate_loan_monthly", date(2029, 12, 31)) == Decimal("1.85")
    assert rules.parameter(db, "max_rate_loan_monthly", date(2030, 1, 1)) == Decimal("1.8")
    with pytest.raises(DomainError, match="não definido para 24/03/2025"):
        rules.parameter(db, "max_rate_loan_monthly", date(2025, 3, 24))
    old = db.scalar(
        select(RegulatoryParameter).where(
            RegulatoryParameter.name == "max_rate_loan_monthly",
            RegulatoryParameter.valid_from == date(2025, 3, 25),
        )
    )
    assert old.value == Decimal("1.85") and old.valid_to == date(2030, 1, 1)


def test_history_cannot_be_rewritten(db):
    factories.regulatory_defaults(db)
    with pytest.raises(DomainError, match="deve começar depois"):
        rules.add_version(db, SYSTEM, "max_term_months", Decimal("96"), date(2022, 11, 10))


def test_admin_adds_a_parameter_version_through_the_page(client, db, login_as):
    login_as("admin")
    factories.regulatory_defaults(db)
    page = "/admin/parameters/new"

    bad = form_post(
        client,
        page,
        {"name": "max_term_months", "value": "96,5", "valid_from": "2031-01-01"},
        token_page=page,
    )
    assert bad.status_code == 422
    assert "apenas números inteiros" in bad.get_data(as_text=True)

    good = form_post(
        client,
        page,
        {"name": "max_term_months", "value": "96", "valid_from": "2031-01-01", "note": "Teste"},
        token_page=page,
    )
    assert good.status_code == 302
    assert rules.parameter(db, "max_term_months", date(2031, 1, 1)) == 96
    listing = client.get("/admin/parameters?name=max_term_months").get_data(as_text=True)
    assert "96 meses" in listing and "84 meses" in listing and "Futura" in listing
    export = client.get("/admin/parameters/export.csv?name=max_term_months").get_data(as_text=True)
    assert "96 meses" in export and "1,85" not in export


def test_inss_rules_refuse_before_the_bank_is_called(db):
    factories.regulatory_defaults(db)
    today = date(2026, 1, 10)
    check = rules.check_simulation
    loan = Product.NEW

    with pytest.raises(DomainError, match="Prazo máximo para INSS é 84 meses"):
        check(db, agreement="INSS", product=loan, term_months=96, on=today)
    check(db, agreement="CLT", product=Product.CLT, term_months=96, on=today)
    with pytest.raises(DomainError, match="bloqueado para consignado até 10/02/2026"):
        check(
            db,
            agreement="INSS",
            product=loan,
            term_months=84,
            on=today,
            benefit_granted_on=date(2025, 11, 12),
        )
    check(db, agreement="INSS", product=loan, term_months=84, on=today, benefit_granted_on=date(2025, 10, 12))
    with pytest.raises(DomainError, match=r"margem consignável do INSS \(R\$ 700,00\)"):
        check(
            db,
            agreement="INSS",
            product=loan,
            term_months=84,
            on=today,
            installment=Decimal("700.01"),
            benefit_amount=Decimal("2000"),
        )
    check(
        db,
        agreement="INSS",
        product=loan,
        term_months=84,
        on=today,
        installment=Decimal("700.00"),
        benefit_amount=Decimal("2000"),
    )
    assert rules.max_installment(db, Product.CARD, Decimal("2000"), today) == Decimal("100.00")


def test_rate_caps_for_loans_and_cards(db):
    factories.regulatory_defaults(db)
    today = date(2026, 1, 10)
    problem = rules.rate_problem
    assert problem(db, agreement="INSS", product=Product.NEW, monthly_rate=Decimal("1.85"), on=today) is None
    assert (
        problem(db, agreement="INSS", product=Product.NEW, monthly_rate=Decimal("1.86"), on=today)
        == "Taxa acima do teto do INSS (1,85% a.m.)"
    )
    assert problem(db, agreement="INSS", product=Product.CARD, monthly_rate=Decimal("2.46"), on=today) is None
    assert "2,46% a.m." in problem(
        db, agreement="INSS", product=Product.CARD, monthly_rate=Decimal("2.5"), on=today
    )
    assert problem(db, agreement="CLT", product=Product.CLT, monthly_rate=Decimal("3.19"), on=today) is None
