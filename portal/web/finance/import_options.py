"""What the hub's upload page asks beyond the file for some kinds (a commission table's
validity and note, the default owner of imported clients) and where a finished import's
records are seen (the draft table version, the pipeline, the client list)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from portal.clients.services import assignable_owners
from portal.commissions import table_kind
from portal.core.errors import DomainError
from portal.core.imports.models import DataImport
from portal.extensions import db
from portal.web import import_access


def owner_choices() -> list[tuple[int, str]]:
    """Collaborators the user may make owners of imported clients (none: no clients kind)."""
    if not import_access.can("clients", manage=True):
        return []
    return [(c.id, c.name) for c in db.session.scalars(assignable_owners(db.session, current_user))]


def _day(raw: str, label: str) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise DomainError(f"{label} inválida: use dd/mm/aaaa.") from None


def from_form(kind: str, form: MultiDict[str, str], owners: list[tuple[int, str]]) -> dict[str, Any]:
    """The options of `kind` from the upload form (checked; JSON-safe)."""
    if kind == table_kind.NAME:
        start = _day(form.get("valid_from", ""), "Vigência de")
        end = _day(form.get("valid_to", ""), "Vigência até")
        return table_kind.options_from(start, end, " ".join(form.get("note", "").split())[:300])
    if kind == "clients":
        raw = form.get("owner_id", "").strip()
        if not raw:
            return {}
        if not raw.isdigit() or int(raw) not in dict(owners):
            raise DomainError("Corretor responsável inválido.")
        return {"owner_id": int(raw)}
    return {}


def outcome_link(session: Session, record: DataImport) -> tuple[str, str] | None:
    """(url, label) of where the records of a finished import are seen."""
    if record.status != "done":
        return None
    if record.kind == table_kind.NAME:
        version = table_kind.draft_of(session, record.id)
        if version is None:
            return None
        return url_for("finance.table_detail", version_id=version.id), f"Ver a versão {version.label}"
    if record.kind == "proposals":
        return url_for("operations.proposals"), "Ver a esteira de propostas"
    if record.kind == "clients":
        return url_for("sales.clients"), "Ver a lista de clientes"
    return None
