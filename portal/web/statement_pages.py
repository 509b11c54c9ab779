"""What the sales and finance statement pages share: the CSRF-only action form, the
"404 for anyone outside" rule and the detail page."""

from __future__ import annotations

from flask import Response, current_app
from flask_login import current_user
from flask_wtf import FlaskForm

from portal.commissions.statements import queries
from portal.commissions.statements.models import PaymentMethod, Statement
from portal.core.errors import NotFound
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.htmx import render
from portal.web.statement_pdf import SUMMARY_ROWS, pdf_download


class ActionForm(FlaskForm):
    """CSRF only: the fields of statement actions are read and checked by the services."""


def statement_or_404(statement_id: int, *needed: Permission, approved_only: bool = False) -> Statement:
    """The statement in the user's scope; without the area's permissions the answer is
    the same 404 as outside scope (a statement's existence is not disclosed)."""
    if not all(current_user.can(p) for p in needed):
        raise NotFound(queries.NOT_FOUND)
    return queries.get_statement_for(db.session, current_user, statement_id, approved_only=approved_only)


def download(statement: Statement) -> Response:
    return pdf_download(current_app.config["STORAGE_DIR"], statement)


def detail_page(statement: Statement, area: str, status: int = 200, error: str | None = None) -> Response:
    return render(
        "statements/detail.html",
        status=status,
        s=statement,
        area=area,
        form=ActionForm(),
        summary_rows=SUMMARY_ROWS,
        methods=[(m.value, m.label) for m in PaymentMethod],
        error=error,
    )
