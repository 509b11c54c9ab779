"""Financeiro · E se?: a draft table version (and/or draft plans) over a past period's
real paid contracts, compared per person and per bank with the ledger. Nothing is posted."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import request
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.commissions import tables, whatif
from portal.commissions.fields import LayoutError
from portal.commissions.layouts import read_plans
from portal.commissions.types import Plan
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import require
from portal.web.finance import bp
from portal.web.finance.tool_forms import WhatIfForm
from portal.web.finance.uploads import read_optional_spreadsheet
from portal.web.forms import attach_error
from portal.web.htmx import render


def _form() -> WhatIfForm:
    form = WhatIfForm()
    drafts = whatif.draft_versions(db.session)
    form.version_id.choices = [SelectChoice("", "— sem tabela rascunho —")] + [
        SelectChoice(str(v.id), f"{v.label} (rascunho, desde {v.valid_from:%d/%m/%Y})") for v in drafts
    ]
    form.period.choices = [SelectChoice(p, p) for p in whatif.past_periods(db.session, date.today())]
    return form


def _draft_plans() -> list[Plan] | None:
    upload = read_optional_spreadsheet(request.files.get("plans"), "plans")
    if upload is None:
        return None
    with tempfile.TemporaryDirectory(prefix="whatif-") as tmp:
        path = Path(tmp) / f"planos{upload.suffix}"
        path.write_bytes(upload.data)
        return read_plans(path)


@bp.route("/what-if", methods=["GET", "POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def what_if() -> Response:
    form = _form()
    result, error, layout_error = None, None, None
    status = 200
    if request.method == "POST":
        status = 422
        if not form.validate_on_submit():
            error = "Formulário expirado: recarregue a página e envie de novo."
        else:
            try:
                version_id = parse_int(form.version_id.data or "", max_value=999_999_999)
                draft = tables.get_version(db.session, version_id) if version_id else None
                result = whatif.what_if(db.session, form.period.data or "", draft, _draft_plans())
                status = 200
            except LayoutError as failure:
                layout_error = failure
            except DomainError as failure:
                error = attach_error(form, failure)
            finally:
                db.session.rollback()  # a pure read: nothing of this request is kept
    return render(
        "finance/what_if.html",
        status=status,
        form=form,
        result=result,
        error=error,
        layout_error=layout_error,
    )
