"""Bank settings (credentials write-only) and effective-dated regulatory parameters."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from portal.banks import queries, rules
from portal.banks import service as banks
from portal.banks.models import Bank, RegulatoryParameter
from portal.core import formats
from portal.core.errors import DomainError
from portal.core.money import parse_decimal_br
from portal.core.pagination import keyset_page
from portal.extensions import db
from portal.people.permissions import Permission
from portal.web.access import current_actor, require
from portal.web.admin import bp
from portal.web.admin.forms import BankForm, ParameterForm
from portal.web.exports import export_response, iter_query
from portal.web.filters import local_today
from portal.web.forms import attach_error
from portal.web.htmx import render


def _bank_filters() -> dict[str, str]:
    enabled = request.args.get("enabled", "")
    return {"enabled": enabled if enabled in ("1", "0") else ""}


@bp.route("/banks")
@require(Permission.BANKS_MANAGE)
def banks_list() -> Response:
    filters = _bank_filters()
    page = keyset_page(db.session, queries.banks_query(**filters), [Bank.id], request.args.get("after"), 50)
    return render(
        "admin/banks.html", block="results", page=page, filters=filters, labels=banks.CAPABILITY_CHOICES
    )


@bp.route("/banks/export.<fmt>")
@require(Permission.BANKS_MANAGE)
def banks_export(fmt: str) -> Response:
    rows = (
        [
            b.code,
            b.name,
            b.base_url,
            "Sim" if b.enabled else "Não",
            ", ".join(banks.CAPABILITY_CHOICES[c] for c in sorted(b.capability_set)),
            formats.compact_number(b.connect_timeout),
            formats.compact_number(b.read_timeout),
            "Sim" if b.credentials else "Não",
            "Sim" if b.under_liquidation else "Não",
        ]
        for b in iter_query(queries.banks_query(**_bank_filters()), Bank.id)
    )
    headers = [
        "Código",
        "Banco",
        "Endereço da API",
        "Ativo",
        "Capacidades",
        "Conexão (s)",
        "Resposta (s)",
        "Credenciais cadastradas",
        "Em liquidação",
    ]
    return export_response(fmt, "bancos", headers, rows, "Bancos")


def _number(value: float) -> str:
    return formats.compact_number(value).replace(".", "")


@bp.route("/banks/<code>", methods=["GET", "POST"])
@require(Permission.BANKS_MANAGE)
def bank_edit(code: str) -> Response:
    bank = banks.get_bank(db.session, code)
    form = BankForm()
    if request.method == "GET":
        form.name.data = bank.name
        form.base_url.data = bank.base_url
        form.enabled.data = bank.enabled
        form.under_liquidation.data = bank.under_liquidation
        form.capabilities.data = [c.value for c in bank.capability_set]
        form.connect_timeout.data = _number(bank.connect_timeout)
        form.read_timeout.data = _number(bank.read_timeout)
        form.breaker_threshold.data = str(bank.breaker_threshold)
        form.breaker_cooldown_s.data = _number(bank.breaker_cooldown_s)
    elif form.validate_on_submit():
        try:
            banks.update_bank(
                db.session,
                current_actor(),
                bank,
                {
                    "name": form.name.data,
                    "base_url": form.base_url.data or "",
                    "enabled": form.enabled.data,
                    "under_liquidation": form.under_liquidation.data,
                    "capabilities": form.capabilities.data or [],
                    "connect_timeout": form.connect_timeout.data,
                    "read_timeout": form.read_timeout.data,
                    "breaker_threshold": form.breaker_threshold.data,
                    "breaker_cooldown_s": form.breaker_cooldown_s.data,
                    "credentials": form.credentials.data,
                    "webhook_secret": form.webhook_secret.data,
                },
            )
        except DomainError as error:
            db.session.rollback()
            message = attach_error(form, error)
            return _bank_form(bank, form, message, 422)
        flash(f"Configurações do banco {bank.name} salvas.", "success")
        return redirect(url_for("admin.bank_edit", code=bank.code))
    status = 422 if request.method == "POST" else 200
    return _bank_form(bank, form, None, status)


def _bank_form(bank: Bank, form: BankForm, error: str | None, status: int) -> Response:
    # Secrets are write-only: whatever was typed is not sent back to the browser.
    form.credentials.data = ""
    form.webhook_secret.data = ""
    return render("admin/bank_form.html", bank=bank, form=form, error=error, status=status)


def _parameter_filters() -> dict[str, str]:
    name = request.args.get("name", "")
    return {"name": name if name in rules.PARAMETERS else ""}


@bp.route("/parameters")
@require(Permission.PARAMETERS_MANAGE)
def parameters() -> Response:
    filters = _parameter_filters()
    page = keyset_page(
        db.session,
        queries.parameters_query(**filters),
        [RegulatoryParameter.id],
        request.args.get("after"),
        50,
        descending=True,
    )
    return render(
        "admin/parameters.html",
        block="results",
        page=page,
        filters=filters,
        specs=rules.PARAMETERS,
        format_value=rules.format_value,
        today=date.today(),
    )


@bp.route("/parameters/export.<fmt>")
@require(Permission.PARAMETERS_MANAGE)
def parameters_export(fmt: str) -> Response:
    rows = (
        [
            rules.PARAMETERS[p.name].label if p.name in rules.PARAMETERS else p.name,
            rules.format_value(p.name, p.value) if p.name in rules.PARAMETERS else str(p.value),
            p.valid_from,
            p.valid_to,
            p.note,
            p.created_by,
        ]
        for p in iter_query(queries.parameters_query(**_parameter_filters()), RegulatoryParameter.id)
    )
    headers = [
        "Parâmetro",
        "Valor",
        "Vigente desde",
        "Vigente até (exclusive)",
        "Fundamento",
        "Cadastrado por",
    ]
    return export_response(fmt, "parametros-regulatorios", headers, rows, "Parâmetros")


@bp.route("/parameters/new", methods=["GET", "POST"])
@require(Permission.PARAMETERS_MANAGE)
def parameter_new() -> Response:
    form = ParameterForm()
    if request.method == "GET" and request.args.get("name") in rules.PARAMETERS:
        form.name.data = request.args["name"]
    if form.validate_on_submit():
        try:
            try:
                value = parse_decimal_br(form.value.data)
            except ValueError as exc:
                raise DomainError("Informe um número, ex.: 1,85", field="value") from exc
            rules.add_version(
                db.session,
                current_actor(),
                form.name.data,
                value,
                form.valid_from.data,
                form.note.data or "",
                today=local_today(),
            )
        except DomainError as error:
            db.session.rollback()
            message = attach_error(form, error)
            return render("admin/parameter_form.html", form=form, error=message, status=422)
        flash("Nova versão do parâmetro cadastrada.", "success")
        return redirect(url_for("admin.parameters", name=form.name.data))
    status = 422 if request.method == "POST" else 200
    return render("admin/parameter_form.html", form=form, error=None, status=status)
