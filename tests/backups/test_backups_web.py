"""/admin/backups: runs with verification state and age, the 26 h alert, "Fazer backup agora"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from portal.core.backups import backup_freshness
from portal.core.backups.models import BackupRun
from portal.core.jobs import Job
from portal.web.admin import backups_views
from tests.conftest import csrf_token_from
from tests.jobs.conftest import ManualRunner
from tests.page_text import text_by_testid, visible_text

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _run(db, backup_id: str, hours_ago: float, status: str = "ok", verification: str = "ok") -> BackupRun:
    created = NOW - timedelta(hours=hours_ago)
    run = BackupRun(
        backup_id=backup_id, repository="/srv/backups", snapshot_id="ab12cd34", status=status, message="",
        size_bytes=3 * 1048576, tables=48, rows=1000, created_at=created, finished_at=created,
        verification=verification, verified_at=created if verification != "pending" else None,
        verification_message="",
    )  # fmt: skip
    db.add(run)
    db.flush()
    return run


def test_freshness_alerts_when_the_last_good_backup_is_older_than_26_hours(db):
    assert backup_freshness(db, NOW) == ("alert", "Nenhum backup concluído até agora.")
    _run(db, "b-failed", 1, status="failed")
    assert backup_freshness(db, NOW)[0] == "alert"
    _run(db, "b-old", 27)
    assert backup_freshness(db, NOW) == ("alert", "Último backup concluído há 27 h (limite de 26 h).")
    _run(db, "b-recent", 25)
    assert backup_freshness(db, NOW) == ("ok", "Último backup concluído há 25 h.")


def test_admin_page_lists_runs_with_verification_and_age_and_the_alert(client, db, login_as, monkeypatch):
    monkeypatch.setattr(backups_views, "utcnow", lambda: NOW)
    _run(db, "20261129-060000-aaaa", 30, verification="ok")
    _run(db, "20261129-070000-bbbb", 29, verification="failed")
    login_as("admin")
    html = client.get("/admin/backups").get_data(as_text=True)
    assert (
        text_by_testid(html, "backup-freshness")
        == "Backup atrasado. Último backup concluído há 29 h (limite de 26 h)."
    )
    table = text_by_testid(html, "backups-table")
    assert "20261129-060000-aaaa 29/11/2026" in table and "30 h" in table and "Verificado" in table
    assert "Falhou na verificação" in table and "3.0 MiB" in table
    export = client.get("/admin/backups/export.csv").get_data(as_text=True)
    assert "20261129-070000-bbbb" in export and "Falhou na verificação" in export

    _run(db, "20261130-100000-cccc", 2, verification="pending")
    html = client.get("/admin/backups").get_data(as_text=True)
    assert text_by_testid(html, "backup-freshness") == "Último backup concluído há 2 h."
    assert "Não verificado" in visible_text(html)


def test_only_admins_see_the_backups(client, login_as):
    login_as("finance")
    assert client.get("/admin/backups").status_code == 403
    assert client.post("/admin/backups/run").status_code in (400, 403)


def test_back_up_now_runs_a_job_that_backs_up_verifies_and_lists_it(app, client, db, login_as, temp_backups):
    service = app.extensions["athenas.jobs"]
    original = service.runner
    runner = ManualRunner(service.env)
    service.runner = runner
    db.info["athenas.jobs"] = service
    try:
        login_as("admin")
        assert client.post("/admin/backups/run").status_code == 400  # no CSRF token
        token = csrf_token_from(client, "/admin/backups")
        response = client.post("/admin/backups/run", data={"csrf_token": token})
        assert response.status_code == 303
        job = db.scalars(select(Job).order_by(Job.id.desc())).first()
        assert job is not None and job.kind == "backups.create"
        assert response.headers["Location"].endswith(f"/jobs/{job.id}")
        runner.run_all()
    finally:
        service.runner = original
    db.expire_all()
    job = db.get(Job, job.id)
    assert job.status == "done", job.error
    assert job.result["message"].startswith("Backup ") and job.result["message"].endswith(" concluído.")
    [run] = db.scalars(select(BackupRun)).all()
    assert (run.status, run.verification, run.repository) == ("ok", "ok", temp_backups.repositories[0])
    html = client.get("/admin/backups").get_data(as_text=True)
    assert run.backup_id in html and "Verificado" in text_by_testid(html, "backups-table")


def test_the_progress_partial_resends_only_the_times_not_their_labels(app, client, db, login_as):
    # A long job (a backup) polls every second: labels sent out of band piled up on the page.
    user = login_as("admin")
    job = Job(kind="backups.create", params={}, actor_id=user.id, actor_label=user.email, status="running",
              started_at=NOW)  # fmt: skip
    db.add(job)
    db.flush()
    partial = client.get(f"/jobs/{job.id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f'id="job-finished-{job.id}"' in partial
    assert "Início" not in partial and "Término" not in partial
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert page.count("Início") == 1 and page.count("Término") == 1
