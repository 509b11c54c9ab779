"""Certifications (add, revoke, evidence download) and bank operator codes of a
collaborator. Writes need PEOPLE_MANAGE; the evidence is served to whoever may see
the collaborator."""

from __future__ import annotations

import io
from pathlib import PurePosixPath

from flask import flash, redirect, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import certifications, collaborators, operator_codes
from portal.people.certifications import EvidenceUpload
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.bank_names import registered_banks
from portal.web.forms import attach_error
from portal.web.people import bp
from portal.web.people.collaborator_views import detail_page
from portal.web.people.common import storage_dir
from portal.web.people.forms import CertificationForm, ConfirmForm, OperatorCodeForm


def _back(collaborator_id: int) -> Response:
    return redirect(url_for("people.collaborator_detail", collaborator_id=collaborator_id))


@bp.route("/collaborators/<int:collaborator_id>/certifications", methods=["POST"])
@require(Permission.PEOPLE_MANAGE)
def certification_add(collaborator_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    form = CertificationForm()
    if not form.validate_on_submit():
        return detail_page(collaborator, 422, cert=form)
    upload = form.evidence.data
    evidence = EvidenceUpload(upload.filename or "", upload.stream) if upload and upload.filename else None
    try:
        certifications.add_certification(
            db.session,
            current_actor(),
            collaborator,
            issuer=form.issuer.data,
            number=form.number.data,
            issued_on=form.issued_on.data,
            expires_on=form.expires_on.data,
            evidence=evidence,
            storage_dir=storage_dir(),
        )
    except DomainError as error:
        return detail_page(collaborator, 422, attach_error(form, error), cert=form)
    flash("Certificação registrada.", "success")
    return _back(collaborator.id)


@bp.route(
    "/collaborators/<int:collaborator_id>/certifications/<int:certification_id>/revoke", methods=["POST"]
)
@require(Permission.PEOPLE_MANAGE)
def certification_revoke(collaborator_id: int, certification_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    cert = certifications.get_certification(db.session, collaborator, certification_id)
    if not ConfirmForm().validate_on_submit():
        return _back(collaborator.id)
    try:
        certifications.revoke_certification(db.session, current_actor(), cert)
    except DomainError as error:
        return detail_page(collaborator, 422, error.message)
    flash("Certificação revogada.", "success")
    return _back(collaborator.id)


@bp.route("/collaborators/<int:collaborator_id>/certifications/<int:certification_id>/evidence")
@require(Permission.PEOPLE_VIEW)
def certification_evidence(collaborator_id: int, certification_id: int) -> Response:
    collaborator = collaborators.get_visible_collaborator(db.session, current_user, collaborator_id)
    cert = certifications.get_certification(db.session, collaborator, certification_id)
    data = certifications.read_evidence(cert, storage_dir())
    audit.record(
        db.session,
        current_actor(),
        "certification.evidence_downloaded",
        f"collaborator:{collaborator.id}",
        {"certification": cert.id},
    )
    return send_file(
        io.BytesIO(data),
        mimetype=cert.evidence_content_type,
        as_attachment=True,
        download_name=cert.evidence_filename or PurePosixPath(cert.evidence_path or "").name,
    )


@bp.route("/collaborators/<int:collaborator_id>/operator-codes", methods=["POST"])
@require(Permission.PEOPLE_MANAGE)
def operator_code_save(collaborator_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    form = OperatorCodeForm()
    if not form.validate_on_submit():
        return detail_page(collaborator, 422, code=form)
    try:
        operator_codes.set_operator_code(
            db.session,
            current_actor(),
            collaborator,
            bank_code=form.bank_code.data,
            operator_code=form.operator_code.data,
            banks=registered_banks(),
            secret=form.secret.data or None,
            clear_secret=form.clear_secret.data,
        )
    except DomainError as error:
        return detail_page(collaborator, 422, attach_error(form, error), code=form)
    flash("Código de operador salvo.", "success")
    return _back(collaborator.id)


@bp.route("/collaborators/<int:collaborator_id>/operator-codes/<int:code_id>/delete", methods=["POST"])
@require(Permission.PEOPLE_MANAGE)
def operator_code_delete(collaborator_id: int, code_id: int) -> Response:
    collaborator = collaborators.get_collaborator(db.session, collaborator_id)
    record = operator_codes.get_operator_code(db.session, collaborator, code_id)
    if ConfirmForm().validate_on_submit():
        operator_codes.delete_operator_code(db.session, current_actor(), record)
        flash("Código de operador removido.", "success")
    return _back(collaborator.id)
