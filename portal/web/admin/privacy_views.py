"""LGPD console (/admin/privacy): data-subject report (JSON and PDF), anonymisation,
retention review. Clients are loaded through the clients scoping rule like everywhere."""

from __future__ import annotations

import json
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from portal.clients import pii, privacy, queries
from portal.clients.models import Client
from portal.clients.validation import cpf as clean_cpf
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.core.pagination import keyset_page
from portal.core.pdf import render_pdf
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import retention
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render


class LookupForm(FlaskForm):
    cpf = StringField("CPF do titular", validators=[Length(max=20, message="Máximo de 20 caracteres.")])


class AnonymiseForm(FlaskForm):
    confirmation = StringField("Digite ANONIMIZAR para confirmar", validators=[Length(max=20)])


class RetentionForm(FlaskForm):
    years = StringField("Anos sem atividade", validators=[Length(max=3)])


def _years() -> int:
    raw = request.values.get("years", "")
    years = parse_int(raw, max_value=10_000)
    return privacy.check_years(privacy.DEFAULT_RETENTION_YEARS if years is None else years)


def _client(client_id: int) -> Client:
    return queries.get_client_for(db.session, current_user._get_current_object(), client_id)


@bp.route("/privacy", methods=["GET"])
@require(Permission.PRIVACY_MANAGE)
def privacy_index() -> Response:
    return render("admin/privacy/index.html", form=LookupForm(formdata=None), not_found=False)


@bp.route("/privacy/lookup", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_lookup() -> Response:
    form = LookupForm()
    if form.validate_on_submit():
        try:
            digits = clean_cpf(form.cpf.data)
        except DomainError as error:
            form.cpf.errors = [error.message]
        else:
            found = queries.find_by_cpf(db.session, digits)
            if found is not None:
                return redirect(url_for("admin.privacy_subject", client_id=_client(found.id).id))
            return render("admin/privacy/index.html", form=form, not_found=True)
    return render("admin/privacy/index.html", form=form, not_found=False, status=422)


def _subject_page(client: Client, form: AnonymiseForm, status: int = 200, error: str | None = None):
    return render(
        "admin/privacy/subject.html",
        client=client,
        links=queries.links_of(db.session, client),
        consents=queries.consents_of(db.session, client),
        holds=retention.holds_on(db.session, client, date.today()),
        form=form,
        mask=pii.mask,
        error=error,
        status=status,
    )


@bp.route("/privacy/clients/<int:client_id>")
@require(Permission.PRIVACY_MANAGE)
def privacy_subject(client_id: int) -> Response:
    return _subject_page(_client(client_id), AnonymiseForm(formdata=None))


@bp.route("/privacy/clients/<int:client_id>/report.json")
@require(Permission.PRIVACY_MANAGE)
def privacy_report_json(client_id: int) -> Response:
    client = _client(client_id)
    privacy.record_report(db.session, current_actor(), client, "json")
    data = privacy.subject_data(db.session, client)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="titular-{client.id}.json"'
    return response


@bp.route("/privacy/clients/<int:client_id>/report.pdf")
@require(Permission.PRIVACY_MANAGE)
def privacy_report_pdf(client_id: int) -> Response:
    client = _client(client_id)
    privacy.record_report(db.session, current_actor(), client, "pdf")
    data = privacy.subject_data(db.session, client)
    html = render_template("admin/privacy/report_pdf.html", data=data)
    response = Response(render_pdf(html), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="titular-{client.id}.pdf"'
    return response


@bp.route("/privacy/clients/<int:client_id>/anonymise", methods=["POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_anonymise(client_id: int) -> Response:
    client = _client(client_id)
    form = AnonymiseForm()
    if not form.validate_on_submit() or (form.confirmation.data or "").strip().upper() != "ANONIMIZAR":
        form.confirmation.errors = ["Digite ANONIMIZAR para confirmar a operação irreversível."]
        return _subject_page(client, form, status=422)
    try:
        pseudonym = retention.anonymise_client(
            db.session, current_actor(), client, current_app.config["STORAGE_DIR"], date.today()
        )
    except DomainError as error:
        return _subject_page(client, form, status=422, error=error.message)
    flash(f"Dados pessoais anonimizados. O registro segue como pseudônimo #{pseudonym}.", "success")
    return redirect(url_for("admin.privacy_subject", client_id=client.id))


@bp.route("/privacy/retention", methods=["GET", "POST"])
@require(Permission.PRIVACY_MANAGE)
def privacy_retention() -> Response:
    form = RetentionForm()
    try:
        years = _years()
    except DomainError as error:
        form.years.errors = [error.message]
        years = privacy.DEFAULT_RETENTION_YEARS
        return _retention_page(form, years, status=422)
    if request.method == "POST":
        if form.validate_on_submit():
            count = retention.flag_inactive_clients(db.session, years, date.today(), current_actor())
            flash(f"{count} cliente(s) marcado(s) para revisão por inatividade de {years} ano(s).", "success")
        return redirect(url_for("admin.privacy_retention", years=years))
    return _retention_page(form, years)


def _retention_page(form: RetentionForm, years: int, status: int = 200) -> Response:
    stmt = retention.inactive_clients(years, date.today())
    page = keyset_page(db.session, stmt, [Client.id], request.args.get("after"), 50)
    return render(
        "admin/privacy/retention.html", block="results", form=form, years=years, page=page, status=status
    )


@bp.route("/privacy/retention/export.<fmt>")
@require(Permission.PRIVACY_MANAGE)
def privacy_retention_export(fmt: str) -> Response:
    years = _years()
    rows = (
        [
            c.id,
            c.name,
            c.last_activity_at.date(),
            c.retention_flagged_at.date() if c.retention_flagged_at else "",
        ]
        for c in iter_query(retention.inactive_clients(years, date.today()), Client.id)
    )
    headers = ["ID", "Nome", "Última atividade", "Marcado em"]
    return export_response(fmt, f"clientes-inativos-{years}-anos", headers, rows, "Retenção")
