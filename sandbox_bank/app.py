"""The sandbox WSGI application: every bank dialect under its prefix plus ``/_sandbox`` controls."""

from __future__ import annotations

import html
import logging
import threading
from dataclasses import fields
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule, Submount
from werkzeug.serving import run_simple
from werkzeug.wrappers import Request, Response

from sandbox_bank import c6, daycoval, facta, master, scenarios
from sandbox_bank.core import FLOWS, SandboxConfig, SandboxState, json_response, read_json

logger = logging.getLogger("sandbox_bank")
BANKS = ("facta", "daycoval", "c6", "master")


def health(state: SandboxState, request: Request) -> Response:
    return json_response({"status": "ok", "banks": list(BANKS)})


def calls(state: SandboxState, request: Request) -> Response:
    with state.lock:
        counted = dict(state.calls)
    return json_response({"calls": counted})


def configure(state: SandboxState, request: Request) -> Response:
    """Change knobs at run time, e.g. point webhooks at a test receiver."""
    body = read_json(request)
    names = {f.name for f in fields(SandboxConfig)}
    unknown = sorted(set(body) - names)
    if unknown:
        return json_response({"erro": f"opções desconhecidas: {', '.join(unknown)}"}, 400)
    for name, value in body.items():
        setattr(state.config, name, float(value) if name.endswith("_s") else value)
    return json_response({"status": "ok"})


def _proposal_json(proposal: Any) -> dict[str, Any]:
    return {
        "bank": proposal.bank,
        "number": proposal.number,
        "status": proposal.status,
        "history": [
            {"status": status, "at": at.isoformat(), "detail": detail}
            for status, at, detail in proposal.history
        ],
    }


def seed_proposal(state: SandboxState, request: Request) -> Response:
    """Create a proposal directly (banks whose submission the portal does not use)."""
    body = read_json(request)
    bank, cpf = str(body.get("bank", "")), str(body.get("cpf", ""))
    if bank not in FLOWS or not scenarios.is_valid_cpf(cpf):
        return json_response({"erro": "banco ou CPF inválido"}, 400)
    proposal, _ = state.create_proposal(bank, cpf, body.get("idempotency_key"), {"seeded": True})
    return json_response(_proposal_json(proposal), 201)


def find_proposal(state: SandboxState, request: Request) -> Response:
    """Look a proposal up by ``bank`` and ``idempotency_key`` (what a reconciliation would do)."""
    key = (request.args.get("bank", ""), request.args.get("idempotency_key", ""))
    with state.lock:
        number = state.idempotency.get(key)
        proposal = state.proposals.get(number) if number else None
    if proposal is None:
        return json_response({"erro": "proposta não encontrada"}, 404)
    return json_response(_proposal_json(proposal))


def show_proposal(state: SandboxState, request: Request, number: str) -> Response:
    with state.lock:
        proposal = state.proposals.get(number)
    if proposal is None:
        return json_response({"erro": "proposta não encontrada"}, 404)
    return json_response(_proposal_json(proposal))


def advance(state: SandboxState, request: Request, number: str) -> Response:
    proposal = state.advance(number)
    if proposal is None:
        return json_response({"erro": "proposta não encontrada"}, 404)
    return json_response(_proposal_json(proposal))


def set_status(state: SandboxState, request: Request, number: str) -> Response:
    body = read_json(request)
    status = str(body.get("status", "")).strip()
    if not status:
        return json_response({"erro": "informe o status"}, 400)
    proposal = state.set_status(number, status, str(body.get("detail", "")))
    if proposal is None:
        return json_response({"erro": "proposta não encontrada"}, 404)
    return json_response(_proposal_json(proposal))


def deliveries(state: SandboxState, request: Request) -> Response:
    with state.lock:
        return json_response({"deliveries": list(state.deliveries)})


