"""The canonical proposal status machine (docs/domain.md, "Proposal statuses").

Every bank's own status strings are mapped onto these (see `mapping.py`); the pipeline,
the board, SLAs and commissions only ever reason about canonical statuses.
"""

from __future__ import annotations

from portal.core.enums import LabeledEnum
from portal.core.errors import DomainError


class Status(LabeledEnum):
    SIMULATED = "simulated"
    SUBMISSION_UNCONFIRMED = "submission_unconfirmed"
    SUBMITTED = "submitted"
    WAITING_SIGNATURE = "waiting_signature"
    SIGNED = "signed"
    UNDER_ANALYSIS = "under_analysis"
    PENDING = "pending"
    AWAITING_CIP = "awaiting_cip"
    BALANCE_RETURNED = "balance_returned"
    AWAITING_BALANCE_PAYMENT = "awaiting_balance_payment"
    AWAITING_ENDORSEMENT = "awaiting_endorsement"
    ENDORSED = "endorsed"
    PAID = "paid"
    PAYMENT_RETURNED = "payment_returned"
    REFUSED = "refused"
    CANCELLED = "cancelled"
    SETTLED_EARLY = "settled_early"
    REFINANCED_AWAY = "refinanced_away"
    PORTED_OUT = "ported_out"
    FRAUD = "fraud"
    DEATH = "death"


LABELS: dict[Status, str] = {
    Status.SIMULATED: "Simulada",
    Status.SUBMISSION_UNCONFIRMED: "Digitação não confirmada",
    Status.SUBMITTED: "Digitada",
    Status.WAITING_SIGNATURE: "Aguardando formalização",
    Status.SIGNED: "Formalizada",
    Status.UNDER_ANALYSIS: "Em análise",
    Status.PENDING: "Pendente",
    Status.AWAITING_CIP: "Aguardando CIP",
    Status.BALANCE_RETURNED: "Saldo retornado",
    Status.AWAITING_BALANCE_PAYMENT: "Aguardando pagamento do saldo",
    Status.AWAITING_ENDORSEMENT: "Aguardando averbação",
    Status.ENDORSED: "Averbada",
    Status.PAID: "Paga",
    Status.PAYMENT_RETURNED: "TED devolvida",
    Status.REFUSED: "Reprovada",
    Status.CANCELLED: "Cancelada",
    Status.SETTLED_EARLY: "Liquidada antecipadamente",
    Status.REFINANCED_AWAY: "Refinanciada",
    Status.PORTED_OUT: "Portada para outro banco",
    Status.FRAUD: "Fraude",
    Status.DEATH: "Óbito",
}
Status.__labels__ = LABELS

S = Status
_CLOSE = {S.REFUSED, S.CANCELLED}
AFTER_SALE = {S.SETTLED_EARLY, S.REFINANCED_AWAY, S.PORTED_OUT, S.FRAUD, S.DEATH}
PORTABILITY_TRACK = {S.AWAITING_CIP, S.BALANCE_RETURNED, S.AWAITING_BALANCE_PAYMENT}
TERMINAL = {S.REFUSED, S.CANCELLED} | AFTER_SALE

TRANSITIONS: dict[Status, set[Status]] = {
    S.SIMULATED: {S.SUBMITTED, S.SUBMISSION_UNCONFIRMED, S.CANCELLED},
    S.SUBMISSION_UNCONFIRMED: {S.SUBMITTED, S.WAITING_SIGNATURE} | _CLOSE,
    S.SUBMITTED: {S.WAITING_SIGNATURE, S.UNDER_ANALYSIS, S.PENDING} | _CLOSE,
    S.WAITING_SIGNATURE: {S.SIGNED, S.PENDING} | _CLOSE,
    S.SIGNED: {S.UNDER_ANALYSIS, S.AWAITING_CIP, S.AWAITING_ENDORSEMENT, S.PENDING} | _CLOSE,
    S.UNDER_ANALYSIS: {S.WAITING_SIGNATURE, S.PENDING, S.AWAITING_CIP, S.AWAITING_ENDORSEMENT} | _CLOSE,
    S.PENDING: {
        S.SUBMITTED,
        S.WAITING_SIGNATURE,
        S.SIGNED,
        S.UNDER_ANALYSIS,
        S.AWAITING_CIP,
        S.AWAITING_BALANCE_PAYMENT,
        S.AWAITING_ENDORSEMENT,
    }
    | _CLOSE,
    S.AWAITING_CIP: {S.BALANCE_RETURNED, S.PENDING} | _CLOSE,
    S.BALANCE_RETURNED: {S.AWAITING_BALANCE_PAYMENT, S.PENDING} | _CLOSE,
    S.AWAITING_BALANCE_PAYMENT: {S.AWAITING_ENDORSEMENT, S.PENDING} | _CLOSE,
    S.AWAITING_ENDORSEMENT: {S.ENDORSED, S.PENDING} | _CLOSE,
    S.ENDORSED: {S.PAID, S.PAYMENT_RETURNED, S.CANCELLED},
    S.PAID: AFTER_SALE | {S.CANCELLED},
    S.PAYMENT_RETURNED: {S.PAID, S.PENDING, S.CANCELLED},
}
for _terminal in TERMINAL:
    TRANSITIONS.setdefault(_terminal, set())

# Moves a person must explain (the reason is kept on the event).
REASON_REQUIRED = {S.PENDING, S.REFUSED, S.CANCELLED, S.PAYMENT_RETURNED, S.FRAUD, S.DEATH}

PORTABILITY_PRODUCTS = {"portability", "portability_refin"}

# Order of the board's columns; after-sale and closed statuses share the last columns.
BOARD_COLUMNS: list[Status] = [
    S.SUBMISSION_UNCONFIRMED,
    S.SUBMITTED,
    S.WAITING_SIGNATURE,
    S.SIGNED,
    S.UNDER_ANALYSIS,
    S.PENDING,
    S.AWAITING_CIP,
    S.BALANCE_RETURNED,
    S.AWAITING_BALANCE_PAYMENT,
    S.AWAITING_ENDORSEMENT,
    S.ENDORSED,
    S.PAID,
    S.PAYMENT_RETURNED,
    S.REFUSED,
    S.CANCELLED,
]


def allowed_next(current: Status, product: str) -> list[Status]:
    """Statuses reachable from `current` for a proposal of `product`, in board order."""
    targets = TRANSITIONS[current]
    if product not in PORTABILITY_PRODUCTS:
        targets = targets - PORTABILITY_TRACK
    order = {s: i for i, s in enumerate([*BOARD_COLUMNS, *sorted(AFTER_SALE)])}
    return sorted(targets, key=lambda s: order.get(s, 99))


def needs_reason(target: Status) -> bool:
    return target in REASON_REQUIRED


def check_transition(current: Status, target: Status, product: str, reason: str | None) -> None:
    """Raise DomainError (Portuguese) unless `current → target` is allowed here."""
    if current == target:
        raise DomainError(f"A proposta já está em “{current.label}”.")
    if target in PORTABILITY_TRACK and product not in PORTABILITY_PRODUCTS:
        raise DomainError(f"“{target.label}” só existe para propostas de portabilidade.")
    if target not in TRANSITIONS[current]:
        raise DomainError(f"Não é possível passar de “{current.label}” para “{target.label}”.")
    if needs_reason(target) and not (reason or "").strip():
        raise DomainError(f"Informe o motivo para mudar para “{target.label}”.", field="reason")
