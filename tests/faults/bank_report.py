"""A large bank-report file for the fault tests (many batches, so a fault lands half-way
through the import), the import prepared and started as finance does it, and the rows a
clean run stores — written from the file's own rule, not read back from the portal."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.commissions.reports.models import BankReportLine
from portal.core.audit import Actor
from portal.core.imports import runs, service
from portal.core.imports.models import DataImport
from portal.core.jobs import Job, JobStatus
from tests.conftest import form_post
from tests.faults.conftest import wait_until
from tests.imports.samples import FACTA_HEADER, FACTA_MAPPING

ROWS = 60_000  # twelve batches of 5 000
FIRST_DAY = date(2026, 3, 1)
Line = tuple[str, str, str, date, Decimal]  # contract, kind, component, day, amount


def _row(i: int) -> tuple[list[str], Line]:
    """Line i of the file and the line it becomes: every 10th an "estorno" debit."""
    contract = f"AF{i:07d}"
    day = FIRST_DAY + timedelta(days=i % 28)
    reais, cents = i % 997 + 1, i % 100
    amount = Decimal(f"{reais}.{cents:02d}")
    if i % 10 == 0:
        cells = [
            contract,
            "1.000,00",
            f"{reais},{cents:02d}",
            "",
            day.strftime("%d/%m/%Y"),
            "TB01",
            "ESTORNO",
        ]
        return cells, (contract, "debito", "estorno", day, -amount)
    cells = [
        contract,
        "1.000,00",
        "",
        f"{reais},{cents:02d}",
        day.strftime("%d/%m/%Y"),
        "TB01",
        "COMISSAO FLAT",
    ]
    return cells, (contract, "credito", "flat", day, amount)


def report_file(rows: int = ROWS) -> bytes:
    lines = [";".join(FACTA_HEADER)] + [";".join(_row(i)[0]) for i in range(1, rows + 1)]
    return ("\r\n".join(lines) + "\r\n").encode()


def expected_lines(rows: int = ROWS) -> list[Line]:
    return sorted(_row(i)[1] for i in range(1, rows + 1))


def stored_lines(session: Session) -> list[Line]:
    found = session.execute(
        select(
            BankReportLine.contract,
            BankReportLine.kind,
            BankReportLine.component,
            BankReportLine.line_date,
            BankReportLine.amount,
        )
    )
    return sorted(tuple(row) for row in found)  # type: ignore[misc]


def prepare(app: Flask, session: Session, actor: Actor, data: bytes) -> DataImport:
    """Upload the file (kept encrypted in the shared storage) and map it once."""
    record = runs.prepare_upload(
        session,
        actor,
        data,
        "facta-comissoes.csv",
        kind="bank-report",
        bank_code="facta",
        storage_dir=app.config["STORAGE_DIR"],
    )
    if record.status == "mapping":
        service.save_layout(session, actor, record, name="Facta", mapping=FACTA_MAPPING, aliases={})
    session.commit()
    assert record.status == "ready", (record.status, record.message)
    return record


def start(client: FlaskClient, import_id: int) -> None:
    """Finance presses "Importar" on the import's page: the job goes to the worker."""
    page = f"/finance/imports/{import_id}"
    response = form_post(client, f"{page}/run", {}, token_page=page)
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:1000]


def state(session: Session, import_id: int) -> tuple[DataImport, Job]:
    session.expire_all()
    record = session.get_one(DataImport, import_id)
    assert record.job_id is not None
    return record, session.get_one(Job, record.job_id)


def wait_half_way(session: Session, import_id: int, before_what: str) -> None:
    """Wait until the job runs with some batches committed; fail if it finished first."""
    def _half_way() -> bool:
        record, job = state(session, import_id)
        assert job.status != JobStatus.DONE, f"a importação terminou antes {before_what}"
        return job.status == JobStatus.RUNNING and record.imported > 0

    wait_until(_half_way, timeout=30, step=0.02)
