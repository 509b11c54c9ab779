"""Bank commission tables: versions per bank, import into a draft, a version's rows,
approve (the cap check names the row), retire, a new version from an approved one,
export in the import layout, and two versions compared side by side."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.commissions import table_files, table_kind, tables
from portal.commissions.layouts import TABLE_COLUMNS
from portal.commissions.models import TableVersion, VersionState
from portal.commissions.resolution import bank_name
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.exports import export_response
from portal.web.finance import bp, table_upload
from portal.web.finance.common import bank_choices, error_status
from portal.web.finance.forms import ConfirmForm, TableImportForm
from portal.web.forms import attach_error
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.operations.pipeline_common import read_upload

TABLE_MAX_BYTES = 10 * 1024 * 1024
ROW_FIELDS = (
    ("product", "Produto"), ("agreement", "Convênio"), ("table_code", "Tabela"),
    ("term_from", "Prazo de"), ("term_to", "Prazo até"), ("rate_from", "Taxa de"), ("rate_to", "Taxa até"),
    ("valid_from", "Vigência de"), ("valid_to", "Vigência até"), ("base", "Base"), ("flat", "Flat %"),
    ("deferred", "Diferido %"), ("deferred_months", "Meses"), ("bonus", "Bônus %"), ("fixed", "Fixo"),
    ("clawback_days", "Estorno (dias)"), ("clawback_rule", "Regra"),
)  # fmt: skip


def _to_version(version_id: int) -> Response:
    target = url_for("finance.table_detail", version_id=version_id)
    return hx_redirect(target) if is_htmx() else redirect(target, 303)


@bp.route("/tables")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def tables_list() -> Response:
    banks = dict(bank_choices())
    bank = request.args.get("bank", "")
    bank = bank if bank in banks else ""
    versions = list(db.session.scalars(tables.versions_query(bank_code=bank)))
    by_bank: dict[str, list[TableVersion]] = {}
    for version in versions:
        by_bank.setdefault(version.bank_code, []).append(version)
    return render("finance/tables.html", by_bank=by_bank, banks=banks, bank=bank, bank_name=bank_name)


@bp.route("/tables/import", methods=["GET", "POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def table_import() -> Response:
    """The table upload, run through the import hub at once (a table is small): a file in
    the table template becomes a draft; another header goes to the hub's column mapping."""
    form = TableImportForm()
    form.bank_code.choices = bank_choices()
    error, line_errors = None, []
    if request.method == "POST" and form.validate_on_submit():
        try:
            data, filename = read_upload(request.files.get("file"), TABLE_MAX_BYTES)
            record = table_upload.run(
                db.session,
                current_actor(),
                data,
                filename,
                bank_code=form.bank_code.data,
                options=table_kind.options_from(
                    form.valid_from.data, form.valid_to.data, form.note.data or ""
                ),
                storage_dir=current_app.config["STORAGE_DIR"],
            )
        except DomainError as failure:
            db.session.rollback()
            error = attach_error(form, failure)
        else:
            if record.status in ("mapping", "quarantined"):
                flash("O cabeçalho não é o do modelo de tabela: mapeie as colunas uma vez.", "info")
                target = url_for("finance.import_mapping", import_id=record.id)
                return hx_redirect(target) if is_htmx() else redirect(target, 303)
            if record.status == "failed":
                db.session.rollback()  # nothing of a refused table is kept
                table_upload.discard(record, current_app.config["STORAGE_DIR"])
                error = "Arquivo recusado: nada foi importado. Corrija as linhas abaixo."
                line_errors = [(line, reason) for line, _what, reason in record.problems]
            else:
                version = table_kind.draft_of(db.session, record.id)
                assert version is not None
                flash(f"Rascunho {version.label} criado com {len(version.rows)} linha(s).", "success")
                return _to_version(version.id)
    status = 422 if request.method == "POST" else 200
    return render(
        "finance/table_import.html",
        status=status,
        form=form,
        error=error,
        line_errors=line_errors,
        columns=TABLE_COLUMNS,
    )


def _detail(version: TableVersion, status: int = 200, error: str | None = None, problems=()) -> Response:
    others = [
        v
        for v in db.session.scalars(tables.versions_query(bank_code=version.bank_code))
        if v.id != version.id
    ]
    return render(
        "finance/table_detail.html",
        status=status,
        version=version,
        error=error,
        problems=list(problems),
        others=others,
        fields=ROW_FIELDS,
        confirm=ConfirmForm(),
        states=VersionState,
    )


@bp.route("/tables/<int:version_id>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def table_detail(version_id: int) -> Response:
    return _detail(tables.get_version(db.session, version_id))


def _action(version_id: int, act, done: str) -> Response:
    """Run one state change on a version; a broken rule re-renders the page in place."""
    version = tables.get_version(db.session, version_id)
    if not ConfirmForm().validate_on_submit():
        return _detail(version, 400, "Formulário expirado: recarregue a página e tente de novo.")
    try:
        result = act(version)
    except DomainError as failure:
        db.session.rollback()
        version = tables.get_version(db.session, version_id)
        problems = (
            tables.cap_problems(db.session, version) if version.state == VersionState.DRAFT.value else []
        )
        return _detail(version, error_status(failure), failure.message, problems)
    flash(done.format(label=result.label), "success")
    return _to_version(result.id)


@bp.route("/tables/<int:version_id>/approve", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def table_approve(version_id: int) -> Response:
    return _action(
        version_id, lambda v: tables.approve(db.session, current_actor(), v), "Versão {label} aprovada."
    )


@bp.route("/tables/<int:version_id>/retire", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def table_retire(version_id: int) -> Response:
    return _action(
        version_id, lambda v: tables.retire(db.session, current_actor(), v), "Versão {label} retirada."
    )


@bp.route("/tables/<int:version_id>/new-version", methods=["POST"])
@require(Permission.FINANCE, Permission.COMMISSIONS_MANAGE)
def table_new_version(version_id: int) -> Response:
    return _action(
        version_id,
        lambda v: tables.new_draft_from(db.session, current_actor(), v),
        "Nova versão {label} criada como rascunho.",
    )


@bp.route("/tables/<int:version_id>/export.<fmt>")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def table_export(version_id: int, fmt: str) -> Response:
    version = tables.get_version(db.session, version_id)
    headers, cells = table_files.export_cells(version)
    name = f"tabela-{version.bank_code}-v{version.number}"
    return export_response(fmt, name, headers, cells, "Tabela")


@bp.route("/tables/compare")
@require(Permission.FINANCE, Permission.COMMISSIONS_VIEW)
def table_compare() -> Response:
    old_id = parse_int(request.args.get("old", ""), max_value=999_999_999)
    new_id = parse_int(request.args.get("new", ""), max_value=999_999_999)
    if old_id is None or new_id is None:
        versions = list(db.session.scalars(tables.versions_query()))
        return render("finance/table_compare.html", cmp=None, versions=versions)
    old, new = tables.get_version(db.session, old_id), tables.get_version(db.session, new_id)
    return render("finance/table_compare.html", cmp=tables.compare(old, new), fields=ROW_FIELDS)
