"""The commission engine's vocabulary: plain values, no database, no Flask.

The engine (`engine.py`), the file layouts (`layouts.py`), the ledger and the pages all
speak these types, so the calculator over files and the ledger compute the same lines.
Money is `Decimal` reais with two places; percentages are `Decimal` in percent units
(``Decimal("6.00")`` = 6 %). See docs/domain.md, "Comissões".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

COMPANY = "empresa"  # the payee of external (bank → company) lines
ANY = "*"  # wildcard for agreement and rate-table code in table rows


class CalcBase(StrEnum):
    """What a table row's percentages apply to."""

    GROSS = "bruto"
    NET = "liquido"
    CASH_OUT = "troco"
    NET_PLUS_INSURANCE = "liquido_mais_seguro"

    @property
    def label(self) -> str:
        return {
            "bruto": "valor bruto",
            "liquido": "valor líquido",
            "troco": "troco",
            "liquido_mais_seguro": "valor líquido + seguro",
        }[self.value]


class ClawbackRule(StrEnum):
    FULL = "integral"
    PRO_RATA = "pro_rata"

    @property
    def label(self) -> str:
        return {"integral": "integral", "pro_rata": "pro rata"}[self.value]


class EndReason(StrEnum):
    """Why a paid contract ended early (what triggers a clawback)."""

    CANCELLATION = "cancelamento"
    PAYOFF = "quitacao"
    PORT_OUT = "portabilidade_saida"

    @property
    def label(self) -> str:
        return {
            "cancelamento": "cancelamento",
            "quitacao": "quitação antecipada",
            "portabilidade_saida": "portabilidade para outro banco",
        }[self.value]


class LineKind(StrEnum):
    FLAT = "flat"
    DEFERRED = "diferido"
    BONUS = "bonus"
    FIXED = "fixo"
    PAYOUT = "repasse"
    OVERRIDE = "override"
    CLAWBACK = "estorno"
    NO_TABLE = "sem_tabela"
    AMBIGUOUS = "tabela_ambigua"

    @property
    def label(self) -> str:
        return {
            "flat": "Comissão à vista",
            "diferido": "Comissão diferida",
            "bonus": "Bônus",
            "fixo": "Valor fixo",
            "repasse": "Repasse",
            "override": "Override",
            "estorno": "Estorno",
            "sem_tabela": "Sem tabela",
            "tabela_ambigua": "Tabela ambígua",
        }[self.value]


class PlanBasis(StrEnum):
    """What an internal plan's percentage applies to."""

    COMMISSION = "comissao"  # a share of every company line of the contracts sold
    PRODUCTION = "producao"  # a percentage of the contract's base, once, in the payment month


class TierMode(StrEnum):
    """How a target tier's rate applies once the period's production reaches it."""

    WHOLE = "toda_producao"
    ABOVE = "acima_da_meta"


@dataclass(frozen=True)
class TableRow:
    """One row of a bank commission table version (external commission)."""

    bank: str
    product: str
    agreement: str  # ANY = any agreement
    table_code: str  # ANY = any bank rate-table code
    term_from: int
    term_to: int
    rate_from: Decimal  # monthly interest rate, percent, inclusive
    rate_to: Decimal
    valid_from: date
    valid_to: date | None
    base: CalcBase
    flat: Decimal  # percent of the base, paid in the payment month
    deferred: Decimal  # percent of the base, per month
    deferred_months: int
    bonus: Decimal  # percent of the base, paid in the payment month
    fixed: Decimal  # R$ per contract, paid in the payment month
    clawback_days: int
    clawback_rule: ClawbackRule
    # Identity for explanations and the frozen reference: "Facta v3" and its line number.
    version_label: str = ""
    line_no: int = 0
    row_id: int | None = None
    version_id: int | None = None

    @property
    def ref(self) -> str:
        """How an explanation names the row: ``tabela Facta v3 linha 12``."""
        return f"tabela {self.version_label} linha {self.line_no}".replace("  ", " ")


@dataclass(frozen=True)
class Contract:
    """A paid contract as the engine sees it (from a proposal or from a file)."""

    number: str
    bank: str
    product: str
    agreement: str
    table_code: str
    term_months: int
    monthly_rate: Decimal
    gross: Decimal
    net: Decimal
    cash_out: Decimal
    insurance: Decimal
    paid_on: date
    agent: str  # payee key of the seller: the collaborator's e-mail
    ended_on: date | None = None
    end_reason: EndReason | None = None
    proposal_id: int | None = None
    # Payee key of the sub-correspondent that brought the contract, if any: its own plans
    # apply to the contract like the agent's (the engine looks up both).
    sub_correspondent: str | None = None

    @property
    def payees(self) -> tuple[str, ...]:
        """Whose internal plans apply to this contract: the agent, then the sub-correspondent."""
        if self.sub_correspondent and self.sub_correspondent != self.agent:
            return (self.agent, self.sub_correspondent)
        return (self.agent,)


@dataclass(frozen=True)
class Tier:
    """A target tier: from this period production on, the plan pays `percent`."""

    threshold: Decimal  # production (R$) in the period
    percent: Decimal


@dataclass(frozen=True)
class Plan:
    """An internal commission plan rule of one payee (collaborator or sub-correspondent)."""

    payee: str  # e-mail of the collaborator, or the sub-correspondent's key
    valid_from: date
    valid_to: date | None
    basis: PlanBasis
    percent: Decimal
    tiers: tuple[Tier, ...] = ()
    tier_mode: TierMode = TierMode.WHOLE
    plan_id: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Override:
    """A supervisor/manager override on a contract: percent of the contract's base.

    Resolved by the caller from the org hierarchy at the payment date; the calculator
    over files has no hierarchy and passes none.
    """

    payee: str
    level: str  # "supervisor" | "gerente"
    percent: Decimal


@dataclass(frozen=True)
class Line:
    """One commission line: the ledger's and the files' unit.

    `amount` is signed (a clawback is negative). `source_kind` says, for a clawback,
    which kind of line it reverses (flat, bonus, fixo, diferido, repasse, override).
    """

    contract: str
    payee: str  # COMPANY or an e-mail / payee key
    kind: LineKind
    period: str  # "aaaa-mm" (competência)
    base: Decimal
    percent: Decimal | None
    amount: Decimal
    explanation: str
    source_kind: LineKind | None = None
    row: TableRow | None = field(default=None, compare=False)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What recalculation compares: the ledger's and the engine's sums per key.

        Several lines may share a key (a payee's repasse of flat and of bonus in the same
        month when `source_kind` is the same); recalculation compares sums, not lines.
        """
        source = self.source_kind.value if self.source_kind else ""
        return (self.contract, self.payee, self.kind.value, self.period, source)
