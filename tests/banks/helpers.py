"""Shared request builders for the bank tests."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from portal.banks.protocol import BaseConnector
from portal.banks.types import (
    Address,
    BenefitQueryRequest,
    ClientData,
    OperatorCredentials,
    PayoutAccount,
    Product,
    SimulationOption,
    SimulationRequest,
    SubmissionRequest,
    SubmissionResult,
)

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "segredo-de-teste-webhook"
CERTIFIED_CPF = "11144477735"

CREDENTIALS = {
    "facta": {"user": "athenas.api", "password": "senha-secreta-facta"},
    "daycoval": {"apikey": "apikey-secreta-daycoval", "service_login": "athenas.sync"},
    "c6": {"username": "athenas", "password": "senha-secreta-c6"},
    "master": {"cnpj": "12345678000190", "password": "senha-secreta-master"},
    "bradesco": {},
}
NAMES = {
    "facta": "Facta",
    "daycoval": "Daycoval",
    "c6": "C6",
    "master": "Master",
    "bradesco": "Bradesco",
}

# The call each bank makes first in a margin lookup (counted at the sandbox).
MARGIN_CALL = {
    "facta": "GET /facta/proposta/consulta-margem",
    "daycoval": "POST /daycoval/margem/consulta",
    "c6": "GET /c6/clt/autorizacoes/<cpf>",
    "master": "POST /master/api/v1/consignado/margens",
}
TOKEN_CALL = {
    "facta": "GET /facta/gera-token",
    "c6": "POST /c6/auth/token",
    "master": "POST /master/api/v1/autenticacao",
}


def client_data(cpf: str) -> ClientData:
    """A complete client for submissions."""
    return ClientData(
        name="Maria da Silva Teste",
        cpf=cpf,
        birth_date=date(1958, 3, 14),
        mother_name="Joana da Silva",
        phone="11987654321",
        email="maria@example.com",
        address=Address("01310100", "Av. Paulista", "1000", "Bela Vista", "São Paulo", "SP"),
        benefit_number="1234567890",
    )


PAYOUT = PayoutAccount(bank_code="001", branch="1234", account="567890", account_digit="1")
AMOUNT = Decimal("5000.00")


SUBMIT_CALL = {
    "facta": "POST /facta/proposta/etapa1-simulador",
    "daycoval": "POST /daycoval/<any(margem, refin, port, refinport, fgts):section>/proposta",
    "c6": "POST /c6/clt/propostas",
}


def margin_request(bank: str, cpf: str) -> BenefitQueryRequest:
    agreement = "CLT" if bank == "c6" else "INSS"
    return BenefitQueryRequest(cpf=cpf, agreement=agreement, benefit_number="1234567890")


def simulation_request(bank: str, cpf: str, **overrides: object) -> SimulationRequest:
    values: dict[str, object] = {
        "product": Product.CLT if bank == "c6" else Product.NEW,
        "agreement": "CLT" if bank == "c6" else "INSS",
        "cpf": cpf,
        "term_months": 24 if bank == "c6" else 84,
        "requested_amount": AMOUNT,
    }
    values.update(overrides)
    return SimulationRequest(**values)  # type: ignore[arg-type]


def submission(
    option: SimulationOption, cpf: str, operator: OperatorCredentials, key: str | None = None
) -> SubmissionRequest:
    return SubmissionRequest(
        idempotency_key=key or uuid.uuid4().hex,
        option=option,
        client=client_data(cpf),
        payout=PAYOUT,
        operator=operator,
        agreement="CLT" if option.product == Product.CLT else "INSS",
    )


def simulate_and_submit(
    connector: BaseConnector, cpf: str, operator: OperatorCredentials, key: str | None = None
) -> SubmissionResult:
    options = connector.simulate(simulation_request(connector.code, cpf))
    return connector.submit(submission(options[0], cpf, operator, key))


def fake_option(bank: str) -> SimulationOption:
    """An option built without asking the bank (for CPFs whose simulation would fail)."""
    return SimulationOption(
        bank=bank,
        product=Product.CLT if bank == "c6" else Product.NEW,
        term_months=24,
        installment=Decimal("300.00"),
        monthly_rate=Decimal("1.79"),
        cet_annual=Decimal("23.70"),
        gross_amount=AMOUNT,
        net_amount=AMOUNT,
        rate_table="53694",
        bank_data={},
    )


class FakeClock:
    """A clock the test moves by hand (`clock.now += 10`): expiry without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now
