"""Bank lookups and simulations on the client page (HTMX partials under the client URL).

Each view reads and checks inside the request's transaction, ends that read transaction
(`_release_connection`) so no database connection waits on a bank, calls the bank(s), then
records the outcome, which the after-request hook commits. Bank failures are rendered
inside the card (status 200: the page stays whole and the timeline entry is kept).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portal.banks import calls, lookups
from portal.banks.calls import CallOutcome
from portal.banks.types import Capability, Product
from portal.clients import queries
from portal.clients.services import own_collaborator
from portal.commissions import estimates
from portal.core.errors import DomainError
from portal.core.ints import parse_int
from portal.core.money import format_decimal_br, parse_brl
from portal.extensions import db
from portal.people.permissions import Permission
from portal.proposals import submission
from portal.proposals.services import find_by_idempotency_key
from portal.proposals.statuses import Status
from portal.web.access import current_actor, require
from portal.web.bank_names import banks_under_liquidation
from portal.web.bank_store import bank_store
from portal.web.forms import attach_error
from portal.web.htmx import is_htmx, render
from portal.web.sales import bp
from portal.web.sales.bank_forms import SimulationForm, SubmitForm


def _release_connection() -> None:
    """End the read transaction before waiting on a bank (nothing is written yet)."""
    db.session.commit()


@bp.app_context_processor
def _bank_panel_context() -> dict[str, Any]:
    def lookup_banks() -> list[tuple[str, str]]:
        return [(b.code, b.name) for b in lookups.banks_with(db.session, Capability.BENEFIT_QUERY)]

    def offer_commissions(simulation: Any) -> list[Any]:
        """Expected company commission and agent share per option (same order)."""
        collaborator = own_collaborator(db.session, current_user)
        return estimates.offer_commissions(
            db.session, simulation.options, simulation.agreement, collaborator, date.today()
        )

    # Pages warn wherever a bank under liquidation is picked or shown (templates/banks/
    # _liquidation_warning.html): lookups, simulations, proposal details.
    return {
        "lookup_banks": lookup_banks,
        "banks_under_liquidation": banks_under_liquidation,
        "simulation_taken": simulation_taken,
        "offer_commissions": offer_commissions,
    }


def simulation_taken(simulation: Any) -> tuple[Any, str]:
    """The proposal already made from `simulation` (one per simulation) and why the other
    offers can no longer be submitted; (None, "") while none was."""
    proposal = find_by_idempotency_key(db.session, simulation.idempotency_key)
    if proposal is None:
        return None, ""
    names = {o["bank"]: o.get("bank_name") or o["bank"] for o in simulation.outcomes}
    bank = names.get(proposal.bank_code, proposal.bank_code)
    if proposal.status == Status.SIMULATED:
        return proposal, f"Digitação em andamento no banco {bank}."
    number = proposal.bank_proposal_number or proposal.id
    return proposal, (
        f"Esta simulação já foi digitada no banco {bank} (proposta nº {number}, "
        f"{proposal.status_label}). Para outra proposta, faça uma nova simulação."
    )


@bp.route("/clients/<int:client_id>/lookups/<bank>", methods=["POST"])
@require(Permission.BANK_LOOKUP)
def client_lookup(client_id: int, bank: str) -> Response:
    client = queries.get_client_for(db.session, current_user, client_id)
    collaborator = own_collaborator(db.session, current_user)
    plan = lookups.plan_margin_lookup(db.session, client, bank, bank_store(), collaborator)
    if isinstance(plan, CallOutcome):
        outcome = plan
    else:
        _release_connection()
        outcome = plan.run()
    lookups.record_lookup(db.session, current_actor(), client, outcome)
    if is_htmx():
        return render("banks/_margin_card.html", outcome=outcome, client=client)
    return render("banks/lookup_page.html", outcome=outcome, client=client)


def _simulation_form(client: Any) -> tuple[SimulationForm, list[tuple[str, str]]]:
    form = SimulationForm()
    links = queries.links_of(db.session, client)
    form.benefit_link_id.choices = [SelectChoice("", "Automático")] + [
        SelectChoice(str(link.id), f"{link.agreement} · {link.benefit_kind or ''}".strip(" ·"))
        for link in links
    ]
    banks = [(b.code, b.name) for b in lookups.banks_with(db.session, Capability.SIMULATE)]
    form.banks.choices = [SelectChoice(code, name) for code, name in banks]
    return form, banks


def _input(form: SimulationForm) -> lookups.SimulationInput:
    def money(field: Any) -> Any:
        raw = (field.data or "").strip()
        if not raw:
            return None
        try:
            return parse_brl(raw)
        except ValueError:
            raise DomainError("Valor inválido, ex.: 5.000,00", field=field.name) from None

    term = parse_int(form.term_months.data, max_value=999)
    if term is None:
        raise DomainError("Informe o prazo em meses, ex.: 84", field="term_months")
    return lookups.SimulationInput(
        product=Product(form.product.data),
        term_months=term,
        benefit_link_id=_benefit_link_id(form),
        requested_amount=money(form.requested_amount) if form.mode.data == "amount" else None,
        installment=money(form.installment) if form.mode.data == "installment" else None,
        benefit_granted_on=form.benefit_granted_on.data,
        banks=tuple(form.banks.data or ()),
    )


def _benefit_link_id(form: SimulationForm) -> int | None:
    """The chosen benefit link ("" = automatic); anything else than an id is refused."""
    raw = (form.benefit_link_id.data or "").strip()
    if not raw:
        return None
    link_id = parse_int(raw)
    if link_id is None:
        raise DomainError("Escolha um benefício ou vínculo da lista.", field="benefit_link_id")
    return link_id


@bp.route("/clients/<int:client_id>/simulate", methods=["GET", "POST"])
@require(Permission.BANK_LOOKUP)
def client_simulate(client_id: int) -> Response:
    client = queries.get_client_for(db.session, current_user, client_id)
    form, banks = _simulation_form(client)
    if request.method == "GET":
        form.banks.data = [code for code, _ in banks]
        return render("banks/simulate.html", client=client, form=form, simulation=None, error=None)
    error = None
    if form.validate_on_submit():
        try:
            simulation = _run_simulation(client, form)
        except DomainError as exc:
            db.session.rollback()
            error = attach_error(form, exc)
        else:
            if is_htmx():
                return render(
                    "banks/simulate.html",
                    block="workspace",
                    client=client,
                    form=form,
                    simulation=simulation,
                    error=None,
                )
            return redirect(
                url_for("sales.client_simulation", client_id=client.id, simulation_id=simulation.id)
            )
    return render(
        "banks/simulate.html",
        block="workspace",
        client=client,
        form=form,
        simulation=None,
        error=error,
        status=422,
    )


def _run_simulation(client: Any, form: SimulationForm) -> Any:
    today = date.today()
    data = _input(form)
    collaborator = own_collaborator(db.session, current_user)
    agreement, plans, refused = lookups.plan_simulation(
        db.session, client, data, bank_store(), collaborator, today
    )
    _release_connection()
    outcomes = refused + calls.run_concurrently([plan.run for plan in plans])
    return lookups.record_simulation(
        db.session, current_actor(), client, data, agreement, outcomes, today, current_user.id
    )


@bp.route("/clients/<int:client_id>/simulations/<int:simulation_id>")
@require(Permission.BANK_LOOKUP)
def client_simulation(client_id: int, simulation_id: int) -> Response:
    client = queries.get_client_for(db.session, current_user, client_id)
    simulation = lookups.get_simulation(db.session, client, simulation_id)
    form, _ = _simulation_form(client)
    # The form shows what was simulated (nothing the agent typed is lost on reload).
    form.product.data = simulation.product
    form.term_months.data = str(simulation.term_months)
    form.benefit_link_id.data = str(simulation.benefit_link_id or "")
    form.mode.data = "installment" if simulation.installment is not None else "amount"
    form.requested_amount.data = (
        format_decimal_br(simulation.requested_amount) if simulation.requested_amount else ""
    )
    form.installment.data = format_decimal_br(simulation.installment) if simulation.installment else ""
    form.banks.data = [o["bank"] for o in simulation.outcomes]
    return render("banks/simulate.html", client=client, form=form, simulation=simulation, error=None)


@bp.route("/clients/<int:client_id>/proposals", methods=["POST"])
@require(Permission.PROPOSAL_SUBMIT)
def client_submit(client_id: int) -> Response:
    """Digitar proposta from a stored simulation option (same simulation -> same proposal)."""
    client = queries.get_client_for(db.session, current_user, client_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        raise DomainError("Formulário inválido: recarregue a página e tente de novo.")
    simulation_id, option = parse_int(form.simulation_id.data), parse_int(form.option.data)
    if simulation_id is None or option is None:
        raise DomainError("Formulário inválido: recarregue a página e tente de novo.")
    simulation = lookups.get_simulation(db.session, client, simulation_id)
    collaborator = own_collaborator(db.session, current_user)
    try:
        plan = submission.start_submission(
            db.session,
            current_actor(),
            client,
            collaborator,
            simulation,
            option,
            bank_store(),
            date.today(),
        )
        # Write-ahead: the proposal (status "simulated") is committed before the bank is
        # called, so nothing the agent chose is lost whatever happens during the call.
        db.session.commit()
    except IntegrityError:  # a concurrent click wrote the same idempotency key first
        db.session.rollback()
        proposal = find_by_idempotency_key(db.session, simulation.idempotency_key)
        plan = submission.SubmissionPlan(
            proposal, None, "Digitação em andamento: aguarde a resposta do banco."  # type: ignore[arg-type]
        )
    except DomainError as error:
        db.session.rollback()
        return _submission_result(client, simulation, None, error.message, 422)
    message = plan.message
    if plan.call is not None:
        answer = submission.run_call(plan)
        message = submission.finish_submission(db.session, current_actor(), client, plan.proposal, answer)
    return _submission_result(client, simulation, plan.proposal, message, 200)


def _submission_result(
    client: Any, simulation: Any, proposal: Any, message: str | None, status: int
) -> Response:
    """HTMX: the simulation's offers again (the other banks' buttons now disabled, with
    the reason) and the outcome under them; otherwise the outcome page."""
    if is_htmx():
        return render(
            "banks/simulate.html",
            block="results",
            client=client,
            simulation=simulation,
            submission={"proposal": proposal, "message": message},
            status=status,
        )
    return render(
        "banks/submission_page.html", client=client, proposal=proposal, message=message, status=status
    )
