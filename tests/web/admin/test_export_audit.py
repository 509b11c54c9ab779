"""Every export route writes a `list.exported` audit entry (list, filters, row count).

The walk finds the routes from the code (every `.../export...` URL and every view that
calls `export_response`), so a new
export without a case here fails the test instead of slipping through unaudited."""

from __future__ import annotations

import inspect
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.commissions.models import TableVersion
from portal.core.audit import AuditEntry
from portal.core.imports.models import DataImport
from tests import factories
from tests.conftest import form_post

ACTION = "list.exported"

# endpoint -> (role, method, url template, form data)
CASES: dict[str, tuple[str, str, str, dict[str, str] | None]] = {
    "sales.clients_export": ("agent", "GET", "/sales/clients/export.csv?q=maria", None),
    "sales.clients_export_full": (
        "operations",
        "POST",
        "/sales/clients/export-full",
        {"fmt": "csv", "q": "", "owner": "", "status": "active", "reason": "Arquivo pedido pelo banco Facta"},
    ),
    "sales.my_commissions_export": ("agent", "GET", "/sales/commissions/export.xlsx", None),
    "sales.my_proposals_export": ("agent", "GET", "/sales/proposals/export.csv", None),
    "operations.proposals_export": (
        "operations",
        "GET",
        "/operations/proposals/export.xlsx?bank=facta",
        None,
    ),
    "finance.imports_list": ("finance", "GET", "/finance/imports?format=xlsx", None),
    "finance.import_problems": ("finance", "GET", "/finance/imports/{import_id}/problemas.xlsx", None),
    "finance.ledger_export": ("finance", "GET", "/finance/ledger/export.csv", None),
    "finance.statements_export": ("finance", "GET", "/finance/statements/export.xlsx", None),
    "finance.payouts_export": ("finance", "GET", "/finance/statements/payouts/export.csv", None),
    "finance.payouts_export_full": (
        "finance",
        "POST",
        "/finance/statements/payouts/export-full",
        {"reason": "Envio do lote de março ao banco"},
    ),
    "finance.recon_rollup_export": ("finance", "GET", "/finance/reconciliation/rollup/export.csv", None),
    "finance.recon_items_export": ("finance", "GET", "/finance/reconciliation/items/export.csv", None),
    "finance.recon_aging_export": ("finance", "GET", "/finance/reconciliation/aging/export.xlsx", None),
    "finance.recon_exposure_export": ("finance", "GET", "/finance/reconciliation/exposure/export.xlsx", None),
    "finance.recon_received_export": ("finance", "GET", "/finance/reconciliation/received/export.csv", None),
    "finance.recon_contract": ("finance", "GET", "/finance/reconciliation/contract/facta/C-1?fmt=csv", None),
    "finance.table_export": ("finance", "GET", "/finance/tables/{version_id}/export.xlsx", None),
    "finance.no_table_export": ("finance", "GET", "/finance/no-table/export.csv", None),
    "admin.banks_export": ("admin", "GET", "/admin/banks/export.csv", None),
    "admin.parameters_export": ("admin", "GET", "/admin/parameters/export.xlsx", None),
    "admin.privacy_retention_export": ("admin", "GET", "/admin/privacy/retention/export.csv?years=5", None),
    "admin.privacy_requests_export": ("admin", "GET", "/admin/privacy/requests/export.csv?state=open", None),
    "admin.privacy_incidents_export": ("admin", "GET", "/admin/privacy/incidents/export.xlsx", None),
    "admin.users_export": ("admin", "GET", "/admin/users/export.xlsx?role=admin", None),
    "admin.audit_export": ("admin", "GET", "/admin/audit/export.csv", None),
    "people.collaborators_export": ("admin", "GET", "/admin/collaborators/export.csv", None),
    "jobs.export": ("agent", "GET", "/jobs/export.csv", None),
    "reports.export": ("finance", "GET", "/reports/export.csv", None),
    "dashboards.export": ("manager", "GET", "/dashboards/export/resumo.csv", None),
    "operations.home_export": ("operations", "GET", "/operations/home/export.csv", None),
    "operations.overdue_pendencies_export": (
        "operations",
        "GET",
        "/operations/pendencies/overdue/export.xlsx",
        None,
    ),
    "finance.home_export": ("finance", "GET", "/finance/home/export.csv", None),
    "admin.health_export": ("admin", "GET", "/admin/health/export.csv", None),
    "admin.health_calls_export": ("admin", "GET", "/admin/health/calls/export.xlsx", None),
    "sales.statements_export": ("agent", "GET", "/sales/statements/export.csv", None),
    "admin.backups_export": ("admin", "GET", "/admin/backups/export.csv", None),
}


def _export_endpoints(app) -> set[str]:
    """Routes named like an export, and views that call `export_response` themselves."""
    named = {rule.endpoint for rule in app.url_map.iter_rules() if "export" in rule.rule}
    calling = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if "export_response(" in inspect.getsource(inspect.unwrap(view))
    }
    return named | calling


def test_every_export_route_has_a_case(app):
    assert _export_endpoints(app) == set(CASES)


def _fixtures(db) -> dict[str, int]:
    version = TableVersion(bank_code="facta", number=1, valid_from=date(2026, 1, 1))
    record = DataImport(
        kind="bank-report", bank_code="facta", status="done", filename="a.csv", sha256="0" * 64
    )
    db.add_all([version, record])
    db.flush()
    return {"version_id": version.id, "import_id": record.id}


@pytest.mark.parametrize("endpoint", sorted(CASES))
def test_export_writes_an_audit_entry(client, db, login_as, endpoint):
    role, method, template, data = CASES[endpoint]
    user = login_as(role)
    url = template.format(**_fixtures(db))
    before = db.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == ACTION))
    response = form_post(client, url, data, token_page=url) if method == "POST" else client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data()  # a CSV is audited when its stream ends
    assert body
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id.desc())
    ).all()
    assert len(entries) == before + 1
    entry = entries[0]
    assert entry.actor_id == user.id
    assert entry.details["route"] == endpoint
    assert isinstance(entry.details["rows"], int)


def test_export_entry_counts_rows_and_keeps_filters_without_digits(client, db, login_as):
    login_as("admin")
    factories.user(db, role="finance", name="Fin Um")
    factories.user(db, role="finance", name="Fin Dois")
    client.get("/admin/users/export.xlsx?role=finance&q=12345678901")
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == ACTION))
    assert entry.details["filters"] == {"q": "***********", "role": "finance"}
    assert entry.details["list"] == "Usuários" and entry.details["format"] == "xlsx"
    assert entry.details["rows"] == 0  # the masked search matches nobody
    client.get("/admin/users/export.csv?role=finance").get_data()
    latest = db.scalars(
        select(AuditEntry).where(AuditEntry.action == ACTION).order_by(AuditEntry.id.desc())
    ).first()
    assert latest.details["rows"] == 2 and latest.details["format"] == "csv"
