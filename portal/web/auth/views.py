"""Login with throttling and audit, logout, own password change."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import services
from portal.people.permissions import HOME_AREA, Permission, Role
from portal.web.access import client_ip, current_actor, public, require
from portal.web.auth import bp
from portal.web.auth.forms import ChangePasswordForm, LoginForm
from portal.web.forms import attach_error
from portal.web.htmx import render
from portal.web.security import keep_writes

BLOCKED_MESSAGE = "Muitas tentativas de login sem sucesso. Aguarde 15 minutos e tente novamente."


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
    if throttle.is_blocked(email, ip):
        audit.record(db.session, current_actor(), "login.blocked", f"email:{email[:150]}")
        keep_writes()
        return _login_page(form, BLOCKED_MESSAGE, 429)
    result = services.authenticate(db.session, email, form.password.data, ip)
    if result.user is None:
        throttle.register_failure(email, ip)
        keep_writes()
        return _login_page(form, result.error, 401)
    target = _safe_next(request.args.get("next"))
    session.clear()  # a fresh session at every login: nothing carried over
    login_user(result.user)
    session["last_seen"] = int(time.time())
    return redirect(target or home_url())


@bp.route("/logout", methods=["POST"])
@require(Permission.ACCOUNT)
def logout() -> Response:
    audit.record(db.session, current_actor(), "logout", f"user:{current_user.id}")
    logout_user()
    session.clear()
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