def signing_page(state: SandboxState, request: Request, bank: str, reference: str) -> Response:
    """What the client would see when opening a signing/authorization link."""
    text = html.escape(f"{bank.upper()} (sandbox): assinatura/autorização {reference}")
    page = f"<!doctype html><html lang=pt-BR><meta charset=utf-8><h1>{text}</h1></html>"
    return Response(page, content_type="text/html; charset=utf-8")


CONTROL_RULES = [
    Rule("/_sandbox/health", methods=["GET"], endpoint=health),
    Rule("/_sandbox/calls", methods=["GET"], endpoint=calls),
    Rule("/_sandbox/config", methods=["POST"], endpoint=configure),
    Rule("/_sandbox/proposals", methods=["POST"], endpoint=seed_proposal),
    Rule("/_sandbox/proposals", methods=["GET"], endpoint=find_proposal),
    Rule("/_sandbox/proposals/<number>", methods=["GET"], endpoint=show_proposal),
    Rule("/_sandbox/proposals/<number>/advance", methods=["POST"], endpoint=advance),
    Rule("/_sandbox/proposals/<number>/status", methods=["POST"], endpoint=set_status),
    Rule("/_sandbox/webhooks", methods=["GET"], endpoint=deliveries),
    Rule(
        "/<any(facta, daycoval, c6, master):bank>/<any(formalizacao, autorizar):kind_>/<reference>",
        methods=["GET"],
        endpoint=lambda state, request, bank, kind_, reference: signing_page(
            state, request, bank, reference
        ),
    ),
]


class SandboxApp:
    """WSGI callable; `state` is exposed for in-process use and `close()` stops waits."""

    def __init__(self, config: SandboxConfig) -> None:
        self.state = SandboxState(config)
        self.url_map = Map(
            [
                *(rule.empty() for rule in CONTROL_RULES),  # rules bind to one map only
                Submount("/facta", facta.RULES),
                Submount("/daycoval", daycoval.RULES),
                Submount("/c6", c6.RULES),
                Submount("/master", master.RULES),
            ]
        )
        if config.auto_advance_s > 0:
            threading.Thread(target=self._auto_advance, daemon=True).start()

    def _auto_advance(self) -> None:
        while not self.state.stop.wait(self.state.config.auto_advance_s):
            self.state.advance_all()

    def close(self) -> None:
        """Wake every sleeping request and stop background threads."""
        self.state.stop.set()

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            rule, values = adapter.match(return_rule=True)
        except NotFound:
            return json_response({"erro": "rota não encontrada"}, 404)
        except MethodNotAllowed:
            return json_response({"erro": "método não permitido"}, 405)
        except HTTPException as exc:  # redirects for trailing slashes and the like
            return exc.get_response(request.environ)
        if not rule.rule.startswith("/_sandbox"):
            with self.state.lock:
                self.state.calls[f"{request.method} {rule.rule}"] += 1
        try:
            return rule.endpoint(self.state, request, **values)
        except Exception:
            logger.exception("sandbox handler failed")
            return json_response({"erro": "falha interna do sandbox"}, 500)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        response = self.dispatch(Request(environ))
        return response(environ, start_response)


def serve(
    app: SandboxApp, host: str = "127.0.0.1", port: int = 8099, *, access_log: bool = False
) -> None:
    """Serve the sandbox until interrupted (threaded, so slow scenarios block nobody else).

    Request lines carry CPFs in some dialects' paths, so werkzeug's access log stays off
    unless `access_log` is set. Used by ``python -m sandbox_bank`` and by CLI wrappers.
    """
    logging.getLogger("werkzeug").setLevel(logging.INFO if access_log else logging.WARNING)
    logger.info("sandbox bank on http://%s:%d (%s)", host, port, ", ".join(BANKS))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        app.close()


def create_sandbox_app(config: SandboxConfig | None = None, **options: Any) -> SandboxApp:
    """Build the sandbox bank; `options` override `SandboxConfig` fields."""
    config = config or SandboxConfig()
    for name, value in options.items():
        setattr(config, name, value)
    return SandboxApp(config)
