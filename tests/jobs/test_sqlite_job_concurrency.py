"""Background jobs on a file-based SQLite database keep working while people sign in:
a login committed between a job's read and its first write used to fail the job with
"database is locked" (a 3-row import imported 0; the bank status sync, one long
transaction around its bank calls, failed the same way)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import func, select

from portal import create_app
from portal.banks.types import Capability, StatusUpdate
from portal.core.audit import Actor, AuditEntry
from portal.core.db import unit_of_work
from portal.core.documents import generate_cpf
from portal.core.imports import job as import_job
from portal.core.imports import runs
from portal.core.imports import service as import_service
from portal.core.imports.models import DataImport
from portal.core.jobs import Job, JobContext, JobStatus, enqueue
from portal.core.migrations import alembic_config
from portal.demo.jobs import DEMO_KIND
from portal.extensions import db
from portal.people.models import User
from portal.proposals import bank_sync
from portal.proposals.mapping import set_mapping
from portal.proposals.models import Proposal
from portal.proposals.statuses import Status
from tests import factories
from tests.conftest import BACKEND, form_post
from tests.conftest import app_settings as settings_for
from tests.jobs.conftest import ManualRunner
from tests.pipeline_helpers import xlsx

pytestmark = pytest.mark.skipif(BACKEND != "sqlite", reason="the embedded mode's SQLite locking")

HEADERS = ["CPF do cliente", "Banco", "Produto", "Convênio", "Prazo", "Valor bruto", "Nº da proposta"]


@pytest.fixture
def sqlite_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'jobs-concurrency.db'}"
    command.upgrade(alembic_config(url), "head")
    app = create_app(settings_for(url, STORAGE_DIR=str(tmp_path / "storage"), LOGIN_MAX_FAILURES=1000))
    service = app.extensions["athenas.jobs"]
    service.runner = ManualRunner(service.env)  # the test runs the job, in this thread
    yield app
    app.extensions["athenas.db"]["engine"].dispose()


@pytest.fixture
def people(sqlite_app):
    """An operations user who imports, an agent who owns three clients, and a user who
    keeps signing in while the job runs."""
    cpfs = [generate_cpf(random.Random(7000 + i)) for i in range(3)]
    with sqlite_app.app_context(), unit_of_work(db.new_session) as session:
        factories.bank(session, "facta", name="Facta")  # imports accept registered banks only
        team = factories.org_unit(session, "team", "Equipe")
        agent = factories.collaborator(session, factories.user(session, role="agent"), team)
        for cpf in cpfs:
            factories.client(session, agent, cpf=cpf)
        operations = factories.user(session, role="operations")
        someone = factories.user(session, role="agent")
        ids = operations.id, someone.email
    return ids, cpfs


def _sign_in(app, email: str) -> int:
    """A real login through the site: it writes (audit entry, last login) and commits."""
    credentials = {"email": email, "password": factories.PASSWORD}
    return form_post(app.test_client(), "/login", credentials).status_code


def _enqueue(app, kind: str, starter_id: int, **params) -> int:
    with app.app_context(), unit_of_work(db.new_session) as session:
        user = session.get(User, starter_id)
        job = enqueue(session, kind, Actor(id=user.id, label=user.email), **params)
        return job.id


def _prepared_import(app, data: bytes, operations_id: int) -> int:
    """The proposals spreadsheet as the hub's upload leaves it: kept, analysed, ready."""
    with app.app_context(), unit_of_work(db.new_session) as session:
        user = session.get(User, operations_id)
        record = runs.prepare_upload(
            session, Actor(id=user.id, label=user.email), data, "p.xlsx", kind="proposals",
            bank_code="", storage_dir=app.config["STORAGE_DIR"],
        )  # fmt: skip
        assert record.status == "ready"
        return record.id


