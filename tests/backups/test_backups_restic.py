"""Backups through the real restic: passwords, several repositories, refusals, retention."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from portal.core.backups.recovery import restore_backup, verify_backup
from portal.core.backups.restic import Restic, ResticError
from portal.core.backups.service import apply_retention, create_backup, list_backups
from portal.core.errors import DomainError
from tests.backups.helpers import MARKER, PASSWORD, settings_for, small_sqlite

NOW = datetime(2026, 3, 10, 3, 0, tzinfo=UTC)


def test_a_repository_cannot_be_read_without_its_password(tmp_path: Path):
    settings = settings_for(tmp_path)
    source = small_sqlite(tmp_path / "source.db")
    outcome = create_backup(settings, source, NOW)
    assert outcome.ok
    repo_dir = tmp_path / "repo"
    # The data is encrypted: the marker row's text is nowhere in the repository's files.
    for path in repo_dir.rglob("*"):
        if path.is_file():
            assert MARKER.encode() not in path.read_bytes()
    with pytest.raises(ResticError) as wrong:
        Restic(str(repo_dir), "outra-senha").snapshots()
    assert wrong.value.kind == "wrong_password"
    thief = settings_for(tmp_path, password="outra-senha")
    backups, errors = list_backups(thief)
    assert backups == [] and "Senha incorreta" in errors[str(repo_dir)]
    with pytest.raises(DomainError, match="não encontrado"):
        restore_backup(thief, outcome.backup_id, f"sqlite:///{tmp_path / 'stolen.db'}")
    assert not (tmp_path / "stolen.db").exists()
    # The right password reads it back.
    assert [info.backup_id for info in list_backups(settings)[0]] == [outcome.backup_id]


def test_every_repository_gets_the_backup_and_a_failing_one_is_reported(tmp_path: Path):
    # A third repository exists already with another password: it must fail, the others not.
    Restic(str(tmp_path / "other"), "senha-diferente").ensure_initialised()
    settings = settings_for(tmp_path, "local", "second", "other")
    (tmp_path / "storage" / "docs").mkdir()
    (tmp_path / "storage" / "docs" / "contrato.pdf").write_bytes(b"%PDF-1.4 conteudo")
    source = small_sqlite(tmp_path / "source.db")

    outcome = create_backup(settings, source, NOW)

    assert [r.ok for r in outcome.results] == [True, True, False]
    assert "Senha incorreta" in outcome.results[2].message
    assert not outcome.ok
    for name in ("local", "second"):
        parts = {s.tag_value("part") for s in Restic(str(tmp_path / name), PASSWORD).snapshots()}
        assert parts == {"database", "storage", "manifest"}
    assert outcome.manifest.tables["people"].rows == 3 and outcome.manifest.tables["tags"].rows == 2
    assert outcome.manifest.storage.keys() == {"docs/contrato.pdf"}
    # Both good repositories verify; the bad one is reported, not hidden.
    results = verify_backup(settings, outcome.backup_id, subset_percent=100)
    assert [r.ok for r in results] == [True, True, False]
    assert results[0].tables == 2 and results[0].rows == 5
    # Restoring from the second repository alone gives back the files too.
    target = tmp_path / "restored.db"
    files = tmp_path / "restored-storage"
    report = restore_backup(
        settings, outcome.backup_id, f"sqlite:///{target}", files, str(tmp_path / "second")
    )
    assert report.ok, report.problems
    assert (files / "docs" / "contrato.pdf").read_bytes() == b"%PDF-1.4 conteudo"
    connection = sqlite3.connect(target)
    assert connection.execute("SELECT name FROM people ORDER BY id").fetchall() == [
        ("João",),
        (MARKER,),
        ("Zoë",),
    ]
    connection.close()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path: Path):
    settings = settings_for(tmp_path)
    source = small_sqlite(tmp_path / "source.db")
    outcome = create_backup(settings, source, NOW)
    busy = small_sqlite(tmp_path / "busy.db")
    with pytest.raises(DomainError, match="O banco de destino não está vazio \\(2 tabela\\(s\\)\\)"):
        restore_backup(settings, outcome.backup_id, busy)
    connection = sqlite3.connect(tmp_path / "busy.db")
    assert connection.execute("SELECT count(*) FROM people").fetchone() == (3,)
    connection.close()


def test_verify_notices_a_damaged_repository(tmp_path: Path):
    settings = settings_for(tmp_path)
    outcome = create_backup(settings, small_sqlite(tmp_path / "source.db"), NOW)
    packs = sorted(p for p in (tmp_path / "repo" / "data").rglob("*") if p.is_file())
    for pack in packs:  # flip one byte in the middle of every data pack
        raw = bytearray(pack.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        pack.write_bytes(bytes(raw))
    [result] = verify_backup(settings, outcome.backup_id, subset_percent=100)
    assert not result.ok


def test_retention_keeps_what_the_policy_says(tmp_path: Path):
    settings = settings_for(tmp_path, keep_daily=2, keep_weekly=2, keep_monthly=1)
    source = small_sqlite(tmp_path / "source.db")
    days = [5, 19, 12, 20, 21, 22]  # January 2026; the 5th, 12th and 19th are Mondays
    made = {
        day: create_backup(settings, source, datetime(2026, 1, day, 3, 0, tzinfo=UTC)).backup_id
        for day in days
    }

    removed = apply_retention(settings)

    # daily 2 → 22nd and 21st; weekly 2 → week of the 19th (22nd) and of the 12th (12th);
    # monthly 1 → January (22nd). Kept: 12th, 21st, 22nd.
    kept = {made[day] for day in (12, 21, 22)}
    assert removed[str(tmp_path / "repo")] == {made[day] for day in (5, 19, 20)}
    assert {info.backup_id for info in list_backups(settings)[0]} == kept


def test_the_password_travels_in_the_environment_never_on_the_command_line(
    tmp_path: Path, monkeypatch, caplog
):
    import subprocess

    calls: list[tuple[list[str], dict[str, str] | None]] = []
    real_run, real_popen = subprocess.run, subprocess.Popen

    def spy_run(argv, *args, **kwargs):
        calls.append((list(argv), kwargs.get("env")))
        return real_run(argv, *args, **kwargs)

    def spy_popen(argv, *args, **kwargs):
        calls.append((list(argv), kwargs.get("env")))
        return real_popen(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", spy_run)
    monkeypatch.setattr(subprocess, "Popen", spy_popen)
    caplog.set_level("DEBUG")
    settings = settings_for(tmp_path)
    outcome = create_backup(settings, small_sqlite(tmp_path / "source.db"), NOW)
    verify_backup(settings, outcome.backup_id)

    restic_calls = [(argv, env) for argv, env in calls if argv[0] == "restic"]
    assert len(restic_calls) >= 5  # init check, init, 2 backups, snapshots, check, dumps
    for argv, env in restic_calls:
        assert PASSWORD not in " ".join(argv)
        assert env is not None and env["RESTIC_PASSWORD"] == PASSWORD
    assert PASSWORD not in caplog.text


def test_the_scheduled_job_is_registered_and_backs_up_only_when_due(db):
    from datetime import timedelta

    from portal.core.backups import runs
    from portal.core.backups.job import SCHEDULED_KIND
    from portal.core.backups.models import BackupRun
    from portal.core.jobs.registry import PERIODIC

    assert any(entry.kind == SCHEDULED_KIND and entry.every_seconds == 3600 for entry in PERIODIC)
    assert runs.backup_due(db, NOW)  # never backed up
    db.add(
        BackupRun(
            backup_id="b1", repository="/r", snapshot_id="s", status="ok", message="", size_bytes=1,
            tables=1, rows=1, created_at=NOW - timedelta(hours=22), finished_at=NOW,
            verification="pending", verification_message="",
        )
    )  # fmt: skip
    db.flush()
    assert not runs.backup_due(db, NOW)
    assert runs.backup_due(db, NOW + timedelta(hours=1))
