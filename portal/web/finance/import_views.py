"""Importações: the import hub's pages, for every kind (bank reports, commission tables,
proposals, clients). Who sees and runs each kind is `portal.web.import_access`: the
routes admit finance and operations, then each record is checked by its kind.

Upload (kind, bank when the kind is a bank's file, sheet, the kind's options) → mapping
(once per layout, saved by name, aliases editable) → preview (first rows, row errors,
totals) → job with progress → result with the problems as XLSX and "Desfazer". Files
whose header changed wait in quarantine.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, request, url_for

from portal.core import formats
from portal.core.errors import DomainError, Forbidden, NotFound
from portal.core.imports import job as import_job
from portal.core.imports import runs, service, storage
from portal.core.imports.kinds import get_kind
from portal.core.imports.models import STATUS_LABELS, DataImport, ImportLayout
from portal.core.upload_checks import check_spreadsheet
from portal.extensions import db
from portal.web import import_access
from portal.web.access import current_actor, require_any
from portal.web.exports import export_response
from portal.web.finance import bp, import_options
from portal.web.finance.common import bank_choices
from portal.web.finance.forms import ConfirmForm
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.jobs.helpers import start_job
from portal.web.operations.pipeline_common import read_upload

MAX_BYTES = 50 * 1024 * 1024
LIST_HEADERS = (
    "Nº",
    "Data",
    "Tipo",
    "Banco",
    "Arquivo",
    "Origem",
    "Situação",
    "Linhas",
    "Importadas",
    "Ignoradas",
    "Erros",
)


def _go(endpoint: str, **values: Any) -> Response:
    target = url_for(endpoint, **values)
    return hx_redirect(target) if is_htmx() else redirect(target, 303)  # type: ignore[return-value]


def _next_step(record: DataImport) -> Response:
    """A file whose columns are not known yet goes to the mapping, any other to its page."""
    endpoint = "finance.import_mapping" if record.status == "mapping" else "finance.import_detail"
    return _go(endpoint, import_id=record.id)


def _expired(import_id: int) -> Response:
    return import_detail(import_id, "Formulário expirado: recarregue a página.", 422)


def _record(import_id: int, manage: bool = True) -> DataImport:
    """The import, if the signed-in user may see it (`manage`: and act on it)."""
    record = db.session.get(DataImport, import_id)
    if record is None:
        raise NotFound("Importação não encontrada.")
    return import_access.check(record, manage)


def _storage() -> str:
    return current_app.config["STORAGE_DIR"]


@bp.route("/imports")
@require_any(*import_access.ANY_VIEW)
def imports_list() -> Response:
    status = request.args.get("status", "")
    visible = dict(import_access.kinds_for())
    if not visible:
        raise Forbidden("Você não tem acesso às importações.")
    kind = request.args.get("kind", "")
    kind = kind if kind in visible else ""
    records = service.imports_list(
        db.session, status if status in STATUS_LABELS else "", kinds=[kind] if kind else list(visible)
    )
    fmt = request.args.get("format")
    if fmt:
        rows = (
            [
                r.id,
                r.created_at,
                get_kind(r.kind).label,
                r.bank_code,
                r.filename,
                r.source_label,
                r.status_label,
                r.rows_total,
                r.imported,
                r.skipped,
                r.errors,
            ]
            for r in records
        )
        return export_response(fmt, "importacoes", LIST_HEADERS, rows, "Importações")
    return render(
        "finance/imports.html",
        records=records,
        chosen=status,
        statuses=STATUS_LABELS,
        kinds=visible,
        chosen_kind=kind,
        can_import=bool(import_access.kinds_for(manage=True)),
    )


@bp.route("/imports/new", methods=["GET", "POST"])
@require_any(*import_access.ANY_MANAGE)
def import_new() -> Response:
    """The upload page; `?kind=` preselects the kind."""
    return receive_upload()


def receive_upload(default_kind: str = "") -> Response:
    """The upload (the hub's page, and the old proposals import address, which sends no
    kind: `default_kind`). Every file passes the upload gate (real XLSX/CSV or an .xls
    saved as HTML, size limit) before anything is kept."""
    form = ConfirmForm()
    banks, kinds = bank_choices(), import_access.kinds_for(manage=True)
    if not kinds:
        raise Forbidden("Você não tem acesso às importações.")
    owners = import_options.owner_choices()
    chosen = request.values.get("kind") or default_kind
    error = None
    if request.method == "POST":
        kind, bank = request.form.get("kind") or default_kind, request.form.get("bank_code", "")
        try:
            if not form.validate_on_submit():
                raise DomainError("Formulário expirado: recarregue a página e envie de novo.")
            if kind not in dict(kinds):
                raise DomainError("Escolha o tipo de importação.")
            if not get_kind(kind).needs_bank:
                bank = ""
            elif bank not in dict(banks):
                raise DomainError("Escolha o banco.")
            options = import_options.from_form(kind, request.form, owners)
            data, filename = read_upload(request.files.get("file"), MAX_BYTES)
            check_spreadsheet(data, filename, max_bytes=MAX_BYTES, allow_html=True)
            record = runs.prepare_upload(
                db.session,
                current_actor(),
                data,
                filename,
                kind=kind,
                bank_code=bank,
                storage_dir=_storage(),
                sheet=(request.form.get("sheet") or "").strip() or None,
                options=options,
            )
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
        else:
            return _next_step(record)
    return render(
        "finance/import_new.html",
        status=422 if error else 200,
        form=form,
        banks=banks,
        kinds=kinds,
        chosen=chosen,
        owners=owners,
        show_bank=any(get_kind(name).needs_bank for name, _ in kinds),
        show_table="commission-table" in dict(kinds),
        error=error,
    )


@bp.route("/imports/<int:import_id>")
@require_any(*import_access.ANY_VIEW)
def import_detail(import_id: int, error: str | None = None, status: int = 200) -> Response:
    record = _record(import_id, manage=False)
    preview = None
    if record.status == "ready" and record.storage_name:
        try:
            with storage.opened(_storage(), record.storage_name) as path:
                preview = service.preview(record, path)
        except DomainError as failure:
            error = failure.message
    return render(
        "finance/import_detail.html",
        status=status,
        record=record,
        kind=get_kind(record.kind),
        preview=preview,
        error=error,
        manage=import_access.can(record.kind, manage=True),
        outcome=import_options.outcome_link(db.session, record),
        form=ConfirmForm(),
        money=formats.money,
        day=formats.day,
    )


@bp.route("/imports/<int:import_id>/sheet", methods=["POST"])
@require_any(*import_access.ANY_MANAGE)
def import_sheet(import_id: int) -> Response:
    record = _record(import_id)
    if not ConfirmForm().validate_on_submit() or not record.storage_name:
        return _expired(import_id)
    try:
        with storage.opened(_storage(), record.storage_name) as path:
            service.reanalyse(db.session, record, path, request.form.get("sheet") or None)
    except DomainError as failure:
        db.session.rollback()
        return import_detail(import_id, failure.message, 422)
    return _next_step(record)


@bp.route("/imports/<int:import_id>/mapping", methods=["GET", "POST"])
@require_any(*import_access.ANY_MANAGE)
def import_mapping(import_id: int) -> Response:
    record = _record(import_id)
    kind = get_kind(record.kind)
    layout = db.session.get(ImportLayout, record.layout_id) if record.layout_id else None
    form = ConfirmForm()
    error = None
    mapping, aliases = dict(record.mapping), service.default_aliases(record, layout)
    name = layout.name if layout else (record.differences or {}).get("layout", "")
    if request.method == "POST":
        mapping = {f.key: request.form.get(f"map-{f.key}", "") for f in kind.fields}
        aliases = {
            f.key: [a.strip() for a in request.form.get(f"aliases-{f.key}", "").split(",") if a.strip()]
            for f in kind.fields
        }
        name = request.form.get("layout_name", "")
        try:
            if not form.validate_on_submit():
                raise DomainError("Formulário expirado: recarregue a página e envie de novo.")
            service.save_layout(
                db.session, current_actor(), record, name=name, mapping=mapping, aliases=aliases
            )
        except DomainError as failure:
            db.session.rollback()
            error = failure.message
        else:
            flash(
                f"Layout “{name.strip()}” salvo: os próximos arquivos com este cabeçalho "
                "serão mapeados sozinhos.",
                "success",
            )
            return _go("finance.import_detail", import_id=import_id)
    return render(
        "finance/import_mapping.html",
        status=422 if error else 200,
        record=record,
        kind=kind,
        form=form,
        mapping=mapping,
        aliases=aliases,
        layout_name=name,
        error=error,
    )


@bp.route("/imports/<int:import_id>/run", methods=["POST"])
@require_any(*import_access.ANY_MANAGE)
def import_run(import_id: int) -> Response:
    record = _record(import_id)
    if not ConfirmForm().validate_on_submit():
        return _expired(import_id)
    if record.status != "ready":
        return import_detail(import_id, "Esta importação não está pronta para rodar.", 422)
    try:
        service.refuse_duplicate_other(db.session, record)
    except DomainError as failure:
        return import_detail(import_id, failure.message, 422)
    job = start_job(import_job.RUN_KIND, import_id=record.id)
    record.status, record.job_id = "queued", job.id
    return _go("jobs.detail", job_id=job.id)


@bp.route("/imports/<int:import_id>/revert", methods=["POST"])
@require_any(*import_access.ANY_MANAGE)
def import_revert(import_id: int) -> Response:
    record = _record(import_id)
    if not ConfirmForm().validate_on_submit():
        return _expired(import_id)
    if request.form.get("confirm") != "sim":
        return import_detail(import_id, "Marque a confirmação para desfazer a importação.", 422)
    try:
        deleted = service.revert(db.session, current_actor(), record)
    except DomainError as failure:
        db.session.rollback()
        return import_detail(import_id, failure.message, 422)
    flash(
        f"Importação desfeita: {deleted} linha(s) removida(s). O arquivo pode ser importado de novo.",
        "success",
    )
    return _go("finance.import_detail", import_id=import_id)


@bp.route("/imports/<int:import_id>/problemas.xlsx")
@require_any(*import_access.ANY_VIEW)
def import_problems(import_id: int) -> Response:
    record = _record(import_id, manage=False)
    return export_response(
        "xlsx",
        f"importacao-{record.id}-problemas",
        service.PROBLEM_HEADERS,
        service.problem_rows(record),
        "Problemas",
    )
