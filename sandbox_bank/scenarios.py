"""Deterministic sandbox behaviours chosen by the client's CPF (all CPFs have valid digits).

Any other valid CPF gets an active benefit with margins derived from its digits, so demos
show different but repeatable numbers for different clients.
"""

from __future__ import annotations

from decimal import Decimal

from portal.banks.rules import default_value, margin_amount
from portal.core import documents

# The CPFs live with the demo, which seeds clients with them; portal never imports this package.
from portal.demo.scenarios import (
    CPF_ACCEPTED_THEN_TIMEOUT,
    CPF_AUTH_PENDING,
    CPF_AUTH_REFUSED,
    CPF_BLOCKED,
    CPF_EXPIRED_TOKEN,
    CPF_HTTP_500,
    CPF_MALFORMED,
    CPF_MARGIN_OK,  # noqa: F401 - the default behaviour's example, used by tests
    CPF_NOT_ELIGIBLE,
    CPF_REJECTED,
    CPF_SLOW,
    CPF_TIMEOUT,
)

SCENARIOS: dict[str, str] = {
    CPF_BLOCKED: "blocked",
    CPF_NOT_ELIGIBLE: "not_eligible",
    CPF_SLOW: "slow",
    CPF_TIMEOUT: "timeout",
    CPF_HTTP_500: "http_500",
    CPF_MALFORMED: "malformed",
    CPF_EXPIRED_TOKEN: "expired_token",
    CPF_AUTH_PENDING: "auth_pending",
    CPF_AUTH_REFUSED: "auth_refused",
    CPF_ACCEPTED_THEN_TIMEOUT: "accepted_then_timeout",
    CPF_REJECTED: "rejected",
}

# Behaviours applied by the common gate to every call that carries the CPF.
TRANSPORT_SCENARIOS = frozenset({"slow", "timeout", "http_500", "malformed"})

CENT = Decimal("0.01")
# Any token request with this password is refused (tests of bad credentials).
WRONG_PASSWORD = "errada"  # noqa: S105


def only_digits(value: str | None) -> str:
    """Keep the digits of a CPF written with or without punctuation."""
    return "".join(ch for ch in (value or "") if ch.isdigit())


def is_valid_cpf(value: str | None) -> bool:
    """True for an 11-digit CPF with correct check digits: the portal's own rule."""
    return documents.is_valid_cpf(only_digits(value))


def scenario_for(cpf: str | None) -> str:
    """The behaviour for a CPF: a name from `SCENARIOS`, "default" or "invalid_cpf"."""
    digits = only_digits(cpf)
    if not is_valid_cpf(digits):
        return "invalid_cpf"
    return SCENARIOS.get(digits, "default")


def benefit_amount(cpf: str) -> Decimal:
    """A repeatable monthly benefit/salary between R$ 1.518,00 and about R$ 8.500,00."""
    seed = int(only_digits(cpf)[:9]) % 6983
    return (Decimal("1518.00") + Decimal(seed)).quantize(CENT)


def margins_for(cpf: str) -> dict[str, Decimal]:
    """INSS-style margins of the benefit, by the portal's default regulatory percentages
    (35% loans, 5% RMC card, 5% RCC card)."""
    benefit = benefit_amount(cpf)

    def share(name: str) -> Decimal:
        return margin_amount(benefit, default_value(name))

    return {
        "benefit": benefit,
        "loan": share("inss_margin_loans_pct"),
        "rmc": share("inss_margin_rmc_pct"),
        "rcc": share("inss_margin_rcc_pct"),
    }
