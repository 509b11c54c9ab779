"""The worker killed (SIGKILL, no cleanup) in the middle of a bank-report import whose job
commits batch by batch: the stale sweep fails the job and undoes the batches already in,
so nothing of the file stays half-applied; sending the file again stores exactly the rows
one clean run stores, and the audit chain stays intact."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.commissions.reports.models import BankReportLine
from portal.core.audit import Actor, AuditEntry, verify_chain
from portal.core.db import utcnow
from portal.core.imports.job import ABANDONED_MESSAGE
from portal.core.jobs import STALE_MESSAGE, JobStatus
from portal.core.jobs.celery_config import SWEEP_TASK
from tests import factories
from tests.conftest import sign_in
from tests.faults import bank_report
from tests.faults.conftest import wait_until
from tests.faults.worker import STALE_AFTER_SECONDS, job_settings

pytestmark = pytest.mark.faults


def _line_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(BankReportLine)) or 0)


def test_worker_killed_mid_import_leaves_nothing_and_the_rerun_equals_a_clean_run(
    private_postgres, private_broker, portal_on, celery_worker
):
    app = portal_on(
        private_postgres.url, REDIS_URL=private_broker.url, JOBS_RUNNER="celery", **job_settings()
    )
    engine = app.extensions["athenas.db"]["engine"]
    worker = celery_worker(private_postgres.url, private_broker.url)
    worker.start()
    data = bank_report.report_file()
    browser = app.test_client()
    with Session(engine, expire_on_commit=False) as session:
        factories.bank(session, "facta")
        finance = factories.user(session, role="finance")
        # Enrolled (MFA) and committed before the login: the form runs on its own connection.
        finance.mfa_secret, finance.mfa_enabled_at = pyotp.random_base32(), utcnow()
        session.commit()
        sign_in(browser, session, finance)
        session.commit()
        actor = Actor(id=finance.id, label=finance.email)
        first = bank_report.prepare(app, session, actor, data)
    bank_report.start(browser, first.id)

    # Killed once some batches are committed and before the last one.
    with Session(engine) as session:
        bank_report.wait_half_way(session, first.id, "de o worker ser morto")
        worker.kill()
        record, job = bank_report.state(session, first.id)
        left = _line_count(session)
        assert 0 < left < bank_report.ROWS, left
        assert (record.status, job.status) == ("queued", JobStatus.RUNNING)

    # A new worker starts; the beat's periodic stale sweep (sent here at once) finds the
    # job whose heartbeat stopped, fails it and undoes the batches it had committed.
    worker.start()
    time.sleep(STALE_AFTER_SECONDS + 1)
    app.extensions["athenas.jobs"].runner.producer().send_task(SWEEP_TASK)
    with Session(engine) as session:
        wait_until(lambda: bank_report.state(session, first.id)[1].status == JobStatus.FAILED, timeout=20)
        record, job = bank_report.state(session, first.id)
        assert job.error == STALE_MESSAGE
        assert (record.status, record.message, record.imported) == ("failed", ABANDONED_MESSAGE, 0)
        assert _line_count(session) == 0
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert actions[-1] == "imports.interrupted"
        assert verify_chain(session).ok

    # Sent again, the file is imported once, completely: the rows of one clean run.
    with Session(engine, expire_on_commit=False) as session:
        again = bank_report.prepare(app, session, actor, data)
    bank_report.start(browser, again.id)
    with Session(engine) as session:
        wait_until(lambda: bank_report.state(session, again.id)[1].status == JobStatus.DONE, timeout=40)
        record, _job = bank_report.state(session, again.id)
        assert (record.status, record.rows_total, record.imported, record.skipped, record.errors) == (
            "done",
            bank_report.ROWS,
            bank_report.ROWS,
            0,
            0,
        )
        assert bank_report.stored_lines(session) == bank_report.expected_lines()
        owners = session.scalars(select(BankReportLine.import_id).distinct())
        assert list(owners) == [again.id]
        report = verify_chain(session)
        assert report.ok, report
