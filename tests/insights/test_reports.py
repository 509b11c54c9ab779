"""Relatórios: the scheduled and on-demand workbook, downloads (audited, 404 for others)
and recurring exports run as their owner when due and not before (fake clock)."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from portal.core.audit import SYSTEM, AuditEntry
from portal.core.db import unit_of_work
from portal.core.jobs import Job, enqueue
from portal.extensions import db as app_db
from portal.insights import reports
from portal.insights.report_models import RecurringReport, ReportFile
from portal.insights.workbook_job import SCHEDULE_KIND
from portal.web.reports.recurring_job import KIND as RECURRING_KIND
from tests import factories
from tests.conftest import form_post, sign_in
from tests.insights.fixtures import month

SP = ZoneInfo("America/Sao_Paulo")


def run_periodic(app, runner, kind: str) -> None:
    """What beat does: enqueue as the system actor, committed; then run it here."""
    with app.app_context(), unit_of_work(app_db.new_session) as session:
        enqueue(session, kind, SYSTEM)
    runner.run_all()


def files(db, **where) -> list[ReportFile]:
    db.expire_all()
    return list(db.scalars(select(ReportFile).filter_by(**where).order_by(ReportFile.id)))


def sheet_rows(content: bytes, title: str | None = None) -> list[list[object]]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb[title] if title else wb.worksheets[0]
    return [list(r) for r in ws.iter_rows(values_only=True)]


# ------------------------------------------------------------------ monthly workbook


def test_schedule_generates_last_month_on_the_first_business_day_only(app, db, manual_runner, clock):
    month(db)
    clock.set(datetime(2031, 3, 31, 7, 0, tzinfo=SP))  # Monday 31 Mar
    run_periodic(app, manual_runner, SCHEDULE_KIND)
    assert files(db) == []
    clock.set(datetime(2031, 4, 1, 7, 0, tzinfo=SP))  # Tuesday 1 Apr: first business day
    run_periodic(app, manual_runner, SCHEDULE_KIND)
    [stored] = files(db)
    assert (stored.kind, stored.period, stored.owner_id) == ("workbook", "2031-03", None)
    clock.set(datetime(2031, 4, 1, 8, 0, tzinfo=SP))  # the next hourly check: not again
    run_periodic(app, manual_runner, SCHEDULE_KIND)
    assert len(files(db)) == 1

    on_disk = (app.config["STORAGE_DIR"] / __import__("pathlib").Path(stored.storage_path)).read_bytes()
    assert not on_disk.startswith(b"PK"), "stored encrypted, never the clear XLSX"
    clear = reports.read_report(app.config["STORAGE_DIR"], stored)
    assert sheet_rows(clear, "Produção")[4] == [
        "Total",
        None,
        None,
        "=SUM(D2:D4)",
        "=SUM(E2:E4)",
        "=SUM(F2:F4)",
    ]


def test_schedule_waits_past_a_weekend_month_start(app, db, manual_runner, clock):
    clock.set(datetime(2031, 6, 1, 9, 0, tzinfo=SP))  # Sunday
    run_periodic(app, manual_runner, SCHEDULE_KIND)
    assert files(db) == []
    clock.set(datetime(2031, 6, 2, 9, 0, tzinfo=SP))  # Monday 2 June
    run_periodic(app, manual_runner, SCHEDULE_KIND)
    assert [f.period for f in files(db)] == ["2031-05"]


def test_on_demand_button_runs_a_job_and_lands_on_the_page(client, db, login_as, manual_runner, clock):
    month(db)
    clock.set(datetime(2031, 6, 30, 12, 0, tzinfo=SP))
    user = login_as("finance")
    response = form_post(client, "/reports/workbook", {"period": "2031-03"}, token_page="/reports/")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert (job.kind, job.actor_id, job.params) == (
        "insights.workbook.generate",
        user.id,
        {"period": "2031-03"},
    )
    manual_runner.run_all()
    db.refresh(job)
    assert job.status == "done" and job.progress_done == job.progress_total == 5
    [stored] = files(db)
    page = client.get("/reports/").get_data(as_text=True)
    assert f'data-testid="report-{stored.id}"' in page and "Relatório mensal 03/2031" in page

    download = client.get(f"/reports/{stored.id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == 'attachment; filename="relatorio-mensal-2031-03.xlsx"'
    assert sheet_rows(download.data, "Comissões")[5] == ["Total", None, "=SUM(C2:C5)", "=SUM(D2:D5)"]
    audited = db.scalars(select(AuditEntry).where(AuditEntry.action == "report.downloaded")).all()
    assert [(a.actor_id, a.target) for a in audited] == [(user.id, f"report_files:{stored.id}")]


def _stored_workbook(app, db) -> ReportFile:
    return reports.store_report(
        db, app.config["STORAGE_DIR"], b"PK fake", kind=reports.ReportKind.WORKBOOK, title="Relatório mensal",
        filename="relatorio-mensal-2031-03.xlsx", content_type="application/octet-stream",
        created_by="teste", period="2031-03",
    )  # fmt: skip


@pytest.mark.parametrize("role", ["agent", "supervisor", "operations"])
def test_company_workbook_is_not_found_for_roles_without_it(app, client, db, login_as, role):
    stored = _stored_workbook(app, db)
    login_as(role)
    assert client.get(f"/reports/{stored.id}/download").status_code == 404
    assert f'report-{stored.id}"' not in client.get("/reports/").get_data(as_text=True)


def test_a_store_manager_does_not_see_the_company_workbook(app, client, db):
    stored = _stored_workbook(app, db)
    store = factories.org_unit(db, "store", "Loja Sul")
    manager = factories.user(db, role="manager")
    factories.collaborator(db, manager, store, role_group="manager")
    sign_in(client, db, manager)
    assert client.get(f"/reports/{stored.id}/download").status_code == 404
    assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize("role", ["finance", "manager", "admin"])
def test_company_roles_download_the_workbook(app, client, db, login_as, role):
    stored = _stored_workbook(app, db)
    login_as(role)
    assert client.get(f"/reports/{stored.id}/download").data == b"PK fake"


# ------------------------------------------------------------------ recurring exports


def _save(client, list_kind: str, query: str = "", frequency: str = "daily", name: str = "Minhas propostas"):
    data = {"list_kind": list_kind, "query": query, "name": name, "frequency": frequency, "fmt": "xlsx"}
    return form_post(client, "/reports/recurring", data, token_page="/reports/")


def test_agent_recurring_export_runs_when_due_not_before_and_holds_only_their_rows(
    app, client, db, manual_runner, clock
):
    data = month(db)
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    sign_in(client, db, data.ana_user)
    page = client.get("/sales/proposals").get_data(as_text=True)
    assert 'data-testid="save-recurring"' in page
    assert _save(client, "sales.my_proposals_export").status_code == 302
    definition = db.scalar(select(RecurringReport))
    assert definition.owner_id == data.ana_user.id
    assert definition.next_run_at == datetime(2031, 3, 11, 6, 0, tzinfo=SP)

    clock.set(datetime(2031, 3, 11, 5, 59, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    assert files(db) == []
    clock.set(datetime(2031, 3, 11, 6, 0, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    [stored] = files(db)
    assert (stored.kind, stored.owner_id, stored.definition_id) == ("export", data.ana_user.id, definition.id)
    clock.set(datetime(2031, 3, 11, 6, 30, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    assert len(files(db)) == 1, "once a day"

    download = client.get(f"/reports/{stored.id}/download")
    rows = sheet_rows(download.data)
    agent_column = rows[0].index("Corretor")
    # Ana has 4 proposals (2 in March, 1 in April, 1 in February); Bruno's 2 are not hers.
    assert [r[agent_column] for r in rows[1:]] == ["Ana Souza"] * 4

    other = app.test_client()
    sign_in(other, db, data.bruno_user)
    assert other.get(f"/reports/{stored.id}/download").status_code == 404
    assert f'report-{stored.id}"' not in other.get("/reports/").get_data(as_text=True)


def test_filters_are_kept_and_applied_at_run_time(app, client, db, manual_runner, clock):
    data = month(db)
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    sign_in(client, db, data.bruno_user)
    form_page = client.get("/reports/recurring/new?list=sales.my_proposals_export&q=bank%3Dc6%26after%3Dabc")
    assert form_page.status_code == 200
    assert '<input type="hidden" name="query" value="bank=c6">' in form_page.get_data(as_text=True)
    _save(client, "sales.my_proposals_export", query="bank=c6&after=abc", frequency="weekly")
    definition = db.scalar(select(RecurringReport))
    assert definition.query == "bank=c6"  # the paging cursor is not a filter
    assert definition.next_run_at == datetime(2031, 3, 17, 6, 0, tzinfo=SP)  # next Monday
    clock.set(datetime(2031, 3, 17, 6, 5, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    [stored] = files(db)
    rows = sheet_rows(reports.read_report(app.config["STORAGE_DIR"], stored))
    assert [r[rows[0].index("Banco")] for r in rows[1:]] == ["C6"]


def test_a_deactivated_owner_report_stops(app, client, db, manual_runner, clock):
    data = month(db)
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    sign_in(client, db, data.ana_user)
    _save(client, "sales.my_proposals_export", frequency="monthly")
    definition = db.scalar(select(RecurringReport))
    assert definition.next_run_at == datetime(2031, 4, 1, 6, 0, tzinfo=SP)
    data.ana_user.active = False
    db.flush()
    clock.set(datetime(2031, 4, 1, 6, 0, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    assert files(db) == []
    db.refresh(definition)
    assert definition.active is False and "desativado" in definition.last_error


def test_permissions_are_checked_at_run_time(app, client, db, manual_runner, clock):
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    user = factories.user(db, role="operations")
    sign_in(client, db, user)
    assert _save(client, "operations.proposals_export").status_code == 302
    user.role = "finance"  # moved to finance: no pipeline lists any more
    db.flush()
    clock.set(datetime(2031, 3, 11, 6, 0, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    assert files(db) == []
    definition = db.scalar(select(RecurringReport))
    db.refresh(definition)
    assert definition.last_error == "Exportação recusada (HTTP 403)."
    assert definition.next_run_at == datetime(2031, 3, 12, 6, 0, tzinfo=SP)


def test_a_list_the_user_cannot_open_cannot_be_saved(client, db, login_as):
    login_as("agent")
    assert _save(client, "finance.ledger_export").status_code == 403
    assert _save(client, "not.a.list").status_code == 403
    assert db.scalar(select(RecurringReport)) is None


def test_owner_pauses_resumes_and_deletes_with_confirmation(app, client, db, manual_runner, clock):
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    owner = factories.user(db, role="agent")
    sign_in(client, db, owner)
    _save(client, "sales.my_proposals_export")
    definition = db.scalar(select(RecurringReport))
    assert (
        form_post(client, f"/reports/recurring/{definition.id}/pause", token_page="/reports/").status_code
        == 302
    )
    clock.set(datetime(2031, 3, 12, 6, 0, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    assert files(db) == []  # paused: not run

    assert (
        form_post(client, f"/reports/recurring/{definition.id}/resume", token_page="/reports/").status_code
        == 302
    )
    db.refresh(definition)
    assert definition.active and definition.next_run_at == datetime(2031, 3, 13, 6, 0, tzinfo=SP)

    unconfirmed = form_post(client, f"/reports/recurring/{definition.id}/delete", token_page="/reports/")
    assert unconfirmed.status_code == 422
    stranger = app.test_client()
    sign_in(stranger, db, factories.user(db, role="agent"))
    other = form_post(
        stranger, f"/reports/recurring/{definition.id}/delete", {"confirm": "1"}, token_page="/reports/"
    )
    assert other.status_code == 404
    deleted = form_post(
        client, f"/reports/recurring/{definition.id}/delete", {"confirm": "1"}, token_page="/reports/"
    )
    assert deleted.status_code == 302
    assert db.scalar(select(RecurringReport)) is None


def test_a_recurring_csv_is_the_file_the_export_button_gives(app, client, db, manual_runner, clock):
    data = month(db)
    clock.set(datetime(2031, 3, 10, 10, 0, tzinfo=SP))
    sign_in(client, db, data.ana_user)
    saved = {
        "list_kind": "sales.my_proposals_export",
        "query": "bank=facta",
        "name": "Facta",
        "frequency": "daily",
        "fmt": "csv",
    }
    form_post(client, "/reports/recurring", saved, token_page="/reports/")
    clock.set(datetime(2031, 3, 11, 6, 0, tzinfo=SP))
    run_periodic(app, manual_runner, RECURRING_KIND)
    [stored] = files(db)
    assert stored.content_type == "text/csv" and stored.filename.endswith(".csv")
    button = client.get("/sales/proposals/export.csv?bank=facta")
    assert reports.read_report(app.config["STORAGE_DIR"], stored) == button.data
    assert button.data.decode("utf-8-sig").count("\n") == 1 + 4  # header + Ana's 4 Facta proposals


def test_only_company_roles_get_the_generate_button(app, client, db, login_as, manual_runner):
    login_as("agent")
    page = client.get("/reports/").get_data(as_text=True)
    assert 'data-testid="workbook-form"' not in page and 'data-testid="recurring"' in page
    denied = form_post(client, "/reports/workbook", {"period": "2031-03"}, token_page="/reports/")
    assert denied.status_code == 403
    assert manual_runner.dispatched == []
    finance = app.test_client()
    sign_in(finance, db, factories.user(db, role="finance"))
    assert 'data-testid="workbook-form"' in finance.get("/reports/").get_data(as_text=True)
