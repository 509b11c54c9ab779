"""An import whose worker died half-way (the stale sweep fails its job): the batches it
had committed are deleted and the import is marked failed, so the file is never left
half-applied and can be sent again as one clean run."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from portal.commissions.reports.models import BankReportLine
from portal.core.audit import AuditEntry
from portal.core.db import utcnow
from portal.core.imports import job as import_job
from portal.core.imports import runs, service
from portal.core.jobs import Job, JobSettings, JobStatus, sweep_stale
from tests import factories
from tests.imports.samples import FACTA_MAPPING, FINANCE, facta_csv


def _lines(db) -> int:
    return int(db.scalar(select(func.count()).select_from(BankReportLine)) or 0)


def _prepare(db, path):
    return service.prepare(
        db,
        FINANCE,
        kind="bank-report",
        bank_code="facta",
        path=path,
        filename=path.name,
        sha256=runs.file_sha256(path),
    )


def _job(db, record, owner, status, created, started=None) -> Job:
    """The import's job row as the runner left it: started (and last heard from) at
    `started`, or never started."""
    job = Job(
        kind=import_job.RUN_KIND,
        params={"import_id": record.id},
        actor_id=owner.id if owner else None,
        actor_label=owner.email if owner else "sistema",
        status=status,
        progress_done=0,
        progress_message="",
        created_at=created,
        started_at=started,
        heartbeat_at=started,
    )
    db.add(job)
    db.flush()
    return job


def test_sweep_undoes_the_batches_of_an_import_whose_worker_died(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _prepare(db, path)
    service.save_layout(db, FINANCE, record, name="Facta", mapping=FACTA_MAPPING, aliases={})
    service.execute(db, FINANCE, record, path)  # the batches the dead worker committed
    owner = factories.user(db, role="finance")
    old = utcnow() - timedelta(hours=1)
    job = _job(db, record, owner, JobStatus.RUNNING, old, started=old)
    record.status, record.job_id, record.finished_at = "queued", job.id, None  # still running
    db.flush()
    assert _lines(db) == 3

    assert sweep_stale(db, JobSettings()) == 1

    db.refresh(record)
    db.refresh(job)
    assert job.status == JobStatus.FAILED
    assert (record.status, record.imported, record.rows_total) == ("failed", 0, 0)
    assert record.message == (
        "Importação interrompida: o servidor que a executava parou. Nada desta importação "
        "ficou gravado; envie o arquivo de novo."
    )
    assert _lines(db) == 0
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.actor_id, entry.target) == (
        "imports.interrupted",
        owner.id,
        f"data_import:{record.id}",
    )
    assert entry.details["deleted"] == 3

    # Sent again, the file is one clean run (it is not refused as already imported).
    again = _prepare(db, path)
    service.execute(db, FINANCE, again, path)
    assert (again.status, again.imported, again.skipped) == ("done", 3, 0)


def test_sweep_leaves_an_import_the_job_itself_settled(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _prepare(db, path)
    service.save_layout(db, FINANCE, record, name="Facta", mapping=FACTA_MAPPING, aliases={})
    service.execute(db, FINANCE, record, path)
    old = utcnow() - timedelta(hours=1)
    _job(db, record, None, JobStatus.RUNNING, old, started=old)
    assert sweep_stale(db, JobSettings()) == 1
    db.refresh(record)
    assert (record.status, record.imported, _lines(db)) == ("done", 3, 3)


def test_sweep_fails_an_import_whose_job_never_started(db, banks, tmp_path):
    path = facta_csv(tmp_path / "facta.csv")
    record = _prepare(db, path)
    service.save_layout(db, FINANCE, record, name="Facta", mapping=FACTA_MAPPING, aliases={})
    long_ago = utcnow() - timedelta(days=2)
    job = _job(db, record, None, JobStatus.QUEUED, long_ago)
    record.status, record.job_id = "queued", job.id
    db.flush()
    assert sweep_stale(db, JobSettings()) == 1
    db.refresh(record)
    assert (record.status, record.imported) == ("failed", 0)
    assert record.message == (
        "Importação não iniciada: a fila de processamento não a executou a tempo. Nada foi "
        "gravado; envie o arquivo de novo."
    )
