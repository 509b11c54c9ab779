"""Client registry pages: list (search, keyset pages, export), 360 view, create, edit.

Every record is loaded through `portal.clients.queries` (scoped to the signed-in user), so
a client outside the user's portfolio is a 404 in pages, partials and exports alike.
"""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.clients import pii, queries, services
from portal.clients.models import AGREEMENT_BASES, Client, ClientStatus, Provenance
from portal.clients.services import DuplicateClient
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.models import Collaborator, User
from portal.people.permissions import Permission, Role
from portal.web.access import current_actor, require
from portal.web.exports import export_response, iter_query
from portal.web.htmx import is_htmx, render
from portal.web.sales import bp
from portal.web.sales.client_forms import ClientForm, ConfirmForm, ConsentForm, LinkForm


def me() -> User:
    return current_user._get_current_object()


def _filters() -> queries.ClientFilters:
    owner = request.args.get("owner", "")
    status = request.args.get("status", ClientStatus.ACTIVE.value)
    return queries.ClientFilters(
        q=request.args.get("q", "")[: queries.SEARCH_MAX],
        owner_id=parse_int(owner),
        status=status if status in ("active", "anonymised", "all") else "active",
    )


def _owner_choices(user: User) -> list[SelectChoice]:
    # Only id and name: loading whole collaborators would decrypt their CPFs for nothing.
    stmt = services.assignable_owners(db.session, user).with_only_columns(Collaborator.id, Collaborator.name)
    return [SelectChoice(str(owner_id), name) for owner_id, name in db.session.execute(stmt)]


@bp.route("/clients")
@require(Permission.CLIENTS_VIEW)
def clients() -> Response:
    filters = _filters()
    page = queries.clients_page(db.session, me(), filters, request.args.get("after"))
    # The owner filter is part of the full page only, not of the HTMX results block.
    owners = [] if is_htmx() or Role(me().role) == Role.AGENT else _owner_choices(me())
    return render(
        "sales/clients/list.html", block="results", page=page, filters=filters, owners=owners, mask=pii.mask
    )


@bp.route("/clients/export.<fmt>")
@require(Permission.CLIENTS_VIEW)
def clients_export(fmt: str) -> Response:
    user = me()
    reveal = user.can(Permission.PII_REVEAL)
    show = pii.full if reveal else pii.mask
    if reveal and fmt in ("csv", "xlsx"):
        audit.record(
            db.session,
            current_actor(),
            "client.exported",
            "clients",
            {"format": fmt, "revealed": True, "search": queries.search_kind(_filters().q)},
        )
    rows = (
        [
            c.id,
            c.name,
            show("cpf", c.cpf),
            show("phone", c.phone),
            c.email or "",
            c.city or "",
            c.state or "",
            c.owner.name,
            Provenance(c.provenance).label,
            c.created_at.date(),
            c.last_activity_at.date(),
        ]
        for c in iter_query(queries.filtered_clients(db.session, user, _filters()), Client.id)
    )
    headers = [
        "ID",
        "Nome",
        "CPF",
        "Celular",
        "E-mail",
        "Cidade",
        "UF",
        "Corretor",
        "Origem",
        "Cadastrado em",
        "Última atividade",
    ]
    return export_response(fmt, "clientes", headers, rows, "Clientes")


def _form_page(
    form: ClientForm, client: Client | None, status: int = 200, duplicate=None, error: str | None = None
) -> Response:
    return render(
        "sales/clients/form.html",
        form=form,
        client=client,
        duplicate=duplicate,
        error=error,
        show_owner=bool(form.owner_id.choices),
        mask=pii.mask,
        status=status,
    )


def _prepare(form: ClientForm) -> None:
    if Role(me().role) != Role.AGENT:
        form.owner_id.choices = [SelectChoice("", "Selecione…"), *_owner_choices(me())]


