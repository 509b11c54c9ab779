"""Our vocabulary for talking to banks, independent of any bank's dialect.

Money and rates are `Decimal`: amounts in reais with two places, rates as percentages
(``Decimal("1.85")`` means 1.85% a month). Adapters translate every bank's field names,
decimal formats and status strings into these types; nothing above the adapters ever sees a
bank's raw payload except the opaque `bank_data` a later step of the same bank needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class Capability(StrEnum):
    """What a connector can do through the bank's API."""

    BENEFIT_QUERY = "benefit_query"
    SIMULATE = "simulate"
    SUBMIT = "submit"
    FETCH_STATUS = "fetch_status"
    RECEIVE_WEBHOOK = "receive_webhook"
    FILE_ONLY = "file_only"


class Product(StrEnum):
    """Products a simulation or submission is for."""

    NEW = "new"
    REFIN = "refin"
    PORTABILITY = "portability"
    CARD = "card"
    FGTS = "fgts"
    CLT = "clt"


class BenefitState(StrEnum):
    """State of the client's benefit/employment link for payroll loans."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    NOT_ELIGIBLE = "not_eligible"


@dataclass(frozen=True)
class BankSettings:
    """Configuration of one bank integration (built by the caller from the database).

    `credentials` holds the company-level secrets, already decrypted by the caller; their keys
    are the ones each adapter documents (e.g. ``{"user": ..., "password": ...}``).
    """

    code: str
    name: str
    base_url: str
    capabilities: frozenset[Capability] = frozenset()
    credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    connect_timeout: float = 3.0
    read_timeout: float = 15.0
    webhook_secret: str | None = field(default=None, repr=False)
    under_liquidation: bool = False
    breaker_threshold: int = 5
    breaker_cooldown_s: float = 30.0
    max_retries: int = 2
    retry_backoff_s: float = 0.3


@dataclass(frozen=True)
class OperatorCredentials:
    """The collaborator's own access at the bank (per-user login) and certified CPF."""

    login: str
    certified_cpf: str = field(repr=False)
    password: str | None = field(default=None, repr=False)
    code: str | None = None


@dataclass(frozen=True)
class BenefitQueryRequest:
    """Ask a bank for the client's available payroll margin."""

    cpf: str = field(repr=False)
    agreement: str
    benefit_number: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class MarginResult:
    """Available margins (R$ of installment) and the benefit state at one bank."""

    bank: str
    state: BenefitState
    loan_margin: Decimal
    rmc_margin: Decimal = Decimal("0.00")
    rcc_margin: Decimal = Decimal("0.00")
    blocks: tuple[str, ...] = ()
    bank_reference: str = ""


@dataclass(frozen=True)
class SimulationRequest:
    """Simulate a product: give either the requested amount or the installment."""

    product: Product
    agreement: str
    cpf: str = field(repr=False)
    term_months: int
    requested_amount: Decimal | None = None
    installment: Decimal | None = None
    benefit_number: str | None = field(default=None, repr=False)
    birth_date: date | None = None

    def __post_init__(self) -> None:
        if (self.requested_amount is None) == (self.installment is None):
            raise ValueError("Informe o valor desejado ou o valor da parcela (apenas um deles).")
        if self.term_months <= 0:
            raise ValueError("Prazo inválido.")


@dataclass(frozen=True)
class SimulationOption:
    """One offer returned by a bank's simulation.

    `bank_data` carries the opaque identifiers the bank needs at submission (simulation or
    plan ids); callers store it with the chosen option and hand it back unchanged.
    """

    bank: str
    product: Product
    term_months: int
    installment: Decimal
    monthly_rate: Decimal
    cet_annual: Decimal
    gross_amount: Decimal
    net_amount: Decimal
    rate_table: str
    bank_data: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Address:
    """Postal address in Brazilian format."""

    zip_code: str
    street: str
    number: str
    district: str
    city: str
    state: str
    complement: str = ""


@dataclass(frozen=True)
class ClientData:
    """Personal data the bank needs to register the proposal."""

    name: str
    cpf: str = field(repr=False)
    birth_date: date = field(repr=False)
    mother_name: str = field(default="", repr=False)
    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    address: Address | None = field(default=None, repr=False)
    benefit_number: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class PayoutAccount:
    """Where the bank releases the money (COMPE bank code, branch, account)."""

    bank_code: str
    branch: str
    account: str = field(repr=False)
    account_digit: str = ""
    kind: str = "checking"  # checking | savings | payment


@dataclass(frozen=True)
class SubmissionRequest:
    """Submit (digitar) the chosen option for a client; the key makes retries safe."""

    idempotency_key: str
    option: SimulationOption
    client: ClientData
    payout: PayoutAccount
    operator: OperatorCredentials
    agreement: str = "INSS"


@dataclass(frozen=True)
class SubmissionResult:
    """What the bank answered to a submission.

    `confirmed` is False when the bank may have registered the proposal but we could not
    read its answer; the caller then keeps a "submission unconfirmed" proposal.
    """

    bank_proposal_number: str | None
    bank_status: str
    confirmed: bool = True
    signing_link: str | None = None
    signing_channel: str = "link"  # link | sms
    signing_link_expires_at: datetime | None = None


@dataclass(frozen=True)
class StatusUpdate:
    """One status change of a proposal as reported by the bank (bank's own status string)."""

    bank: str
    bank_proposal_number: str
    bank_status: str
    occurred_at: datetime
    detail: str = ""


@dataclass(frozen=True)
class AuthorizationLink:
    """A client authorization request (CLT/C6): the link the client opens to authorise."""

    state: str
    link: str | None
    expires_at: datetime | None = None
