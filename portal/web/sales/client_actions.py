"""Actions on one client (all POST with CSRF, all scoped through `get_client_for`):
reveal a personal field (HTMX partial, audited), add/remove benefit links, record/revoke
consents, download a consent's evidence file."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time
from pathlib import PurePosixPath
from zoneinfo import ZoneInfo

from flask import current_app, flash, redirect, request, send_file, url_for
from werkzeug.wrappers import Response

from portal.clients import consents, pii, queries, services
from portal.clients.consents import EVIDENCE, Evidence
from portal.clients.models import AGREEMENT_BASES, Client
from portal.clients.validation import birth_date as parse_day
from portal.core import audit
from portal.core.db import utcnow
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.htmx import render
from portal.web.sales import bp
from portal.web.sales.client_forms import ConfirmForm, ConsentForm, LinkForm
from portal.web.sales.clients import me

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")


@bp.route("/clients/<int:client_id>/reveal/<field>", methods=["POST"])
@require(Permission.CLIENTS_VIEW, Permission.PII_REVEAL)
def client_reveal(client_id: int, field: str) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    link_id = request.form.get("link_id", "")
    value = pii.reveal(
        db.session, current_actor(), client, field, parse_int(link_id)
    )
    return render("sales/clients/_revealed.html", value=value, label=pii.FIELD_LABELS.get(field, field))


def _detail_with_errors(client: Client, link_form=None, consent_form=None, error=None) -> Response:
    return render(
        "sales/clients/detail.html",
        client=client,
        links=queries.links_of(db.session, client),
        consents=queries.consents_of(db.session, client),
        timeline=queries.timeline_of(db.session, client),
        link_form=link_form or LinkForm(formdata=None),
        consent_form=consent_form or ConsentForm(formdata=None),
        confirm=ConfirmForm(),
        agreements=AGREEMENT_BASES,
        mask=pii.mask,
        error=error,
        open_form="link" if link_form else "consent" if consent_form else None,
        status=422,
    )


def _attach(form, error: DomainError) -> str | None:
    field = getattr(form, error.field or "", None)
    if field is None or not hasattr(field, "errors"):
        return error.message
    field.errors = [*field.errors, error.message]
    return None


@bp.route("/clients/<int:client_id>/links", methods=["POST"])
@require(Permission.CLIENTS_EDIT)
def client_link_add(client_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _detail_with_errors(client, link_form=form)
    try:
        services.add_link(db.session, current_actor(), client, form.to_input())
    except DomainError as error:
        return _detail_with_errors(client, link_form=form, error=_attach(form, error))
    flash("Vínculo adicionado.", "success")
    return redirect(url_for("sales.client_detail", client_id=client.id, _anchor="vinculos"))


@bp.route("/clients/<int:client_id>/links/<int:link_id>/remove", methods=["POST"])
@require(Permission.CLIENTS_EDIT)
def client_link_remove(client_id: int, link_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    if ConfirmForm().validate_on_submit():
        services.remove_link(db.session, current_actor(), client, link_id)
        flash("Vínculo removido.", "success")
    return redirect(url_for("sales.client_detail", client_id=client.id, _anchor="vinculos"))


def _granted_at(raw: str | None) -> datetime | None:
    """A typed day becomes noon (Brasília) of that day; today or blank means now."""
    day = parse_day(raw, utcnow().astimezone(LOCAL_TZ).date()) if raw else None
    if day is None or day == utcnow().astimezone(LOCAL_TZ).date():
        return None
    return datetime.combine(day, time(12), tzinfo=LOCAL_TZ).astimezone(UTC)


@bp.route("/clients/<int:client_id>/consents", methods=["POST"])
@require(Permission.CLIENTS_EDIT)
def client_consent_add(client_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _detail_with_errors(client, consent_form=form)
    upload = form.evidence.data
    evidence = None
    if upload and getattr(upload, "filename", ""):
        evidence = Evidence(upload.filename, upload.read(EVIDENCE.max_bytes + 1))
    try:
        granted_at = _granted_at(form.granted_at.data)
    except DomainError:
        form.granted_at.errors = ["Data da autorização inválida (use dd/mm/aaaa)."]
        return _detail_with_errors(client, consent_form=form)
    try:
        consents.grant_consent(
            db.session,
            current_actor(),
            client,
            purpose=form.purpose.data or "",
            legal_basis=form.legal_basis.data or "",
            channel=form.channel.data or "",
            granted_at=granted_at,
            evidence=evidence,
            storage_dir=current_app.config["STORAGE_DIR"],
        )
    except DomainError as error:
        return _detail_with_errors(client, consent_form=form, error=_attach(form, error))
    flash("Autorização registrada.", "success")
    return redirect(url_for("sales.client_detail", client_id=client.id, _anchor="autorizacoes"))


@bp.route("/clients/<int:client_id>/consents/<int:consent_id>/revoke", methods=["POST"])
@require(Permission.CLIENTS_EDIT)
def client_consent_revoke(client_id: int, consent_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    if ConfirmForm().validate_on_submit():
        consents.revoke_consent(db.session, current_actor(), client, consent_id)
        flash("Autorização revogada.", "success")
    return redirect(url_for("sales.client_detail", client_id=client.id, _anchor="autorizacoes"))


@bp.route("/clients/<int:client_id>/consents/<int:consent_id>/evidence")
@require(Permission.CLIENTS_VIEW)
def client_consent_evidence(client_id: int, consent_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    consent = consents.get_consent(db.session, client, consent_id)
    data = consents.read_evidence(current_app.config["STORAGE_DIR"], consent)
    audit.record(
        db.session,
        current_actor(),
        "client.consent_evidence_viewed",
        f"client:{client.id}",
        {"consent_id": consent.id},
    )
    return send_file(
        io.BytesIO(data),
        mimetype=consent.evidence_mime or "application/octet-stream",
        as_attachment=True,
        download_name=consent.evidence_filename or PurePosixPath(consent.evidence_path or "").name,
    )
