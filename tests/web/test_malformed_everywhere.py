"""Every route, every parameter, every form field, every role: malformed values never get a 5xx.

The routes come from `app.url_map`, the form fields from the pages themselves (each GET page
is parsed for its forms' input/select/textarea names, and the fields are fuzzed on the route
the form posts to), so a new route or field is covered without editing this file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import text
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Rule

from portal.core.documents import generate_cpf
from tests import factories
from tests.conftest import CSRF_META, form_post
from tests.jobs.conftest import ManualRunner

HUGE = "9" * 23
# The last two are keyset cursors as a tamperer writes them: base64 of [null,null] and [{}].
PAYLOADS = [
    *("abc", "", "-1", HUGE, "[null]", "{}", "ção²５日本", "x" * 5000, "%00", "a\x00b"),
    *("W251bGwsbnVsbF0", "W3t9XQ"),
]
DENIED_PAYLOADS = ["abc", HUGE]
# One wrong value at a time, the other fields keeping the page's own values.
SINGLE_FIELD_PAYLOADS = ["abc", HUGE]
# Query parameters read by list pages that no form on the page may show.
COMMON_QUERY = ["after", "q", "page", "status", "bank", "owner", "sort", "format", "next"]
ROLES = ["agent", "supervisor", "operations", "finance", "manager", "admin"]
SKIP_ENDPOINTS = {"static", "auth.logout"}  # logout would end the role's own session

# Which table a URL's integer parameter points at (the fuzz uses real rows where they exist).
ID_TABLES = {
    "collaborator_id": "collaborators",
    "certification_id": "certifications",
    "code_id": "operator_codes",
    "unit_id": "org_units",
    "client_id": "clients",
    "job_id": "jobs",
    "mapping_id": "bank_status_mappings",
    "type_id": "pendency_types",
    "proposal_id": "proposals",
    "document_id": "proposal_documents",
    "pendency_id": "pendencies",
    "import_id": "proposal_imports",
    "consent_id": "client_consents",
    "link_id": "client_benefit_links",
    "simulation_id": "bank_simulations",
}
TEXT_PARAMS = {"code": "facta", "bank": "facta", "fmt": "csv", "field": "cpf"}


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class FormParser(HTMLParser):
    """The forms of a page: method, target (action, hx-post, hx-get) and field defaults."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._current: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            target = a.get("hx-post") or a.get("hx-get") or a.get("action") or self.page_url
            method = "post" if a.get("hx-post") else (a.get("method") or "get").lower()
            self._current = Form(method, target)
            self.forms.append(self._current)
        elif tag in ("button", "a") and a.get("hx-post"):  # HTMX buttons post on their own
            self.forms.append(Form("post", a["hx-post"]))
        form = self._current
        if form is None or not a.get("name"):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and a["name"] in form.fields:
                return
            form.fields[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            form.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            form.fields[a["name"]] = ""
        if tag == "option" and self._select and not form.fields.get(self._select):
            form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


@pytest.fixture
def world(app, db):
    """One user per role and a few rows of everything, owned where the pages need it."""
    factories.regulatory_defaults(db)
    factories.bank(db, "facta")  # nothing listens at its address: lookups fail at once
    org = factories.client_org(db)
    factories.certification(db, org.agent, expires_on=date.today() + timedelta(days=200))
    factories.operator_code(db, org.agent, "facta", secret="senha-operador")
    customer = factories.selling_client(db, org.agent, generate_cpf())
    factories.proposal(db, customer, org.agent)
    users = {
        "agent": org.agent_user,
        "supervisor": org.supervisor_user,
        "operations": org.operations_user,
        "manager": org.manager_user,
        "finance": factories.user(db, role="finance"),
        "admin": factories.user(db, role="admin"),
    }
    ids = {
        name: db.execute(text(f"SELECT max(id) FROM {table}")).scalar() or 1  # noqa: S608 (constant names)
        for name, table in ID_TABLES.items()
    }
    ids["client_id"] = customer.id
    ids["user_id"] = org.peer_user.id  # never the signed-in user (no self-deactivation)
    return users, ids


@pytest.fixture
def manual_jobs(app, db):
    """Jobs started by the fuzz are recorded, never run in threads on the test's connection."""
    service = app.extensions["athenas.jobs"]
    original = service.runner
    service.runner = ManualRunner(service.env)
    db.info["athenas.jobs"] = service
    yield
    service.runner = original


def _routes(app) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS),
        key=lambda r: r.rule,
    )


def _url(app, rule: Rule, ids: dict[str, int], text_value: str | None = None) -> str:
    values: dict[str, object] = {}
    for name in rule.arguments:
        if name in TEXT_PARAMS:
            values[name] = TEXT_PARAMS[name] if text_value is None else text_value
        else:
            values[name] = ids.get(name, 1)
    with app.test_request_context():
        return rule.build(values, append_unknown=False)[1]


