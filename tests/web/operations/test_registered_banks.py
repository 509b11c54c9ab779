"""Filters, forms, operator codes and imports offer only the banks in the registry (issue 9,
first hour item 8): BMG and Pan were offered although no such bank was registered."""

from __future__ import annotations

import re

from portal.core.documents import format_cpf
from tests import factories
from tests.conftest import form_post
from tests.pipeline_helpers import hub_import, xlsx

REGISTERED = {"facta", "daycoval", "c6", "master", "bradesco"}  # tests/pipeline_helpers.py


def _bank_options(html: str, select_name: str) -> set[str]:
    """The non-empty option values of the <select name=…> on the page."""
    match = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', html, re.S)
    assert match, f"no <select name={select_name}>"
    return {v for v in re.findall(r'<option[^>]*value="([^"]*)"', match.group(1)) if v}


def test_pipeline_pages_offer_only_registered_banks(client, db, org, sign_in):
    sign_in(org.operations_user)
    for page, name in [
        ("/operations/proposals", "bank"),
        ("/operations/board", "bank"),
        ("/operations/mappings", "bank"),
        ("/operations/mappings", "bank_code"),
        ("/operations/proposals/new", "bank_code"),
    ]:
        html = client.get(page).get_data(as_text=True)
        assert _bank_options(html, name) == REGISTERED, page
    # A bank registered later is offered at once, under its registered name.
    factories.bank(db, "pan", name="Banco Pan")
    html = client.get("/operations/proposals").get_data(as_text=True)
    assert _bank_options(html, "bank") == REGISTERED | {"pan"} and ">Banco Pan<" in html


def test_filter_by_an_unregistered_bank_is_ignored(client, db, org, sign_in):
    factories.proposal(db, org.client, bank_code="facta")
    sign_in(org.operations_user)
    html = client.get("/operations/proposals?bank=bmg").get_data(as_text=True)
    assert 'value="bmg"' not in html and "Maria da Silva" in html


def test_operator_codes_offer_and_accept_only_registered_banks(client, db, org, login_as):
    login_as("admin")
    page = f"/admin/collaborators/{org.agent.id}"
    assert _bank_options(client.get(page).get_data(as_text=True), "bank_code") == REGISTERED
    refused = form_post(
        client, f"{page}/operator-codes", {"bank_code": "bmg", "operator_code": "BMG-1"}, token_page=page
    )
    assert refused.status_code == 422 and "Banco desconhecido." in refused.get_data(as_text=True)


def test_import_refuses_a_bank_that_is_not_registered(db, org, tmp_path):
    cpf = format_cpf(org.client.cpf)
    headers = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto"]
    rows = [[cpf, "C6 Consig", "novo", "INSS", 84, "1000,00"], [cpf, "BMG", "novo", "INSS", 84, "1000,00"]]
    record = hub_import(db, org.operations_user, xlsx(headers, rows), "p.xlsx", tmp_path)
    assert (record.status, record.imported, record.errors) == ("done", 1, 1)
    assert record.problems == [[3, "error", "Banco desconhecido: “BMG”."]]
