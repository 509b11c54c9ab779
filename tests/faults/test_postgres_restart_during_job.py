"""PostgreSQL restarted while a real Celery worker runs a bank-report import (committed
batch by batch) and a user saves a form: the request in flight and those during the outage
get the Portuguese 503 page; the portal serves again by itself; the import's job is
failed by the stale sweep with none of its batches left (never half-applied), the form
left nothing, the audit chain is intact, and the file sent again is one clean run."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from portal.clients.models import Client
from portal.commissions.reports.models import BankReportLine
from portal.core.audit import Actor, AuditEntry, verify_chain
from portal.core.db import utcnow
from portal.core.imports.job import ABANDONED_MESSAGE
from portal.core.jobs import STALE_MESSAGE, JobStatus
from portal.core.jobs.celery_config import SWEEP_TASK
from tests import factories
from tests.conftest import form_post, sign_in
from tests.faults import bank_report
from tests.faults.conftest import wait_until
from tests.faults.test_postgres_restart import LIST, NEW, _form
from tests.faults.worker import STALE_AFTER_SECONDS, job_settings
from tests.page_text import visible_text

pytestmark = pytest.mark.faults


def _counts(session: Session) -> tuple[int, int, int]:
    clients = session.scalar(select(func.count()).select_from(Client))
    lines = session.scalar(select(func.count()).select_from(BankReportLine))
    audits = session.scalar(select(func.count()).select_from(AuditEntry))
    return int(clients or 0), int(lines or 0), int(audits or 0)


def test_postgres_restart_during_an_import_job_and_a_request(
    private_postgres, private_broker, portal_on, celery_worker
):
    app = portal_on(
        private_postgres.url, REDIS_URL=private_broker.url, JOBS_RUNNER="celery", **job_settings()
    )
    engine = app.extensions["athenas.db"]["engine"]
    worker = celery_worker(private_postgres.url, private_broker.url)
    worker.start()
    data = bank_report.report_file()
    agent_browser, finance_browser = app.test_client(), app.test_client()
    with Session(engine, expire_on_commit=False) as session:
        factories.bank(session, "facta")
        org = factories.client_org(session)
        finance = factories.user(session, role="finance")
        finance.mfa_secret, finance.mfa_enabled_at = pyotp.random_base32(), utcnow()
        session.commit()
        sign_in(agent_browser, session, org.agent_user)
        sign_in(finance_browser, session, finance)
        session.commit()
        actor = Actor(id=finance.id, label=finance.email)
        first = bank_report.prepare(app, session, actor, data)
    bank_report.start(finance_browser, first.id)

    with Session(engine) as session:
        bank_report.wait_half_way(session, first.id, "da queda do banco")
        clients_before, _lines, _audits = _counts(session)
        _record, job = bank_report.state(session, first.id)

    # The server dies while the agent's new client is being saved (its row sent, its
    # audit entry about to be) and the import is half-way.
    def _die_on_audit(conn, cursor, statement, parameters, context, executemany):
        if private_postgres.running() and statement.lstrip().upper().startswith("INSERT INTO AUDIT_ENTRIES"):
            private_postgres.stop(mode="immediate")

    event.listen(engine, "before_cursor_execute", _die_on_audit)
    try:
        in_flight = form_post(
            agent_browser, NEW, _form("111.444.777-35", "Cliente Interrompida"), token_page=NEW
        )
    finally:
        event.remove(engine, "before_cursor_execute", _die_on_audit)
    assert not private_postgres.running()
    assert in_flight.status_code == 503
    assert "banco de dados está temporariamente indisponível" in visible_text(
        in_flight.get_data(as_text=True)
    )
    for browser, path in ((agent_browser, LIST), (finance_browser, f"/finance/imports/{first.id}")):
        down = browser.get(path)
        assert down.status_code == 503, (path, down.status_code)
        assert "Nada foi gravado; tente novamente em instantes" in visible_text(down.get_data(as_text=True))

    # Down until the worker's next batch has met the outage (its failure could not even be
    # recorded: the job stays "running" with a heartbeat that stopped).
    failed_line = f"job {job.id} ({job.kind}) failed"
    wait_until(lambda: failed_line in worker.log.read_text(errors="replace"), timeout=20)
    private_postgres.start()
    took = wait_until(lambda: agent_browser.get(LIST).status_code == 200, timeout=10)
    assert took < 10

    # The beat's stale sweep (sent here at once) fails the job whose heartbeat stopped and
    # undoes the import's batches.
    time.sleep(STALE_AFTER_SECONDS + 1)
    app.extensions["athenas.jobs"].runner.producer().send_task(SWEEP_TASK)
    with Session(engine) as session:
        wait_until(lambda: bank_report.state(session, first.id)[1].status == JobStatus.FAILED, timeout=20)
        record, job = bank_report.state(session, first.id)
        assert job.error == STALE_MESSAGE, worker.tail()
        assert (record.status, record.message, record.imported) == ("failed", ABANDONED_MESSAGE, 0)
        clients, lines, audits = _counts(session)
        assert (clients, lines) == (clients_before, 0)
        report = verify_chain(session)
        assert report.ok, report
        assert report.checked == audits

    # The finance page is back, and the file sent again is one clean run.
    assert finance_browser.get(f"/finance/imports/{first.id}").status_code == 200
    with Session(engine, expire_on_commit=False) as session:
        again = bank_report.prepare(app, session, actor, data)
    bank_report.start(finance_browser, again.id)
    with Session(engine) as session:
        wait_until(lambda: bank_report.state(session, again.id)[1].status == JobStatus.DONE, timeout=40)
        record, _job = bank_report.state(session, again.id)
        assert (record.status, record.imported, record.skipped, record.errors) == (
            "done",
            bank_report.ROWS,
            0,
            0,
        )
        assert bank_report.stored_lines(session) == bank_report.expected_lines()
        assert verify_chain(session).ok
