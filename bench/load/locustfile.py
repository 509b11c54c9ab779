"""Locust users of the load suite: one class per role, doing what that role does.

Run by bench/load/run.py (`make bench-load`); reads the plan written by prepare.py from
ATHENAS_LOAD_PLAN. Each user signs in through the real login (password, then the TOTP code
for finance and managers), keeps its session cookie, reads the CSRF token from the page's
<meta> like the browser and sends it as HTMX does (X-CSRFToken, HX-Request) or in the form.
Every class also opens the baseline page (an authenticated page with one `SELECT 1`), so
the report can compare each page with it under the same load.

A response counts as an error when its status is not 2xx/3xx or when it lacks what the
user came for (the margin card, the offers, the proposal, the moved status, …).
ATHENAS_LOAD_MAX_REQUESTS stops the run after that many requests (a bound besides time).
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
from pathlib import Path

import accounts
import pyotp
import requests
from gevent import GreenletExit
from locust import HttpUser, between, events, task
from locust.runners import Runner

PLAN = json.loads(Path(os.environ["ATHENAS_LOAD_PLAN"]).read_text(encoding="utf-8"))
BASELINE_PATH = os.environ.get("ATHENAS_LOAD_BASELINE_PATH", "/bench/select1")
BASELINE_NAME = "SELECT 1 (página base)"
MAX_REQUESTS = int(os.environ.get("ATHENAS_LOAD_MAX_REQUESTS", "100000"))
# A request still unanswered after this long fails as a timeout (what a person would call it).
TIMEOUT = float(os.environ.get("ATHENAS_LOAD_TIMEOUT", "30"))
LOOKUP_BANKS = ["facta", "daycoval", "c6", "master"]
SIMULATION_BANKS = ["facta", "daycoval", "c6"]
# Statuses operations works on and the ones they move proposals out of.
OPEN_STATUSES = [
    "submitted",
    "waiting_signature",
    "signed",
    "under_analysis",
    "pending",
    "awaiting_endorsement",
]
MOVABLE = ["submitted", "waiting_signature", "under_analysis"]
LIST_BANKS = ["", "facta", "daycoval", "c6", "master", "bradesco"]

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
CLIENT_LINK = re.compile(r'href="/sales/clients/(\d+)"')
PROPOSAL_LINK = re.compile(r'href="/operations/proposals/(\d+)"')
OFFER = re.compile(r'name="simulation_id" value="(\d+)">\s*<input type="hidden" name="option" value="(\d+)"')
MOVE_FORM = re.compile(r'data-testid="move-form">(.*?)</form>', re.S)
VERSION = re.compile(r'name="version" value="(\d+)"')
TARGETS = re.compile(r'<option value="([a-z_]+)">')
# The board's open columns load their cards as soon as the page is in (hx-trigger="load").
OPEN_COLUMN = re.compile(r'hx-get="(/operations/board/columns/[^"]+)"\s+hx-trigger="load"')

LOGIN_NAMES = ("/login", "/login (POST)", "/login/mfa (POST)")
_sent = itertools.count(1)
# Reused keep-alive connections the server had just closed (Gunicorn's keepalive = 5 s): the
# request is sent once more, as browsers do; counted and reported.
_resent: list[str] = []
# Logins happen while users are spawned, before the statistics are reset (--reset-stats):
# kept here and written at the end, so a failed login is never lost with the reset.
_logins: list[dict] = []
# Requests cut by the end of the run (never in Locust's statistics) and the pages asked for
# in the measured window: a page asked for but never answered is shown, not left out.
_unfinished: list[dict] = []
_asked: dict[str, int] = {}


@events.request.add_listener
def _bound(name: str = "", response_time: float = 0, exception: object = None, **_kwargs) -> None:
    """Keep the logins; stop the whole run once MAX_REQUESTS requests were made."""
    if name in LOGIN_NAMES:
        _logins.append({"name": name, "ms": response_time, "error": str(exception) if exception else ""})
    if next(_sent) == MAX_REQUESTS:
        runner: Runner | None = getattr(_bound, "runner", None)
        if runner is not None:
            runner.quit()


def answered(response) -> bool:
    """A response arrived (no connection error or timeout) with a 2xx/3xx status. Never
    `response.ok`: on a connection error it raises inside the task and the request
    would vanish from the statistics instead of counting as an error."""
    return getattr(response, "error", None) is None and 200 <= (response.status_code or 0) < 400


@events.reset_stats.add_listener
def _window_starts(**_kwargs) -> None:
    _asked.clear()


@events.quitting.add_listener
def _write_extras(**_kwargs) -> None:
    target = os.environ.get("ATHENAS_LOAD_EXTRAS")
    if target:
        extras = {"logins": _logins, "unfinished": _unfinished, "asked": _asked, "resent": _resent}
        Path(target).write_text(json.dumps(extras), encoding="utf-8")


@events.init.add_listener
def _keep_runner(environment, **_kwargs) -> None:
    _bound.runner = environment.runner  # type: ignore[attr-defined]


class PortalUser(HttpUser):
    """A signed-in person of one role; subclasses add the role's tasks."""

    abstract = True
    wait_time = between(1, 4)
    role = ""
    _turns: dict[str, itertools.count] = {}

    def on_start(self) -> None:
        self._with_timeout()
        logins = PLAN["roles"][self.role]
        turn = next(self._turns.setdefault(self.role, itertools.count()))
        self.index, self.email = turn, logins[turn % len(logins)]
        self.csrf = ""
        self.login()

    # ------------------------------------------------------------------ helpers

    def _with_timeout(self) -> None:
        """Every request of this user: TIMEOUT seconds at most, and noted when the run's end
        cuts it (Locust stops users by killing their greenlets)."""
        send = self.client.request

        def request(method, url, *args, **kwargs):
            kwargs.setdefault("timeout", TIMEOUT)
            name = kwargs.get("name") or url
            _asked[name] = _asked.get(name, 0) + 1
            started = time.monotonic()
            try:
                result = send(method, url, *args, **kwargs)
                error = getattr(result, "error", None)
                if isinstance(error, requests.ConnectionError) and not isinstance(error, requests.Timeout):
                    _resent.append(name)  # the first answer is never entered, so never reported
                    result = send(method, url, *args, **kwargs)
                return result
            except GreenletExit:
                _unfinished.append(
                    {"name": kwargs.get("name") or url, "s": round(time.monotonic() - started, 1)}
                )
                raise

        self.client.request = request  # type: ignore[method-assign]

    def _keep_csrf(self, text: str) -> None:
        found = CSRF_META.search(text)
        if found:
            self.csrf = found.group(1)

    def page(self, path: str, name: str, expect: str = "", **kwargs):
        """A full page (GET), checked for `expect`; keeps the page's CSRF token."""
        with self.client.get(path, name=name, catch_response=True, **kwargs) as response:
            if answered(response) and expect and expect not in response.text:
                response.failure(f"sem “{expect}” na página")
            elif answered(response) and response.url and "/login" in response.url:
                response.failure("sessão perdida: voltou ao login")
            if answered(response):
                self._keep_csrf(response.text)
            return response

    def htmx_post(self, path: str, name: str, data: dict, expect: str = ""):
        """A POST as HTMX sends it: the body's hx-headers carry the CSRF token."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf}
        with self.client.post(path, data=data, headers=headers, name=name, catch_response=True) as response:
            if answered(response) and expect and expect not in response.text:
                response.failure(f"sem “{expect}” na resposta")
            return response

    def login(self) -> None:
        with self.client.get("/login", name="/login", catch_response=True) as form:
            token = CSRF_FIELD.search(form.text) if answered(form) else None
        data = {
            "email": self.email,
            "password": accounts.PASSWORD,
            "csrf_token": token.group(1) if token else "",
        }
        with self.client.post("/login", data=data, name="/login (POST)", catch_response=True) as response:
            if not answered(response):
                return  # reported as an error when the block ends
            if self.role not in accounts.MFA_ROLES:
                if "/login" in response.url:
                    response.failure("login recusado")
                self._keep_csrf(response.text)
                return
            if "/login/mfa" not in response.url:
                response.failure("login sem o passo do código TOTP")
                return
            step = CSRF_FIELD.search(response.text)
        code = pyotp.TOTP(accounts.TOTP_SECRET).now()
        payload = {"code": code, "csrf_token": step.group(1) if step else ""}
        with self.client.post(
            "/login/mfa", data=payload, name="/login/mfa (POST)", catch_response=True
        ) as second:
            if answered(second) and "/login" in second.url:
                second.failure("código TOTP recusado")
            elif answered(second):
                self._keep_csrf(second.text)

    @task(2)
    def baseline(self) -> None:
        self.page(BASELINE_PATH, BASELINE_NAME, expect="<p>1</p>")


class Agent(PortalUser):
    """Corretor: searches own clients, looks up margins, simulates and submits."""

    role = "agent"
    weight = 25

    def on_start(self) -> None:
        super().on_start()
        mine = PLAN["agents"][self.email]
        self.selling, self.terms = mine["selling"], mine["terms"] or ["a"]

    @task(2)
    def home(self) -> None:
        self.page("/sales/", "/sales/")

    @task(5)
    def search_clients(self) -> None:
        term = random.choice(self.terms)
        found = self.page(f"/sales/clients?q={term}", "/sales/clients?q=[busca]")
        ids = CLIENT_LINK.findall(found.text) if answered(found) else []
        if ids:
            self.page(f"/sales/clients/{random.choice(ids)}", "/sales/clients/[id]")

    @task(4)
    def margin_lookup(self) -> None:
        client = random.choice(self.selling)
        self.page(f"/sales/clients/{client}", "/sales/clients/[id]")
        bank = random.choice(LOOKUP_BANKS)
        self.htmx_post(
            f"/sales/clients/{client}/lookups/{bank}",
            "/sales/clients/[id]/lookups/[banco] (HTMX)",
            {},
            expect='data-outcome="ok"',
        )

    @task(3)
    def simulate_and_submit(self) -> None:
        client = random.choice(self.selling)
        self.page(f"/sales/clients/{client}/simulate", "/sales/clients/[id]/simulate")
        form = {
            "csrf_token": self.csrf,
            "product": "new",
            "benefit_link_id": "",
            "term_months": "84",
            "mode": "amount",
            "requested_amount": f"{random.randint(2, 9)}.000,00",
            "installment": "",
            "banks": SIMULATION_BANKS,
        }
        result = self.htmx_post(
            f"/sales/clients/{client}/simulate", "/sales/clients/[id]/simulate (HTMX POST)", form
        )
        offers = OFFER.findall(result.text) if answered(result) else []
        if not offers:
            if answered(result):
                result.failure("simulação sem ofertas")
            return
        if random.random() < 0.5:  # half the simulations become proposals
            simulation, option = random.choice(offers)
            self.htmx_post(
                f"/sales/clients/{client}/proposals",
                "/sales/clients/[id]/proposals (digitação HTMX)",
                {"csrf_token": self.csrf, "simulation_id": simulation, "option": option},
                expect="proposta",
            )

    @task(2)
    def my_proposals(self) -> None:
        self.page("/sales/proposals", "/sales/proposals")


class Operations(PortalUser):
    """Operações: the board, filtered lists, proposal pages and status moves."""

    role = "operations"
    weight = 12

    @task(2)
    def home(self) -> None:
        self.page("/operations/", "/operations/")

    @task(3)
    def board(self) -> None:
        bank = random.choice(LIST_BANKS)
        path = f"/operations/board?bank={bank}" if bank else "/operations/board"
        board = self.page(path, "/operations/board")
        if not answered(board):
            return
        # What the browser does next: one HTMX request per open column for its first cards.
        for url in OPEN_COLUMN.findall(board.text):
            name = "/operations/board/columns/[status] (HTMX)"
            self.page(html.unescape(url), name, headers={"HX-Request": "true"})

    @task(5)
    def filtered_list(self) -> None:
        status, bank = random.choice(OPEN_STATUSES), random.choice(LIST_BANKS)
        found = self.page(
            f"/operations/proposals?status={status}&bank={bank}", "/operations/proposals?[filtros]"
        )
        ids = PROPOSAL_LINK.findall(found.text) if answered(found) else []
        if ids:
            self.page(f"/operations/proposals/{random.choice(ids)}", "/operations/proposals/[id]")

    @task(3)
    def move(self) -> None:
        status = random.choice(MOVABLE)
        found = self.page(f"/operations/proposals?status={status}", "/operations/proposals?[filtros]")
        ids = [int(i) for i in PROPOSAL_LINK.findall(found.text)] if answered(found) else []
        # Each operations user works its own share of the list: two people moving the same
        # card at once is the optimistic lock's case (409), not what this load measures.
        share = len(PLAN["roles"]["operations"])
        mine = [i for i in ids if i % share == self.index % share]
        if not mine:
            return
        proposal = random.choice(mine)
        detail = self.page(f"/operations/proposals/{proposal}", "/operations/proposals/[id]")
        form = MOVE_FORM.search(detail.text) if answered(detail) else None
        if form is None:
            return
        version = VERSION.search(form.group(1))
        targets = [t for t in TARGETS.findall(form.group(1)) if t != "pending"]
        if version is None or not targets:
            return
        data = {
            "csrf_token": self.csrf,
            "version": version.group(1),
            "origin": "detail",
            "target": random.choice(targets),
            "reason": "Movimento do teste de carga",
            "sub_status": "",
        }
        # The move itself (303), then the proposal page the browser is sent to, measured
        # as that page: each row of the report is one request.
        with self.client.post(
            f"/operations/proposals/{proposal}/status",
            data=data,
            name="/operations/proposals/[id]/status (mover)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"movimento respondeu {response.status_code}")
                return
        self.page(f"/operations/proposals/{proposal}", "/operations/proposals/[id]", expect="movida para")


class Finance(PortalUser):
    """Financeiro: home, ledger, reconciliation, statements and an export."""

    role = "finance"
    weight = 6

    def _period(self) -> str:
        return random.choice(PLAN["periods"]) if PLAN["periods"] else ""

    @task(2)
    def home(self) -> None:
        self.page("/finance/", "/finance/")

    @task(3)
    def ledger(self) -> None:
        period = self._period()
        self.page(f"/finance/ledger?period={period}", "/finance/ledger?period=[mês]")

    @task(2)
    def reconciliation(self) -> None:
        self.page("/finance/reconciliation", "/finance/reconciliation")
        self.page("/finance/reconciliation/items", "/finance/reconciliation/items")

    @task(2)
    def statements(self) -> None:
        self.page("/finance/statements", "/finance/statements")

    @task(1)
    def export_ledger(self) -> None:
        self.page(f"/finance/ledger/export.csv?period={self._period()}", "/finance/ledger/export.csv")


class Manager(PortalUser):
    """Gerente: the dashboards, their sections and an export."""

    role = "manager"
    weight = 7

    @task(3)
    def dashboards(self) -> None:
        self.page("/dashboards/", "/dashboards/")

    @task(4)
    def section(self) -> None:
        self.page(f"/dashboards/{random.choice(PLAN['sections'])}", "/dashboards/[seção]")

    @task(1)
    def export(self) -> None:
        slug = random.choice(PLAN["sections"])
        self.page(f"/dashboards/export/{slug}.csv", "/dashboards/export/[seção].csv")

    @task(1)
    def reports(self) -> None:
        self.page("/reports/", "/reports/")
