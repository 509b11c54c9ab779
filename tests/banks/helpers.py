"""Shared request builders for the bank tests."""

from __future__ import annotations

import uuid
from decimal import Decimal

from portal.banks.protocol import BaseConnector
from portal.banks.types import (
    BenefitQueryRequest,
    OperatorCredentials,
    Product,
    SimulationOption,
    SimulationRequest,
    SubmissionRequest,
    SubmissionResult,
)
from tests.banks.conftest import AMOUNT, PAYOUT, client_data

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
