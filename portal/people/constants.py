"""Fixed vocabularies of the people domain, with their Portuguese labels.

`KNOWN_BANKS` is a stop-gap until the banks registry (a later issue) exists: operator
codes are validated against it.
"""

from __future__ import annotations

from enum import StrEnum


class CollaboratorStatus(StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {CollaboratorStatus.ACTIVE: "Ativo", CollaboratorStatus.INACTIVE: "Inativo"}


class CertIssuer(StrEnum):
    """Bodies whose exams certify credit staff (Res. CMN 4.935/2021)."""

    FEBRABAN = "febraban"
    ABBC = "abbc"
    ANEPS = "aneps"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ISSUER_LABELS[self]


ISSUER_LABELS = {
    CertIssuer.FEBRABAN: "FEBRABAN",
    CertIssuer.ABBC: "ABBC",
    CertIssuer.ANEPS: "ANEPS",
    CertIssuer.OTHER: "Outra",
}


class CertState(StrEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return CERT_STATE_LABELS[self]


CERT_STATE_LABELS = {
    CertState.VALID: "Válida",
    CertState.EXPIRING: "Vencendo",
    CertState.EXPIRED: "Vencida",
    CertState.MISSING: "Sem certificação",
}

# Days before expiry from which a certification counts as "expiring".
EXPIRING_WINDOW_DAYS = 30

KNOWN_BANKS: dict[str, str] = {
    "facta": "Facta",
    "daycoval": "Daycoval",
    "c6": "C6 Bank",
    "master": "Banco Master",
    "bradesco": "Bradesco",
    "bmg": "BMG",
    "pan": "Banco Pan",
}
