"""Client registry pages: list (search, keyset pages, export), 360 view, create, edit.

Every record is loaded through `portal.clients.queries` (scoped to the signed-in user), so
a client outside the user's portfolio is a 404 in pages, partials and exports alike.
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.clients import pii, queries, services
from portal.clients.models import AGREEMENT_BASES, Client, ClientStatus, Provenance
from portal.clients.services import DuplicateClient
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.extensions import db
from portal.people.models import Collaborator, User
from portal.people.permissions import Permission, Role
from portal.web.access import current_actor, require
from portal.web.exports import export_response, iter_query
from portal.web.forms import attach_error
from portal.web.htmx import is_htmx, render
from portal.web.sales import bp
from portal.web.sales.client_forms import ClientForm, ConfirmForm, ConsentForm, FullExportForm, LinkForm


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


EXPORT_HEADERS = [
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


def _export(fmt: str, filters: queries.ClientFilters, show, filename: str) -> Response:
    """The filtered list as a file; `show(field, value)` masks or formats personal data."""
    rows = (
        [
            c.id,
            c.name,
            show("cpf", c.cpf),
            show("phone", c.phone),
            show("email", c.email),
            c.city or "",
            c.state or "",
            c.owner.name,
            Provenance(c.provenance).label,
            c.created_at.date(),
            c.last_activity_at.date(),
        ]
        for c in iter_query(queries.filtered_clients(db.session, me(), filters), Client.id)
    )
    return export_response(fmt, filename, EXPORT_HEADERS, rows, "Clientes")


@bp.route("/clients/export.<fmt>")
@require(Permission.CLIENTS_VIEW)
def clients_export(fmt: str) -> Response:
    """The list as on screen: CPF, phone and e-mail masked, for every role."""
    return _export(fmt, _filters(), pii.mask, "clientes")


@bp.route("/clients/export-full", methods=["GET", "POST"])
@require(Permission.PII_EXPORT)
def clients_export_full() -> Response:
    """Full CPF, phone and e-mail: only with the permission and a reason, audited."""
    form = FullExportForm(request.form if request.method == "POST" else request.args)
    filters = queries.ClientFilters(
        q=(form.q.data or "")[: queries.SEARCH_MAX],
        owner_id=parse_int(form.owner.data or ""),
        status=form.status.data if form.status.data in ("active", "anonymised", "all") else "active",
    )
    error = None
    if request.method == "POST" and form.validate():
        try:
            pii.record_full_export(
                db.session,
                current_actor(),
                form.reason.data,
                {
                    "format": form.fmt.data,
                    "search": queries.search_kind(filters.q),
                    "owner": filters.owner_id,
                },
            )
        except DomainError as failure:
            error = attach_error(form, failure)
        else:
            return _export(form.fmt.data, filters, pii.full, "clientes-dados-completos")
    status = 422 if request.method == "POST" else 200
    return render("sales/clients/export_full.html", form=form, error=error, status=status)


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