def test_a_three_row_import_imports_three_while_people_sign_in(sqlite_app, people, monkeypatch):
    (operations_id, email), cpfs = people
    rows = [[cpf, "Facta", "novo", "INSS", 84, "1.000,00", f"AF-{n}"] for n, cpf in enumerate(cpfs)]
    import_id = _prepared_import(sqlite_app, xlsx(HEADERS, rows), operations_id)
    logins: list[int] = []
    # Someone signs in after the job has read its import (before its first write) and
    # between its steps (one row per step here), exactly where a long transaction broke.
    original_run = runs.run_kept

    def read_then_someone_signs_in(*args, **kwargs):
        logins.append(_sign_in(sqlite_app, email))
        return original_run(*args, **kwargs)

    original_report = JobContext.report

    def report_then_someone_signs_in(self, done, total=None, message=""):
        original_report(self, done, total, message)
        if done:
            logins.append(_sign_in(sqlite_app, email))

    monkeypatch.setattr(runs, "run_kept", read_then_someone_signs_in)
    monkeypatch.setattr(JobContext, "report", report_then_someone_signs_in)
    monkeypatch.setattr(import_service, "BATCH_ROWS", 1)
    job_id = _enqueue(sqlite_app, import_job.RUN_KIND, operations_id, import_id=import_id)

    sqlite_app.extensions["athenas.jobs"].runner.run_all()

    with sqlite_app.app_context(), unit_of_work(db.new_session) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.error) == (JobStatus.DONE, None)
        record = session.get(DataImport, import_id)
        assert (record.status, record.rows_total, record.imported, record.errors) == ("done", 3, 3, 0)
        assert session.scalar(select(func.count()).select_from(Proposal)) == 3
        signed_in = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login.succeeded")
        )
    # one before the first write, one after each of the three rows, one at the end
    assert logins == [302, 302, 302, 302, 302]
    assert signed_in == 5


def test_a_read_only_job_finishes_after_a_login_committed_meanwhile(sqlite_app, people, monkeypatch):
    (operations_id, email), _cpfs = people
    original_report = JobContext.report

    def report_then_someone_signs_in(self, done, total=None, message=""):
        original_report(self, done, total, message)
        if done == 1:
            assert _sign_in(sqlite_app, email) == 302

    monkeypatch.setattr(JobContext, "report", report_then_someone_signs_in)
    job_id = _enqueue(sqlite_app, DEMO_KIND, operations_id, steps=2, delay=0)

    sqlite_app.extensions["athenas.jobs"].runner.run_all()

    with sqlite_app.app_context(), unit_of_work(db.new_session) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.error) == (JobStatus.DONE, None)


class _BankReportingThree:
    """A bank whose status poll takes a while: someone signs in while we wait for it."""

    def __init__(self, app, email: str, logins: list[int]) -> None:
        self.app, self.email, self.logins = app, email, logins

    def fetch_status(self, *, since=None):
        self.logins.append(_sign_in(self.app, self.email))
        at = datetime(2026, 1, 10, 6, 5, tzinfo=UTC)
        return [StatusUpdate("daycoval", f"DC000{n}", "EM ANALISE", at) for n in (1, 2, 3)]


def test_the_bank_status_sync_applies_every_status_while_people_sign_in(sqlite_app, monkeypatch):
    with sqlite_app.app_context(), unit_of_work(db.new_session) as session:
        fetch_only = [Capability.FETCH_STATUS]
        factories.bank(session, "daycoval", credentials={"apikey": "k"}, capabilities=fetch_only)
        set_mapping(session, "daycoval", "EM ANALISE", Status.UNDER_ANALYSIS)
        agent = factories.collaborator(
            session, factories.user(session, role="agent"), factories.org_unit(session, "team", "Equipe")
        )
        for n in (1, 2, 3):
            owned = factories.client(session, agent)
            factories.proposal(session, owned, bank_code="daycoval", bank_proposal_number=f"DC000{n}")
        starter_id = factories.user(session, role="admin").id
        email = factories.user(session, role="agent").email
    logins: list[int] = []
    bank = _BankReportingThree(sqlite_app, email, logins)
    monkeypatch.setattr(bank_sync.sync, "build_connector", lambda settings, store: bank)
    original_step = JobContext.step

    def step_then_someone_signs_in(self, fn):
        result = original_step(self, fn)
        logins.append(_sign_in(sqlite_app, email))
        return result

    monkeypatch.setattr(JobContext, "step", step_then_someone_signs_in)
    job_id = _enqueue(sqlite_app, bank_sync.KIND, starter_id)

    sqlite_app.extensions["athenas.jobs"].runner.run_all()

    with sqlite_app.app_context(), unit_of_work(db.new_session) as session:
        job = session.get(Job, job_id)
        assert (job.status, job.error) == (JobStatus.DONE, None)
        assert job.result["summary"]["Atualizações aplicadas"] == 3
        query = select(Proposal.bank_proposal_number, Proposal.status).order_by(Proposal.id)
        statuses = session.execute(query)
        assert [tuple(row) for row in statuses] == [
            ("DC0001", "under_analysis"),
            ("DC0002", "under_analysis"),
            ("DC0003", "under_analysis"),
        ]
        signed_in = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login.succeeded")
        )
    # during the bank call, then after each step: read banks, record the poll, reconcile's
    # read, list pending events, one per event (3)
    assert logins == [302] * 8
    assert signed_in == 8
