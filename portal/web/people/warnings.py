"""Certification warnings for the home pages: `cert_warnings()` in every template.

Feeds templates/people/_cert_warnings.html: the signed-in person's own certification
problem (expiring ≤ 30 days, expired, missing) and, for users who may see collaborators,
the problems of the people in their scope (team for a supervisor, everyone for admin).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import Flask
from flask_login import current_user

from portal.extensions import db
from portal.people import certifications, collaborators
from portal.people.certifications import CertWarning
from portal.people.constants import CertState
from portal.people.permissions import Permission


@dataclass
class CertWarnings:
    own_state: CertState | None = None
    own_expiry: date | None = None
    scope: list[CertWarning] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.own_state is not None or bool(self.scope)


def cert_warnings() -> CertWarnings:
    result = CertWarnings()
    if not current_user.is_authenticated:
        return result
    on = date.today()
    own = collaborators.collaborator_for_user(db.session, current_user)
    if own is not None and own.status == "active":
        best = certifications.best_certification(own, on)
        state = certifications.state_for_expiry(best.expires_on if best else None, on)
        if state is not CertState.VALID:
            result.own_state, result.own_expiry = state, best.expires_on if best else None
    if current_user.can(Permission.PEOPLE_VIEW):
        result.scope = [
            w
            for w in certifications.expiring_certifications_for(db.session, current_user, on)
            if own is None or w.collaborator_id != own.id
        ]
    return result


def register_cert_warnings(app: Flask) -> None:
    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"cert_warnings": cert_warnings}
