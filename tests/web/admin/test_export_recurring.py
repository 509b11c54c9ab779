"""Every GET export list can be saved as a recurring report (issue 12), unless it is in
the commented skip list below: the walk uses the export-audit cases, which a test keeps
equal to the export routes found in the code, so a new export fails here until it is
registered in `portal/web/reports/lists.py` or skipped with a reason."""

from __future__ import annotations

import pytest

from portal.web.reports.lists import RECURRING_LISTS, clean_query
from portal.web.reports.recurring_job import run_export_as
from tests.web.admin.test_export_audit import CASES

# GET exports that are not lists one would receive periodically.
NOT_RECURRING: dict[str, str] = {
    # One record's rows, addressed by its id in the path (a definition keeps only the
    # list's endpoint and filters): an import's problems, a frozen table version, one
    # contract's reconciliation lines.
    "finance.import_problems": "um arquivo importado",
    "finance.table_export": "uma versão de tabela",
    "finance.recon_contract": "um contrato",
    # A payment batch for one chosen period, in the bank's fixed CSV layout (no XLSX).
    "finance.payouts_export": "lote de pagamentos de um período",
    # One table of a dashboard, chosen by its path: the monthly workbook on the Relatórios
    # page is the recurring form of the dashboards.
    "dashboards.export": "uma tabela do painel",
    # The Relatórios list itself: a recurring report would land on the page it lists.
    "reports.export": "a própria página de Relatórios",
}


def test_every_get_export_is_saveable_or_skipped_with_a_reason():
    get_exports = {endpoint for endpoint, case in CASES.items() if case[1] == "GET"}
    assert set(NOT_RECURRING) <= get_exports
    assert get_exports - set(NOT_RECURRING) - set(RECURRING_LISTS) == set()
    assert set(RECURRING_LISTS) <= get_exports, "only export endpoints are saveable"


def test_post_only_full_exports_are_not_saveable():
    posts = {endpoint for endpoint, case in CASES.items() if case[1] == "POST"}
    assert posts == {"sales.clients_export_full", "finance.payouts_export_full"}
    assert not posts & set(RECURRING_LISTS)  # they need a reason typed each time


# page that shows the export buttons -> (role, the saveable export endpoint it offers)
PAGES: dict[str, tuple[str, str]] = {
    "/finance/reconciliation?bank=facta": ("finance", "finance.recon_rollup_export"),
    "/finance/reconciliation/items": ("finance", "finance.recon_items_export"),
    "/finance/reconciliation/aging": ("finance", "finance.recon_aging_export"),
    "/finance/reconciliation/exposure": ("finance", "finance.recon_exposure_export"),
    "/finance/reconciliation/received": ("finance", "finance.recon_received_export"),
    "/finance/imports?status=done": ("finance", "finance.imports_list"),
    "/finance/": ("finance", "finance.home_export"),
    "/operations/": ("operations", "operations.home_export"),
    "/operations/pendencies/overdue": ("operations", "operations.overdue_pendencies_export"),
    "/sales/statements": ("agent", "sales.statements_export"),
    "/admin/health": ("admin", "admin.health_export"),
    "/admin/health/calls": ("admin", "admin.health_calls_export"),
    "/admin/audit": ("admin", "admin.audit_export"),
    "/admin/privacy/requests": ("admin", "admin.privacy_requests_export"),
    "/admin/privacy/incidents": ("admin", "admin.privacy_incidents_export"),
    "/admin/backups": ("admin", "admin.backups_export"),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_the_page_shows_the_save_control_next_to_its_export(client, db, login_as, page):
    role, endpoint = PAGES[page]
    login_as(role)
    response = client.get(page)
    assert response.status_code == 200, page
    html = response.get_data(as_text=True)
    assert 'data-testid="save-recurring"' in html
    assert f"list={endpoint}" in html
    assert "Salvar como relatório recorrente" in html


@pytest.mark.parametrize("endpoint", sorted(RECURRING_LISTS))
def test_every_saveable_list_runs_as_its_owner_with_its_filters(app, client, db, login_as, endpoint):
    """What the job does for a saved definition: the owner's export with the saved filters
    and format; for a CSV, byte for byte the file the export button gives."""
    role, _, url, _ = CASES[endpoint]
    user = login_as(role)
    path, _, query = url.partition("?")
    fmt = "xlsx" if "xlsx" in url else "csv"
    export = run_export_as(app, user.id, endpoint, clean_query(query), fmt)
    assert export.filename.endswith(f".{fmt}")
    if fmt == "csv":
        assert export.content == client.get(url).get_data()
    else:
        assert export.content[:2] == b"PK"  # a workbook