def _field_error(form: ClientForm, error: DomainError) -> str | None:
    """Attach each message to its field (one per field); return those no field can show."""
    loose = []
    for one in getattr(error, "errors", [error]):
        field = getattr(form, one.field or "", None)
        if field is not None and field.errors:
            continue  # the form's own check already speaks for this field
        if field is None or not hasattr(field, "errors"):
            loose.append(one.message)
        else:
            field.errors = [*field.errors, one.message]
    return " ".join(loose) or None


@bp.route("/clients/new", methods=["GET", "POST"])
@require(Permission.CLIENTS_EDIT)
def client_new() -> Response:
    form = ClientForm()
    _prepare(form)
    if request.method == "GET":
        return _form_page(form, None)
    if form.validate_on_submit():
        try:
            client = services.create_client(
                db.session, current_actor(), me(), form.to_input(), owner_id=form.owner()
            )
        except DuplicateClient as duplicate:
            form.cpf.errors = [duplicate.message]
            return _form_page(form, None, 422, duplicate)
        except DomainError as error:
            return _form_page(form, None, 422, error=_field_error(form, error))
        flash("Cliente cadastrado.", "success")
        return redirect(url_for("sales.client_detail", client_id=client.id))
    return _form_page(form, None, 422, error=_business_errors(form))


def _business_errors(form: ClientForm) -> str | None:
    """The form's own checks failed: add the business checks of the other fields so the
    user sees every problem in one submit."""
    if getattr(getattr(form, "csrf_token", None), "errors", None):
        return None
    try:
        services.check_client_input(form.to_input(), date.today())
    except DomainError as error:
        return _field_error(form, error)
    return None


@bp.route("/clients/<int:client_id>")
@require(Permission.CLIENTS_VIEW)
def client_detail(client_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    return render(
        "sales/clients/detail.html",
        client=client,
        links=queries.links_of(db.session, client),
        consents=queries.consents_of(db.session, client),
        timeline=queries.timeline_of(db.session, client),
        link_form=LinkForm(formdata=None),
        consent_form=ConsentForm(formdata=None),
        confirm=ConfirmForm(),
        agreements=AGREEMENT_BASES,
        mask=pii.mask,
    )


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
@require(Permission.CLIENTS_EDIT)
def client_edit(client_id: int) -> Response:
    client = queries.get_client_for(db.session, me(), client_id)
    if client.is_anonymised:
        raise DomainError("Cliente anonimizado: os dados não podem mais ser alterados.")
    form = ClientForm(obj=None if request.method == "POST" else _as_form_data(client))
    _prepare(form)
    if request.method == "GET":
        return _form_page(form, client)
    if form.validate_on_submit():
        data = form.to_input()
        # Phones are never sent to the browser in full: blank means "keep the current one".
        data.phone = data.phone or client.phone or ""
        data.phone_alt = data.phone_alt or client.phone_alt or ""
        try:
            services.update_client(db.session, current_actor(), me(), client, data, owner_id=form.owner())
        except DomainError as error:
            return _form_page(form, client, 422, error=_field_error(form, error))
        flash("Dados do cliente atualizados.", "success")
        return redirect(url_for("sales.client_detail", client_id=client.id))
    return _form_page(form, client, 422)


class _Values:
    """Pre-fills the edit form with the stored (decrypted, formatted) values."""

    def __init__(self, client: Client) -> None:
        for name in services.ClientInput.__dataclass_fields__:
            setattr(self, name, getattr(client, name, None) or "")
        self.cpf = ""
        self.phone = ""  # masked in the placeholder; typed anew to change
        self.phone_alt = ""
        self.birth_date = client.birth_date.strftime("%d/%m/%Y") if client.birth_date else ""
        self.cep = f"{client.cep[:5]}-{client.cep[5:]}" if client.cep else ""
        self.owner_id = str(client.owner_id)


def _as_form_data(client: Client) -> _Values:
    return _Values(client)
