"""Job pages: list (own jobs; all with JOBS_ALL), detail, progress partial/JSON,
cancel, download of a generated file, and starting the demo job."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core.jobs import STATUS_LABELS, Job, all_kinds, check_can_cancel, kind_label, request_cancel
from portal.core.jobs import queries as job_queries
from portal.core.jobs.context import job_dir
from portal.core.jobs.execution import sweep_stale
from portal.extensions import db, without_write_lock
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.errors import error_response
from portal.web.exports import export_response, iter_query
from portal.web.htmx import hx_redirect, is_htmx, render
from portal.web.jobs import bp
from portal.web.jobs.forms import CancelForm, DemoJobForm
from portal.web.jobs.helpers import jobs_service, start_job

DEMO_KIND = "demo.recompute"


def _see_all() -> bool:
    return current_user.can(Permission.JOBS_ALL)


def _filters() -> dict[str, object]:
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")[:80]
    return {
        "status": status if status in STATUS_LABELS else "",
        "kind": kind,
        "mine": request.args.get("mine") == "1",
    }


def _load(job_id: int) -> Job:
    return job_queries.get_visible(db.session, job_id, current_user.id, _see_all())


def _load_swept(job_id: int) -> Job:
    """The job, after failing it if its worker died (or no runner picked it up in time),
    so its page stops polling and shows why. A finished job is not swept again (the poll
    of a finished job costs nothing extra); an unfinished one costs two indexed reads,
    and a write only when something is stale."""
    job = _load(job_id)
    if not job.finished and _sweep():
        db.session.refresh(job)  # the sweep updates rows in bulk, not the loaded object
    return job


def _view(job: Job) -> job_queries.ProgressView:
    return job_queries.progress_view(job, jobs_service().runner.live(job.id))


def _can_cancel(job: Job) -> bool:
    live = jobs_service().runner.live(job.id)
    signalled = bool(live and live.cancel_requested)
    return not job.finished and job.actor_id == current_user.id and not job.cancel_requested and not signalled


def _sweep() -> int:
    """Fail stale jobs (never those running in this process); returns how many."""
    service = jobs_service()
    return sweep_stale(db.session, service.env.settings, exclude_ids=service.runner.live_job_ids())


@bp.route("/")
@require(Permission.ACCOUNT)
def index() -> Response:
    _sweep()
    filters = _filters()
    page = job_queries.jobs_page(
        db.session, current_user.id, _see_all(), request.args.get("after"), **filters  # type: ignore[arg-type]
    )
    views = {job.id: _view(job) for job in page.items}
    return render(
        "jobs/list.html",
        block="results",
        page=page,
        views=views,
        filters=filters,
        see_all=_see_all(),
        statuses=STATUS_LABELS,
        kinds=all_kinds(),
        form=DemoJobForm() if current_user.can(Permission.JOBS_DEMO) else None,
    )


@bp.route("/export.<fmt>")
@require(Permission.ACCOUNT)
def export(fmt: str) -> Response:
    stmt = job_queries.jobs_query(current_user.id, _see_all(), **_filters())  # type: ignore[arg-type]
    rows = (
        [
            job.id,
            kind_label(job.kind),
            job.status_enum.label,
            job.progress_done,
            job.progress_total,
            job.actor_label,
            job.created_at,
            job.finished_at,
            job.error or "",
        ]
        for job in iter_query(stmt, Job.id)
    )
    headers = [
        "Nº",
        "Processo",
        "Situação",
        "Feito",
        "Total",
        "Iniciado por",
        "Criado em",
        "Terminado em",
        "Erro",
    ]
    return export_response(fmt, "processos", headers, rows, "Processos")


@bp.route("/demo", methods=["POST"])
@require(Permission.JOBS_DEMO)
def start_demo() -> Response:
    form = DemoJobForm()
    if not form.validate_on_submit():
        message = "; ".join(e for errors in form.errors.values() for e in errors)
        return error_response(422, message or None)
    params: dict[str, object] = {"steps": form.steps.data or 20}
    if form.simulate_failure.data:
        params["fail_at_step"] = max(1, int(params["steps"]) // 2)  # type: ignore[call-overload]
    job = start_job(DEMO_KIND, **params)
    target = url_for("jobs.detail", job_id=job.id)
    return hx_redirect(target) if is_htmx() else redirect(target)


@bp.route("/<int:job_id>")
@require(Permission.ACCOUNT)
def detail(job_id: int) -> Response:
    job = _load_swept(job_id)
    return render(
        "jobs/detail.html", job=job, view=_view(job), can_cancel=_can_cancel(job), cancel_form=CancelForm()
    )


@bp.route("/<int:job_id>/progress")
@require(Permission.ACCOUNT)
def progress(job_id: int) -> Response:
    """The progress partial; it polls itself every second until the job finishes."""
    job = _load_swept(job_id)
    return render(
        "jobs/_progress.html",
        job=job,
        view=_view(job),
        can_cancel=_can_cancel(job),
        cancel_form=CancelForm(),
        oob=True,
    )


@bp.route("/<int:job_id>/progress.json")
@require(Permission.ACCOUNT)
def progress_json(job_id: int) -> Response:
    return jsonify(_view(_load_swept(job_id)).to_json())


@bp.route("/<int:job_id>/cancel", methods=["POST"])
@without_write_lock
@require(Permission.ACCOUNT)
def cancel(job_id: int) -> Response:
    job = _load(job_id)
    form = CancelForm()
    if not form.validate_on_submit():
        return error_response(400)
    service = jobs_service()
    check_can_cancel(job, current_actor())
    signalled = service.runner.signal_cancel(job.id)
    if not (signalled and not service.env.progress_in_db):
        # On SQLite a running job holds the only write lock: the in-memory signal is
        # enough there, and the runner records the cancellation when the job stops.
        request_cancel(db.session, job, current_actor())
    if is_htmx():
        return render(
            "jobs/_progress.html", job=job, view=_view(job), can_cancel=False, cancel_form=CancelForm()
        )
    flash("Cancelamento solicitado.", "info")
    return redirect(url_for("jobs.detail", job_id=job.id))


@bp.route("/<int:job_id>/file")
@require(Permission.ACCOUNT)
def download(job_id: int) -> Response:
    job = _load(job_id)
    name = (job.result or {}).get("file")
    if not job.finished or not name:
        return error_response(404, "Este processo não gerou arquivo.")
    path = job_dir(current_app.config["STORAGE_DIR"], job.id) / name
    if path.name != name or not path.is_file():
        return error_response(404, "O arquivo deste processo não está mais disponível.")
    return send_file(path, as_attachment=True, download_name=name)
