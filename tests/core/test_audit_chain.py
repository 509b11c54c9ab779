"""The audit log is append-only and hash-chained; tampering is caught."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from portal.core import audit
from portal.core.audit import Actor, AuditEntry
from tests.conftest import form_post


def test_login_outcomes_are_audited(client, db):
    from tests import factories

    user = factories.user(db)
    form_post(client, "/login", {"email": user.email, "password": "senha-errada-000"})
    form_post(client, "/login", {"email": user.email, "password": factories.PASSWORD})
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.target == f"user:{user.id}")).all()
    assert actions == ["login.failed", "login.succeeded"]
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "login.succeeded"))
    assert entry.ip == "127.0.0.1" and entry.actor_id == user.id


def test_chain_verifies_and_names_the_tampered_entry(app, db):
    actor = Actor(id=None, label="teste")
    entries = [audit.record(db, actor, "test.event", f"t:{i}", {"n": i}) for i in range(5)]
    assert audit.verify_chain(db).ok
    db.execute(text("UPDATE audit_entries SET target = 'adulterado' WHERE id = :id"), {"id": entries[2].id})
    db.expire_all()
    report = audit.verify_chain(db)
    assert not report.ok and report.broken_id == entries[2].id and "alterado" in report.reason


def test_chain_detects_a_deleted_entry(app, db):
    actor = Actor(id=None, label="teste")
    entries = [audit.record(db, actor, "test.event", f"t:{i}") for i in range(4)]
    db.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[1].id})
    db.expire_all()
    report = audit.verify_chain(db)
    assert report.broken_id == entries[2].id


def test_orm_refuses_to_update_or_delete_entries(db):
    entry = audit.record(db, Actor(id=None, label="t"), "test.event", "t:1")
    entry.target = "outro"
    with pytest.raises(PermissionError):
        db.flush()
    db.rollback()


def test_audit_verify_cli_reports_broken_chain(app, tmp_path):
    """Runs on a database of its own, committed for real, like the command in production."""
    from portal import create_app
    from tests.conftest import app_settings

    url = f"sqlite:///{tmp_path / 'audit-cli.db'}"
    other = create_app(app_settings(url))
    runner = other.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    ok = runner.invoke(args=["audit-verify"])
    assert ok.exit_code == 0 and "Cadeia íntegra" in ok.output
    engine = other.extensions["athenas.db"]["engine"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_entries SET action = 'x' WHERE id = 3"))
    broken = runner.invoke(args=["audit-verify"])
    assert broken.exit_code == 1 and "registro #3" in broken.output
