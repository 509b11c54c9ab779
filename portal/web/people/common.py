"""Small helpers shared by the people views."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import current_app
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core import audit
from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.people import collaborator_queries, org
from portal.people.constants import ISSUER_LABELS
from portal.people.models import ORG_KIND_LABELS, ROLE_GROUP_LABELS, OrgKind
from portal.web.bank_names import registered_banks
from portal.web.people.forms import select_choices

ACTION_LABELS = {
    "collaborator.created": "Cadastro",
    "collaborator.updated": "Dados alterados",
    "collaborator.moved": "Transferência de unidade",
    "collaborator.deactivated": "Desligamento",
    "collaborator.pii_revealed": "CPF/telefone revelados",
    "certification.added": "Certificação registrada",
    "certification.revoked": "Certificação revogada",
    "certification.evidence_downloaded": "Comprovante baixado",
    "operator_code.created": "Código de operador cadastrado",
    "operator_code.updated": "Código de operador alterado",
    "operator_code.deleted": "Código de operador removido",
}


def labels() -> dict[str, dict[str, str]]:
    """Portuguese labels keyed by stored value, for templates."""
    return {
        "role_group": {k.value: v for k, v in ROLE_GROUP_LABELS.items()},
        "issuer": {k.value: v for k, v in ISSUER_LABELS.items()},
        "kind": {k.value: v for k, v in ORG_KIND_LABELS.items()},
        "bank": registered_banks(),
    }


def storage_dir() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def today() -> date:
    return date.today()


def unit_select_choices(blank: str = "— sem lotação —") -> list[SelectChoice]:
    kinds = {OrgKind.STORE, OrgKind.TEAM, OrgKind.REGIONAL, OrgKind.COMPANY, OrgKind.SUB_CORRESPONDENT}
    return select_choices([("", blank), *org.unit_choices(db.session, kinds)])


def supervisor_choices(exclude_id: int | None = None) -> list[SelectChoice]:
    rows = collaborator_queries.supervisor_options(db.session)
    return select_choices([("", "— nenhum —"), *((i, name) for i, name in rows if i != exclude_id)])


def history_of(collaborator_id: int, limit: int = 50) -> list[AuditEntry]:
    return audit.history_of(db.session, f"collaborator:{collaborator_id}", limit)


def can_manage() -> bool:
    from portal.people.permissions import Permission

    return bool(current_user.is_authenticated and current_user.can(Permission.PEOPLE_MANAGE))
