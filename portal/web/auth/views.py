"""Login (password, then the second factor when enrolled) with throttling and audit,
logout, own password change."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user
from werkzeug.wrappers import Response

from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import mfa, services, sessions
from portal.people.models import User
from portal.people.permissions import HOME_AREA, Permission, Role
from portal.web.access import client_ip, current_actor, public, require
from portal.web.auth import bp
from portal.web.auth.forms import ChangePasswordForm, LoginForm, MfaCodeForm
from portal.web.forms import attach_error
from portal.web.htmx import render
from portal.web.security import end_session, keep_writes

MFA_PENDING_SECONDS = 5 * 60


def blocked_message(wait_seconds: int) -> str:
    wait = f"{wait_seconds} s" if wait_seconds < 120 else f"{(wait_seconds + 59) // 60} min"
    return f"Muitas tentativas de login sem sucesso. Aguarde {wait} e tente novamente."


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths; anything else could be an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_url() -> str:
    return url_for(f"{HOME_AREA[Role(current_user.role)]}.index")


@bp.route("/")
@require(Permission.ACCOUNT)
def home() -> Response:
    return redirect(home_url())


def _login_page(form: LoginForm, error: str | None = None, status: int = 200) -> Response:
    expired = session.pop("expired", False)
    return render("auth/login.html", form=form, error=error, expired=expired, status=status)


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Response:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(home_url())
    form = LoginForm()
    if request.method == "GET" or not form.validate_on_submit():
        return _login_page(form, status=200 if request.method == "GET" else 422)
    throttle = current_app.extensions["athenas.throttle"]
    email, ip = form.email.data.strip().lower(), client_ip()
    verdict = throttle.check(email, ip)
    if not verdict.allowed:
        audit.record(
            db.session, current_actor(), "login.blocked", f"email:{email[:150]}", {"reason": verdict.reason}
        )
        keep_writes()
        return _login_page(form, blocked_message(verdict.wait_seconds), 429)
    result = services.authenticate(db.session, email, form.password.data, ip)
    if result.user is None:
        throttle.register_failure(email, ip)
        keep_writes()
        return _login_page(form, result.error, 401)
    throttle.register_success(email, ip)
    target = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session at every login: nothing carried over
    if result.user.mfa_enabled:
        # Not signed in yet: the second factor decides.
        session["mfa_pending"] = {
            "uid": result.user.id,
            "v": result.user.auth_version,
            "next": target,
            "at": int(time.time()),
        }
        return redirect(url_for("auth.login_mfa"))
    return _sign_in(result.user, target)


def _sign_in(user: User, target: str | None) -> Response:
    """Open the session: Flask-Login's cookie plus the server-side record it must match."""
    login_user(user)
    session["sid"] = sessions.registry().open(
        db.session, user.id, client_ip(), request.headers.get("User-Agent")
    )
    session["last_seen"] = int(time.time())
    return redirect(target or home_url())


def _pending_user() -> tuple[User | None, dict]:
    pending = session.get("mfa_pending")
    if not isinstance(pending, dict) or int(time.time()) - int(pending.get("at", 0)) > MFA_PENDING_SECONDS:
        return None, {}
    user = db.session.get(User, int(pending.get("uid", 0)))
    if user is None or not user.active or user.auth_version != pending.get("v") or not user.mfa_enabled:
        return None, {}
    return user, pending


@bp.route("/login/mfa", methods=["GET", "POST"])
@public
def login_mfa() -> Response:
    """Second step: a code from the authenticator app, or one recovery code."""
    user, pending = _pending_user()
    if user is None:
        session.pop("mfa_pending", None)
        flash("Entre com seu e-mail e senha.", "info")
        return redirect(url_for("auth.login"))
    form = MfaCodeForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render("auth/login_mfa.html", form=form, status=200 if request.method == "GET" else 422)
    throttle = current_app.extensions["athenas.throttle"]
    ip = client_ip()
    verdict = throttle.check(user.email, ip)
    if not verdict.allowed:
        keep_writes()
        error = blocked_message(verdict.wait_seconds)
        return render("auth/login_mfa.html", form=form, error=error, status=429)
    actor = Actor(id=user.id, label=user.email, ip=ip)
    if not mfa.verify(db.session, actor, user, form.code.data):
        throttle.register_failure(user.email, ip)
        audit.record(db.session, actor, "login.mfa_failed", f"user:{user.id}")
        keep_writes()
        return render("auth/login_mfa.html", form=form, error=mfa.INVALID_CODE, status=401)
    throttle.register_success(user.email, ip)
    session.pop("mfa_pending", None)
    audit.record(db.session, actor, "login.mfa_succeeded", f"user:{user.id}")
    return _sign_in(user, pending.get("next"))


@bp.route("/logout", methods=["POST"])
@require(Permission.ACCOUNT)
def logout() -> Response:
    audit.record(db.session, current_actor(), "logout", f"user:{current_user.id}")
    end_session()
    flash("Você saiu do Athenas.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@require(Permission.ACCOUNT)
def change_password() -> Response:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                current_actor(),
                current_user._get_current_object(),
                form.current_password.data,
                form.password.data,
                form.confirm.data,
                keep_session=session.get("sid"),
            )
        except DomainError as error:
            message = attach_error(form, error)
            return render("auth/change_password.html", form=form, error=message, status=422)
        # auth_version changed: keep this session valid with the new id.
        login_user(current_user._get_current_object())
        flash("Senha alterada com sucesso.", "success")
        return redirect(home_url())
    status = 422 if request.method == "POST" else 200
    return render("auth/change_password.html", form=form, status=status)
