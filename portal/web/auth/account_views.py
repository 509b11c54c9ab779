"""The user's own account: active sessions (end the others) and second-factor enrolment."""

from __future__ import annotations

import re

import segno
from flask import flash, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import mfa, sessions
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.auth import bp
from portal.web.auth.forms import MfaCodeForm
from portal.web.htmx import render

_KEY = re.compile(r"^[0-9a-f]{64}$")
_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [("Android", "Android"), ("iPhone", "iPhone"), ("iPad", "iPad"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux")]  # fmt: skip


def describe_device(user_agent: str | None) -> str:
    """ "Chrome no Windows" from a User-Agent header; "Dispositivo desconhecido" otherwise."""
    ua = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in ua), None)
    system = next((name for marker, name in _SYSTEMS if marker in ua), None)
    if browser and system:
        return f"{browser} no {system}"
    return browser or system or "Dispositivo desconhecido"


@bp.route("/account/")
@require(Permission.ACCOUNT)
def account() -> Response:
    active = sessions.registry().active(db.session, current_user.id)
    token = session.get("sid")
    current_key = sessions.session_key(token) if isinstance(token, str) else None
    rows = [(s, describe_device(s.user_agent), s.key == current_key) for s in active]
    return render(
        "auth/account.html",
        rows=rows,
        form=MfaCodeForm(),
        mfa_required=mfa.is_required(current_user),
        recovery_left=mfa.recovery_codes_left(current_user),
    )


@bp.route("/account/sessions/end-others", methods=["POST"])
@require(Permission.ACCOUNT)
def end_other_sessions() -> Response:
    token = session.get("sid")
    ended = sessions.registry().revoke_user(db.session, current_user.id, keep_token=token)
    _audit_end(f"{ended}")
    flash("Outras sessões encerradas." if ended else "Não havia outras sessões ativas.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/<key>/end", methods=["POST"])
@require(Permission.ACCOUNT)
def end_one_session(key: str) -> Response:
    if not _KEY.match(key) or not sessions.registry().revoke_key(db.session, current_user.id, key):
        flash("Sessão não encontrada ou já encerrada.", "warning")
    else:
        _audit_end("1")
        flash("Sessão encerrada.", "success")
    return redirect(url_for("auth.account"))


def _audit_end(count: str) -> None:
    from portal.core import audit

    audit.record(
        db.session, current_actor(), "user.sessions_ended", f"user:{current_user.id}", {"count": count}
    )


def _qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn here (no external service sees the secret)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#212529", light="#ffffff")


@bp.route("/account/mfa", methods=["GET", "POST"])
@require(Permission.ACCOUNT)
def mfa_setup() -> Response:
    """Enrol an authenticator app: scan the QR code, confirm one code, keep the recovery codes."""
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return render("auth/mfa_active.html", recovery_left=mfa.recovery_codes_left(user))
    secret = session.get("mfa_setup_secret")
    if not isinstance(secret, str):
        secret = session["mfa_setup_secret"] = mfa.new_secret()
    form = MfaCodeForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            codes = mfa.confirm_enrolment(db.session, current_actor(), user, secret, form.code.data)
        except DomainError as failure:
            error = failure.message
        else:
            session.pop("mfa_setup_secret", None)
            return render("auth/mfa_recovery_codes.html", codes=codes)
    uri = mfa.provisioning_uri(user, secret)
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        "auth/mfa_setup.html",
        form=form,
        error=error,
        qr_svg=_qr_svg(uri),
        secret=grouped,
        required=mfa.is_required(user),
        status=422 if request.method == "POST" else 200,
    )
