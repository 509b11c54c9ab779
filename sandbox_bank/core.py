"""Sandbox state and helpers shared by every dialect: tokens, proposals, scenarios, pricing,
webhooks, and the small pieces of request handling the dialects have in common."""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import wraps
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from portal.banks.cet import add_months, cet_of_gross
from portal.banks.rules import default_value
from portal.banks.webhooks import signed_headers
from sandbox_bank import scenarios

CENT = Decimal("0.01")

# Bank status strings in the order a healthy proposal goes through them.
FLOWS: dict[str, list[str]] = {
    "facta": [
        "AGUARDANDO ASSINATURA DIGITAL",
        "ASSINADO",
        "EM ANALISE",
        "AGUARDA AVERBACAO",
        "AVERBADO",
        "PAGO",
    ],
    "daycoval": [
        "AGUARDANDO ASSINATURA",
        "EM ANALISE",
        "AGUARDANDO AVERBACAO",
        "AVERBADA",
        "INTEGRADA",
    ],
    "c6": ["AGUARDANDO_ASSINATURA", "ASSINADA", "EM_ANALISE", "APROVADA", "DESEMBOLSADA"],
    "master": ["AGUARDANDO_FORMALIZACAO", "EM_ANALISE", "AVERBADA", "PAGA"],
}
MONTHLY_RATES = {"facta": "1.79", "daycoval": "1.76", "c6": "3.19", "master": "1.85"}
TOKEN_LIFETIMES = {"facta": 3600, "c6": 1200, "master": 3600}


@dataclass
class SandboxConfig:
    """Knobs of one sandbox process (delays shortened by tests)."""

    slow_delay_s: float = 5.0
    timeout_delay_s: float = 30.0
    webhook_url: str | None = None
    webhook_secret: str | None = None
    auto_advance_s: float = 0.0
    public_url: str = "http://127.0.0.1:8099"
    # A whole-bank fault for every gated call, whatever the CPF (fault tests flap it):
    # None (normal), "error" (HTTP 500) or "timeout" (held for `timeout_delay_s`).
    fault_mode: str | None = None


