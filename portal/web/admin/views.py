"""User administration: list, export, create, deactivate, reactivate, reset password."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.core.errors import DomainError
from portal.extensions import db
from portal.people import mfa, queries, services
from portal.people.models import User
from portal.people.permissions import ROLE_LABELS, Permission, Role
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.admin.forms import ConfirmForm, UserForm
from portal.web.admin.health_views import health_checks
from portal.web.exports import export_response, iter_query
from portal.web.htmx import render


def _filters() -> dict[str, str]:
    return {
        "search": request.args.get("q", "")[:100],
        "role": request.args.get("role", "") if request.args.get("role") in ROLE_LABELS else "",
        "active": request.args.get("active", ""),
    }


@bp.route("/")
@require(Permission.ADMIN)
def index() -> Response:
    """The admin home opens on the system's health checks (details on /admin/health)."""
    return render("admin/index.html", checks=health_checks())


@bp.route("/users")
@require(Permission.USERS_MANAGE)
def users() -> Response:
    filters = _filters()
    page = queries.users_page(db.session, request.args.get("after"), **filters)  # type: ignore[arg-type]
    return render("admin/users.html", block="results", page=page, filters=filters, roles=ROLE_LABELS)


@bp.route("/users/export.<fmt>")
@require(Permission.USERS_MANAGE)
def users_export(fmt: str) -> Response:
    rows = (
        [u.id, u.name, u.email, Role(u.role).label, "Sim" if u.active else "Não", u.created_at.date()]
        for u in iter_query(queries.users_query(**_filters()), User.id)
    )
    headers = ["ID", "Nome", "E-mail", "Perfil", "Ativo", "Criado em"]
    return export_response(fmt, "usuarios", headers, rows, "Usuários")


@bp.route("/users/new", methods=["GET", "POST"])
@require(Permission.USERS_MANAGE)
def user_new() -> Response:
    form = UserForm()
    if form.validate_on_submit():
        try:
            user, temporary = services.create_user(
                db.session,
                current_actor(),
                email=form.email.data,
                name=form.name.data,
                role=form.role.data,
                active=form.active.data,
            )
        except DomainError as error:
            field = getattr(form, error.field or "", None)
            if field is not None:
                field.errors = [*field.errors, error.message]
            return render(
                "admin/user_form.html", form=form, error=None if field else error.message, status=422
            )
        flash(
            f"Usuário {user.email} criado. Senha temporária (mostrada uma única vez): {temporary}", "warning"
        )
        return redirect(url_for("admin.user_detail", user_id=user.id))
    status = 422 if request.method == "POST" else 200
    return render("admin/user_form.html", form=form, error=None, status=status)


@bp.route("/users/<int:user_id>")
@require(Permission.USERS_MANAGE)
def user_detail(user_id: int) -> Response:
    user = services.get_user(db.session, user_id)
    return render("admin/user_detail.html", user=user, form=ConfirmForm())


def _user_action(user_id: int, action: str) -> Response:
    user = services.get_user(db.session, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.user_detail", user_id=user_id))
    try:
        if action == "deactivate":
            services.deactivate_user(db.session, current_actor(), user)
            flash(f"Usuário {user.email} desativado.", "success")
        elif action == "activate":
            services.activate_user(db.session, current_actor(), user)
            flash(f"Usuário {user.email} reativado.", "success")
        elif action == "reset_mfa":
            mfa.reset(db.session, current_actor(), user)
            flash(
                f"Verificação em duas etapas de {user.email} redefinida; as sessões dele foram encerradas.",
                "success",
            )
        else:
            temporary = services.reset_password(db.session, current_actor(), user)
            flash(
                f"Senha de {user.email} redefinida. Senha temporária (mostrada uma única vez): {temporary}",
                "warning",
            )
    except DomainError as error:
        return render("admin/user_detail.html", user=user, form=form, error=error.message, status=422)
    return redirect(url_for("admin.user_detail", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@require(Permission.USERS_MANAGE)
def user_deactivate(user_id: int) -> Response:
    return _user_action(user_id, "deactivate")


@bp.route("/users/<int:user_id>/activate", methods=["POST"])
@require(Permission.USERS_MANAGE)
def user_activate(user_id: int) -> Response:
    return _user_action(user_id, "activate")


@bp.route("/users/<int:user_id>/reset-mfa", methods=["POST"])
@require(Permission.USERS_MANAGE)
def user_reset_mfa(user_id: int) -> Response:
    return _user_action(user_id, "reset_mfa")


@bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
@require(Permission.USERS_MANAGE)
def user_reset_password(user_id: int) -> Response:
    return _user_action(user_id, "reset")
