"""Request hooks: one commit per request, security headers, idle timeout, forced password
change, forced MFA enrolment for the roles that require it."""

from __future__ import annotations

import time

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.people import mfa, sessions
from portal.web.htmx import hx_redirect, is_htmx

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# `last_seen` in the cookie moves in steps of this many seconds: rewriting it on every page
# would re-sign and resend the session cookie on every response. An idle session may thus
# end up to one step early, never late.
LAST_SEEN_STEP = 60

# Endpoints a user with a temporary password may still reach.
_PASSWORD_CHANGE_ALLOWED = {"auth.change_password", "auth.logout", "static", "api.healthz"}
# Endpoints a user of an MFA role may reach before enrolling.
_MFA_ENROLMENT_ALLOWED = {"auth.mfa_setup", "auth.change_password", "auth.logout", "static", "api.healthz"}


def end_session() -> None:
    """Revoke this browser's server-side record and forget the cookie's contents."""
    token = session.get("sid")
    if isinstance(token, str):
        sessions.registry().revoke(db.session, token)
    logout_user()
    session.clear()


def keep_writes() -> None:
    """Commit this request's writes even though the response is an error status
    (e.g. the audit entry of a failed login)."""
    g.keep_writes = True


def _finish_transaction(response: Response) -> Response:
    session_ = db.session
    if response.status_code < 400 or g.get("keep_writes"):
        session_.commit()
    else:
        session_.rollback()
    return response


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        headers.setdefault("Cache-Control", "no-store")
    if headers.get("Content-Disposition", "").startswith("attachment"):
        # Downloads (documents, evidence, exports) hold personal data: never kept by the
        # browser or a proxy, whatever `send_file` proposed ("no-cache" still stores).
        headers["Cache-Control"] = "no-store"
    return response


def _enforce_idle_timeout() -> Response | None:
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    limit = int(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    last_seen = session.get("last_seen")
    if last_seen is not None and now - int(last_seen) > limit:
        # No write here (a page view stays a read): the server-side record expires on
        # its own after the same idle time.
        logout_user()
        session.clear()
        session["expired"] = True
        target = url_for("auth.login")
        return hx_redirect(target) if is_htmx() else redirect(target)
    if last_seen is None or now - int(last_seen) >= LAST_SEEN_STEP:
        session["last_seen"] = now
    return None


def _enforce_password_change() -> Response | None:
    if (
        current_user.is_authenticated
        and current_user.must_change_password
        and request.endpoint not in _PASSWORD_CHANGE_ALLOWED
    ):
        target = url_for("auth.change_password")
        return hx_redirect(target) if is_htmx() else redirect(target)
    return None


def _enforce_mfa_enrolment() -> Response | None:
    if (
        current_user.is_authenticated
        and mfa.needs_enrolment(current_user)
        and request.endpoint not in _MFA_ENROLMENT_ALLOWED
    ):
        target = url_for("auth.mfa_setup")
        return hx_redirect(target) if is_htmx() else redirect(target)
    return None


def register_security_hooks(app: Flask) -> None:
    @app.before_request
    def _before() -> Response | None:
        if request.endpoint == "static":
            return None
        return _enforce_idle_timeout() or _enforce_password_change() or _enforce_mfa_enrolment()

    app.after_request(_finish_transaction)
    app.after_request(_security_headers)
