"""A statement's content read from the ledger: its lines, the summary and the canonical
SHA-256 that the PDF prints and `statement-verify` recomputes.

The hash covers what the ledger decides (payee, period, each entry's id, contract, bank,
kind, competence, base, rate, amount, explanation and the totals), not the display data
of the client registry (a client anonymised later must not make a statement "change").
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.clients import pii
from portal.clients.models import Client
from portal.commissions.models import ADJUSTMENT_KIND, CARRY_KIND, LedgerEntry
from portal.commissions.resolution import bank_name, product_label
from portal.commissions.types import LineKind
from portal.proposals.models import Proposal

ZERO = Decimal("0.00")
HASH_VERSION = "athenas-statement-v1"


@dataclass
class Summary:
    earned: Decimal = ZERO
    overrides: Decimal = ZERO
    bonuses: Decimal = ZERO
    clawbacks: Decimal = ZERO
    adjustments: Decimal = ZERO
    carried_in: Decimal = ZERO
    carried_out: Decimal = ZERO
    payable: Decimal = ZERO
    lines: int = 0

    def add(self, entry: LedgerEntry) -> None:
        """Each ledger kind counts in one summary bucket; payable is their sum."""
        amount = entry.amount
        if entry.kind == CARRY_KIND:
            if entry.prior_period:
                self.carried_in += amount
            else:
                self.carried_out += amount
        elif entry.kind == ADJUSTMENT_KIND:
            self.adjustments += amount
        elif entry.kind == LineKind.OVERRIDE.value:
            self.overrides += amount
        elif entry.kind == LineKind.BONUS.value:
            self.bonuses += amount
        elif entry.kind == LineKind.CLAWBACK.value:
            self.clawbacks += amount
        else:
            self.earned += amount
        self.payable += amount
        self.lines += 1

    def as_dict(self) -> dict[str, Decimal | int]:
        return {
            "earned": self.earned,
            "overrides": self.overrides,
            "bonuses": self.bonuses,
            "clawbacks": self.clawbacks,
            "adjustments": self.adjustments,
            "carried_in": self.carried_in,
            "carried_out": self.carried_out,
            "payable": self.payable,
            "lines_count": self.lines,
        }


@dataclass(frozen=True)
class LineData:
    ledger_entry_id: int
    competence: str
    contract: str
    bank_code: str
    kind: str
    kind_label: str
    base: Decimal
    percent: Decimal | None
    amount: Decimal
    explanation: str
    client_name: str = ""
    client_cpf_masked: str = ""
    bank_name: str = ""
    product: str = ""

    def canonical(self) -> list[str | int | None]:
        percent = None if self.percent is None else str(self.percent.normalize())
        return [
            self.ledger_entry_id, self.competence, self.contract, self.bank_code, self.kind,
            str(self.base), percent, str(self.amount), self.explanation,
        ]  # fmt: skip


@dataclass
class Content:
    payee: str
    period: str
    lines: list[LineData] = field(default_factory=list)
    summary: Summary = field(default_factory=Summary)

    @property
    def hash(self) -> str:
        return content_hash(self.payee, self.period, self.lines, self.summary)


def content_hash(payee: str, period: str, lines: list[LineData], summary: Summary) -> str:
    """SHA-256 over a JSON with sorted keys and string amounts: stable across backends."""
    totals = {k: str(v) for k, v in summary.as_dict().items()}
    document = {
        "v": HASH_VERSION,
        "payee": payee,
        "period": period,
        "lines": [line.canonical() for line in lines],
        "totals": totals,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entries_query(period: str, payees: list[str] | None = None):
    """Ledger entries posted in `period` (optionally for some payees), with the proposal's
    product and the client's name and CPF, in a stable order."""
    stmt = (
        select(LedgerEntry, Proposal.product, Client.name, Client.cpf)
        .outerjoin(Proposal, Proposal.id == LedgerEntry.proposal_id)
        .outerjoin(Client, Client.id == Proposal.client_id)
        .where(LedgerEntry.posting_period == period)
        .order_by(LedgerEntry.payee, LedgerEntry.competence, LedgerEntry.contract, LedgerEntry.id)
    )
    if payees is not None:
        stmt = stmt.where(LedgerEntry.payee.in_(payees))
    return stmt


def _line(entry: LedgerEntry, product: str | None, client: str | None, cpf: str | None) -> LineData:
    return LineData(
        ledger_entry_id=entry.id,
        competence=entry.competence,
        contract=entry.contract,
        bank_code=entry.bank_code,
        kind=entry.kind,
        kind_label=entry.kind_label,
        base=entry.base,
        percent=entry.percent,
        amount=entry.amount,
        explanation=entry.explanation,
        client_name=client or "",
        client_cpf_masked=pii.mask("cpf", cpf),
        bank_name=bank_name(entry.bank_code) if entry.bank_code else "",
        product=product_label(product) if product else "",
    )


def read_contents(session: Session, period: str, payees: list[str] | None = None) -> dict[str, Content]:
    """Every payee's content of a period (or those in `payees`), from one query."""
    out: dict[str, Content] = {}
    for entry, product, client, cpf in session.execute(entries_query(period, payees)):
        content = out.get(entry.payee)
        if content is None:
            content = out[entry.payee] = Content(entry.payee, period)
        content.lines.append(_line(entry, product, client, cpf))
        content.summary.add(entry)
    return out


def read_content(session: Session, period: str, payee: str) -> Content:
    return read_contents(session, period, [payee]).get(payee) or Content(payee, period)