@dataclass
class Proposal:
    """A proposal registered at the sandbox bank."""

    bank: str
    number: str
    cpf: str
    status: str
    history: list[tuple[str, datetime, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def updated_at(self) -> datetime:
        return self.history[-1][1]


def json_response(data: Any, status: int = 200) -> Response:
    """A JSON answer (Decimals written as numbers)."""
    body = json.dumps(data, default=_encode, ensure_ascii=False)
    return Response(body, status=status, content_type="application/json; charset=utf-8")


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def read_json(request: Request) -> Any:
    """The request's JSON body (decimals exact), or {} when absent or invalid."""
    try:
        return json.loads(request.get_data() or b"{}", parse_float=Decimal)
    except ValueError:
        return {}


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


Endpoint = Callable[..., Response]
Check = Callable[["SandboxState", Request], Response | None]


def guarded(check: Check) -> Callable[[Endpoint], Endpoint]:
    """Answer the dialect's refusal from `check` (bad token, missing headers) before the
    endpoint runs; for endpoints whose request carries no client CPF."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @wraps(endpoint)
        def checked(state: SandboxState, request: Request, **values: Any) -> Response:
            return check(state, request) or endpoint(state, request, **values)

        return checked

    return decorate


def iso_arg(request: Request, name: str) -> datetime | None:
    """The query argument `name` read as an ISO-8601 moment, or None when absent or invalid."""
    try:
        return datetime.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def status_row(
    proposal: Proposal,
    number: str,
    status: str,
    at: str,
    detail: str,
    when: Callable[[datetime], str] = datetime.isoformat,
) -> dict[str, Any]:
    """The proposal's latest status under the dialect's field names (`when` writes the time)."""
    return {
        number: proposal.number,
        status: proposal.status,
        at: when(proposal.updated_at),
        detail: proposal.history[-1][2],
    }


def loan_terms(
    body: dict[str, Any],
    fields: tuple[str, str, str],
    read: Callable[[Any], Decimal],
    max_term: int,
) -> tuple[int, Decimal | None, Decimal | None]:
    """Term plus either the amount or the installment asked for in a simulation.

    `fields` names them (term, amount, installment) in the dialect and `read` reads its
    numbers. Raises ValueError with the pt-BR reason when they cannot be used.
    """
    term_field, amount_field, installment_field = fields
    try:
        term = int(body.get(term_field, 0))
        amount = read(body[amount_field]) if amount_field in body else None
        installment = read(body[installment_field]) if installment_field in body else None
    except (ValueError, InvalidOperation):
        raise ValueError("Valores inválidos") from None
    if not 0 < term <= max_term or (amount is None) == (installment is None):
        raise ValueError("Informe prazo e valor ou parcela")
    return term, amount, installment


class SandboxState:
    """Everything the sandbox remembers, guarded by one lock."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.stop = threading.Event()
        self.calls: Counter[str] = Counter()
        self.tokens: dict[str, dict[str, Any]] = {}
        self.survivor_pending: set[str] = set()
        self.proposals: dict[str, Proposal] = {}
        self.idempotency: dict[tuple[str, str], str] = {}
        self.records: dict[str, dict[str, Any]] = {}  # simulations, plans, clients by id
        self.deliveries: list[dict[str, Any]] = []
        self._numbers = itertools.count(1001)

    # --- scenario gate ------------------------------------------------------------------
    def wait(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        self.stop.wait(seconds)

    def gate(self, cpf: str | None) -> Response | None:
        """Apply transport behaviours (slow, timeout, 500, malformed) for a CPF, or the
        whole-bank `fault_mode` when one is set."""
        scenario = {"error": "http_500", "timeout": "timeout"}.get(self.config.fault_mode or "")
        scenario = scenario or scenarios.scenario_for(cpf)
        if scenario == "slow":
            self.wait(self.config.slow_delay_s)
        elif scenario == "timeout":
            self.wait(self.config.timeout_delay_s)
        elif scenario == "http_500":
            return Response("Internal Server Error", status=500, content_type="text/html")
        elif scenario == "malformed":
            return Response('{"erro": false, "dados": {"margem', content_type="application/json")
        return None

    # --- tokens -------------------------------------------------------------------------
    def issue_token(self, bank: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(24)
        with self.lock:
            survives = bank in self.survivor_pending
            self.survivor_pending.discard(bank)
            self.tokens[token] = {
                "bank": bank,
                "issued": time.time(),
                "expired": False,
                "survives": survives,
            }
        return token, TOKEN_LIFETIMES[bank]

    def token_problem(self, bank: str, request: Request, cpf: str | None = None) -> str | None:
        """None when the Bearer token is good; otherwise why it is refused."""
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else ""
        with self.lock:
            info = self.tokens.get(token)
            if info is None or info["bank"] != bank:
                return "Token inválido"
            if info["expired"] or time.time() > info["issued"] + TOKEN_LIFETIMES[bank]:
                return "Token expirado"
            if scenarios.scenario_for(cpf) == "expired_token" and not info["survives"]:
                info["expired"] = True
                self.survivor_pending.add(bank)
                return "Token expirado"
        return None

    # --- records and proposals ----------------------------------------------------------
    def remember(self, record: dict[str, Any]) -> str:
        record_id = uuid.uuid4().hex[:12]
        with self.lock:
            self.records[record_id] = record
        return record_id

    def record(self, record_id: str) -> dict[str, Any] | None:
        with self.lock:
            return self.records.get(record_id)

    def create_proposal(
        self, bank: str, cpf: str, key: str | None, data: dict[str, Any]
    ) -> tuple[Proposal, bool]:
        """Register a proposal; the same idempotency key answers the same proposal."""
        with self.lock:
            if key and (bank, key) in self.idempotency:
                return self.proposals[self.idempotency[(bank, key)]], False
            prefix = {"facta": "AF", "daycoval": "DC", "c6": "C6", "master": "BM"}[bank]
            number = f"{prefix}{next(self._numbers):07d}"
            status = FLOWS[bank][0]
            proposal = Proposal(bank, number, scenarios.only_digits(cpf), status, data=data)
            proposal.history.append((status, now_utc(), "Proposta recebida"))
            self.proposals[number] = proposal
            if key:
                self.idempotency[(bank, key)] = number
            return proposal, True

    def submit(self, bank: str, cpf: str, key: str | None, data: dict[str, Any]) -> tuple[Proposal, bool]:
        """A submission from the portal: register it, then play the scenario that holds the
        answer past the client's timeout although the proposal was registered."""
        proposal, created = self.create_proposal(bank, cpf, key, data)
        if scenarios.scenario_for(cpf) == "accepted_then_timeout":
            self.wait(self.config.timeout_delay_s)
        return proposal, created

    def by_key(self, bank: str, key: str) -> Proposal | None:
        """The proposal registered with this idempotency key at `bank`, if any."""
        with self.lock:
            number = self.idempotency.get((bank, key)) if key else None
            return self.proposals.get(number) if number else None

    def proposal(self, bank: str, number: str) -> Proposal | None:
        with self.lock:
            found = self.proposals.get(number)
        return found if found is not None and found.bank == bank else None

    def changed_since(self, bank: str, since: datetime) -> list[Proposal]:
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        with self.lock:
            return [p for p in self.proposals.values() if p.bank == bank and p.updated_at >= since]

    def set_status(self, number: str, status: str, detail: str = "") -> Proposal | None:
        with self.lock:
            proposal = self.proposals.get(number)
            if proposal is None:
                return None
            proposal.status = status
            proposal.history.append((status, now_utc(), detail or status))
        self.notify(proposal)
        return proposal

    def advance(self, number: str) -> Proposal | None:
        """Move to the next status of the bank's flow (no change at the end of it)."""
        with self.lock:
            proposal = self.proposals.get(number)
            if proposal is None:
                return None
            flow = FLOWS[proposal.bank]
            position = flow.index(proposal.status) if proposal.status in flow else len(flow) - 1
            if position + 1 >= len(flow):
                return proposal
        return self.set_status(number, flow[position + 1])

    def advance_all(self) -> None:
        with self.lock:
            numbers = list(self.proposals)
        for number in numbers:
            self.advance(number)

    # --- webhooks -----------------------------------------------------------------------
    def notify(self, proposal: Proposal) -> None:
        """POST a signed webhook in the bank's dialect, in the background, when configured."""
        from sandbox_bank.webhook_bodies import webhook_body

        body = webhook_body(proposal)
        url, secret = self.config.webhook_url, self.config.webhook_secret
        if body is None or not url or not secret:
            return
        # "{bank}" in the URL is replaced (e.g. ".../api/banks/{bank}/webhook"); otherwise
        # the bank code is appended as the last path segment.
        if "{bank}" in url:
            target = url.replace("{bank}", proposal.bank)
        else:
            target = f"{url.rstrip('/')}/{proposal.bank}"
        thread = threading.Thread(target=self._deliver, args=(target, secret, body, proposal), daemon=True)
        thread.start()

    def _deliver(self, url: str, secret: str, body: bytes, proposal: Proposal) -> None:
        event_id = uuid.uuid4().hex
        outcome: dict[str, Any] = {"bank": proposal.bank, "number": proposal.number}
        for attempt in range(3):
            headers = signed_headers(secret, body, event_id, time.time())
            try:
                answer = requests.post(url, data=body, headers=headers, timeout=(2, 5))
                outcome.update(status=answer.status_code, attempts=attempt + 1)
                if answer.status_code < 500:
                    break
            except requests.RequestException as exc:
                outcome.update(error=type(exc).__name__, attempts=attempt + 1)
            self.wait(0.5 * (attempt + 1))
        with self.lock:
            self.deliveries.append(outcome)


def price(
    bank: str,
    term: int,
    amount: Decimal | None,
    installment: Decimal | None,
    rate_pct: Decimal | None = None,
) -> dict[str, Decimal]:
    """Price-table (French) loan: from the amount or the installment, at the bank's rate."""
    rate = (rate_pct if rate_pct is not None else Decimal(MONTHLY_RATES[bank])) / 100
    factor = rate / (1 - (1 + rate) ** -term)
    if amount is not None:
        gross = amount.quantize(CENT)
        payment = (gross * factor).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        payment = Decimal(installment or 0).quantize(CENT)
        gross = (payment / factor).quantize(CENT, rounding=ROUND_HALF_UP)
    # CET as banks show it: the IOF financed into the gross comes out of what the client
    # receives (released today, first installment in a month).
    today = date.today()
    _iof, cet_annual = cet_of_gross(
        gross, payment, rate * 100, today, add_months(today, 1), term,
        default_value("iof_daily_pct"), default_value("iof_flat_pct"),
    )  # fmt: skip
    return {
        "gross": gross,
        "installment": payment,
        "rate": (rate * 100).quantize(CENT),
        "cet_annual": cet_annual,
        "factor": factor.quantize(Decimal("0.000001")),
    }
