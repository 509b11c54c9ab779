"""The bank call log: one row per answer a bank gave (or failed to give) the portal.

Written in the same transaction as what the call produced (a lookup's audit entry, a
simulation, a status poll, a received webhook), so the log never claims a call whose
effect was rolled back. Rows carry the bank, what was asked (`kind`), the outcome code and
the latency; never a CPF, a payload or a credential. The admin's system-health page reads
latency and error rate per bank from here (`portal.insights.health`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.banks.calls import OUTCOMES
from portal.core.db import Base, UTCDateTime, utcnow

#: Outcomes that are not the bank's fault: the call worked, the bank said "no" or the
#: client has not authorised the query. Anything else counts as an error.
NOT_ERRORS = frozenset({"ok", "rejected", "not_authorized", "unsupported", "duplicate"})

KIND_LABELS = {
    "lookup": "Consulta de margem",
    "simulation": "Simulação",
    "submission": "Digitação",
    "status_poll": "Sincronização de status",
    "webhook": "Notificação (webhook)",
}

OUTCOME_LABELS = {
    **OUTCOMES,
    "duplicate": "Repetida (já recebida)",
    "rejected_signature": "Recusada: assinatura ou janela de tempo",
    "unreadable": "Recusada: conteúdo ilegível",
    "refused": "Recusada",
}


class BankCall(Base):
    """One bank call as seen by the portal (after its own retries)."""

    __tablename__ = "bank_call_log"
    __table_args__ = (
        Index("ix_bank_call_log_bank_at", "bank_code", "occurred_at"),
        Index("ix_bank_call_log_kind_at", "kind", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bank_code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(30))
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    # A short pt-BR reason for failures (e.g. why a webhook was refused); never personal data.
    detail: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def is_error(self) -> bool:
        return self.outcome not in NOT_ERRORS


def record_call(
    session: Session,
    bank_code: str,
    kind: str,
    outcome: str,
    latency_ms: int | None = None,
    detail: str = "",
    at: datetime | None = None,
) -> BankCall:
    """Append one row to the call log (flushed with the caller's transaction)."""
    call = BankCall(
        bank_code=bank_code[:20],
        kind=kind,
        outcome=outcome[:30],
        latency_ms=latency_ms,
        detail=detail[:200],
        occurred_at=at or utcnow(),
    )
    session.add(call)
    return call