def _endpoint(app, url: str, method: str) -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(url).path, method=method.upper())[0]
    except HTTPException:
        return None


class Probe:
    """Sends requests as one signed-in role and records every 5xx."""

    def __init__(self, client, role: str) -> None:
        self.client, self.role = client, role
        self.failures: list[str] = []
        self.count = 0
        self.token = ""

    def send(self, method: str, url: str, **kwargs) -> object:
        self.count += 1
        if method == "post":
            headers = {"X-CSRFToken": self.token, **kwargs.pop("headers", {})}
            response = self.client.post(url, headers=headers, **kwargs)
        else:
            response = self.client.get(url, **kwargs)
        if response.status_code >= 500:
            shown = {k: (v[:20] if isinstance(v, str) else v) for k, v in kwargs.get("data", {}).items()}
            query = kwargs.get("query_string", {})
            status = response.status_code
            self.failures.append(f"{self.role} {method.upper()} {url} {query or shown} → {status}")
        return response


def _crawl(app, probe: Probe, ids) -> tuple[dict[str, list[Form]], set[str]]:
    """GET every page as the role: the forms found, by the endpoint they submit to, and the
    endpoints the role reaches (a page it opens or a form it is shown)."""
    forms: dict[str, list[Form]] = defaultdict(list)
    reached: set[str] = set()
    for rule in _routes(app):
        if "GET" not in rule.methods:
            continue
        url = _url(app, rule, ids)
        response = probe.send("get", url)
        if response.status_code < 400:
            reached.add(rule.endpoint)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)
        match = CSRF_META.search(page)
        if match:
            probe.token = match.group(1)
        parser = FormParser(url)
        parser.feed(page)
        for form in parser.forms:
            endpoint = _endpoint(app, form.action, form.method)
            if endpoint:
                forms[endpoint].append(form)
                reached.add(endpoint)
    return forms, reached


def _fuzz_get(app, probe: Probe, rule: Rule, ids, forms: list[Form], payloads: list[str]) -> None:
    names = set(COMMON_QUERY)
    for form in forms:
        names.update(form.fields)
    names.discard("csrf_token")
    has_text_param = any(name in TEXT_PARAMS for name in rule.arguments)
    for payload in payloads:
        probe.send("get", _url(app, rule, ids), query_string=dict.fromkeys(names, payload))
        if has_text_param and payload and "\x00" not in payload:
            probe.send("get", _url(app, rule, ids, text_value=payload))


def _fuzz_post(app, probe: Probe, rule: Rule, ids, forms: list[Form], payloads: list[str]) -> None:
    url = _url(app, rule, ids)
    defaults: dict[str, str] = {}
    for form in forms:
        defaults.update(form.fields)
    defaults.pop("csrf_token", None)
    headers = {"HX-Request": "true"}
    for payload in payloads:
        probe.send("post", url, data=dict.fromkeys(defaults, payload), headers=headers)
    for name in defaults:
        for payload in SINGLE_FIELD_PAYLOADS:
            probe.send("post", url, data={**defaults, name: payload}, headers=headers)
    if any(name in TEXT_PARAMS for name in rule.arguments):
        for payload in ("abc", "ção", "x" * 300):
            probe.send("post", _url(app, rule, ids, text_value=payload), data=defaults, headers=headers)


@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_malformed_input_with_a_server_error(app, client, db, world, manual_jobs, role):
    users, ids = world
    response = form_post(client, "/login", {"email": users[role].email, "password": factories.PASSWORD})
    assert response.status_code == 302
    probe = Probe(client, role)
    forms, reached = _crawl(app, probe, ids)
    assert probe.token, "nenhuma página entregou um token CSRF"
    assert len(reached) >= 5 and forms, "o rastreamento não encontrou páginas nem formulários"

    for rule in _routes(app):
        found = forms.get(rule.endpoint, [])
        # Every payload where the role gets in; a few at the door of the others (access is
        # checked before input is read, and proven route by route in test_access.py).
        payloads = PAYLOADS if rule.endpoint in reached else DENIED_PAYLOADS
        if "GET" in rule.methods:
            _fuzz_get(app, probe, rule, ids, [f for f in found if f.method == "get"], payloads)
        if "POST" in rule.methods:
            _fuzz_post(app, probe, rule, ids, [f for f in found if f.method == "post"], payloads)

    assert probe.failures == [], f"{len(probe.failures)} de {probe.count} pedidos deram 5xx:\n" + "\n".join(
        probe.failures[:40]
    )
