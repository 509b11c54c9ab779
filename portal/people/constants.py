"""Fixed vocabularies of the people domain, with their Portuguese labels.

Banks are not listed here: operator codes are checked against the bank registry.
"""

from __future__ import annotations

from portal.core.enums import LabeledEnum


class CollaboratorStatus(LabeledEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"


STATUS_LABELS = {CollaboratorStatus.ACTIVE: "Ativo", CollaboratorStatus.INACTIVE: "Inativo"}
CollaboratorStatus.__labels__ = STATUS_LABELS


class CertIssuer(LabeledEnum):
    """Bodies whose exams certify credit staff (Res. CMN 4.935/2021)."""

    FEBRABAN = "febraban"
    ABBC = "abbc"
    ANEPS = "aneps"
    OTHER = "other"


ISSUER_LABELS = {
    CertIssuer.FEBRABAN: "FEBRABAN",
    CertIssuer.ABBC: "ABBC",
    CertIssuer.ANEPS: "ANEPS",
    CertIssuer.OTHER: "Outra",
}
CertIssuer.__labels__ = ISSUER_LABELS


class CertState(LabeledEnum):
    VALID = "valid"
    EXPIRING = "expiring"
    EXPIRED = "expired"
    MISSING = "missing"


CERT_STATE_LABELS = {
    CertState.VALID: "Válida",
    CertState.EXPIRING: "Vencendo",
    CertState.EXPIRED: "Vencida",
    CertState.MISSING: "Sem certificação",
}
CertState.__labels__ = CERT_STATE_LABELS

# Days before expiry from which a certification counts as "expiring".
EXPIRING_WINDOW_DAYS = 30
