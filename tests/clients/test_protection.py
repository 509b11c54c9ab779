"""Personal data at rest: nothing readable in a database dump; keys rotate."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from portal import create_app
from portal.clients.models import BenefitLink, Client
from portal.core import crypto
from portal.core.db import Base
from portal.core.migrations import alembic_config
from portal.extensions import db as app_db
from tests import factories
from tests.conftest import app_settings

CPF = "52998224725"
PHONE = "11987654321"
BENEFIT = "1234567890"
ACCOUNT = "12345678-9"
SECRETS = [
    CPF,
    "529.982.247-25",
    PHONE,
    "(11) 98765-4321",
    "98765-4321",
    BENEFIT,
    "123.456.789-0",
    ACCOUNT,
    "123456789",
]


def _create_sensitive_client(session):
    user = factories.user(session, role="agent")
    factories.collaborator(session, user)
    return factories.registered_client(
        session,
        user,
        cpf="529.982.247-25",
        name="Dump Canário",
        phone="(11) 98765-4321",
        provenance="agent",
        link={
            "agreement": "INSS",
            "benefit_number": "123.456.789-0",
            "payout_bank": "001",
            "payout_agency": "1234",
            "payout_account": ACCOUNT,
        },
    )


def _dump(connection) -> str:
    """Every row of every table as text, the way a stolen backup would read."""
    parts = []
    for table in Base.metadata.sorted_tables:
        name = table.name  # from our own metadata, not user input
        if connection.dialect.name == "postgresql":
            sql = f'SELECT t::text FROM "{name}" t'  # noqa: S608
            parts.extend(connection.execute(text(sql)).scalars())
        else:
            sql = f'SELECT * FROM "{name}"'  # noqa: S608
            parts.extend(str(tuple(row)) for row in connection.execute(text(sql)))
    return "\n".join(parts)


def test_database_dump_shows_no_personal_data_in_clear(db):
    client = _create_sensitive_client(db)
    db.flush()
    dump = _dump(db.connection())
    assert "Dump Canário" in dump  # the dump really holds the rows
    for secret in SECRETS:
        assert secret not in dump, secret
    db.expire_all()
    reloaded = db.get(Client, client.id)
    assert reloaded.cpf == CPF and reloaded.phone == PHONE  # still readable through the app


def test_sqlite_file_bytes_hold_no_personal_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'dump.db'}"
    previous = crypto.get_keyring()
    app = create_app(app_settings(url))
    try:
        with app.app_context():
            from alembic import command

            command.upgrade(alembic_config(url), "head")
            session = app_db.new_session()
            _create_sensitive_client(session)
            session.commit()
            session.close()
            app.extensions["athenas.db"]["engine"].dispose()
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("dump.db"))
        assert "Dump Canário".encode() in raw
        for secret in SECRETS:
            assert secret.encode() not in raw, secret
    finally:
        crypto.configure_keyring(previous)


def _tokens(db):
    return [
        *db.execute(select(text("cpf"), text("phone")).select_from(Client.__table__)).all(),
        *db.execute(
            select(text("benefit_number"), text("payout_account")).select_from(BenefitLink.__table__)
        ),
    ]


def test_rotate_data_key_reencrypts_every_encrypted_column(app, db):
    client = _create_sensitive_client(db)
    cpf_index = client.cpf_index
    old_ring = crypto.get_keyring()
    assert all(t.startswith(f"{old_ring.current_id}$") for row in _tokens(db) for t in row if t)
    new_ring = old_ring.with_new_key("k2026")
    crypto.configure_keyring(new_ring)
    try:
        result = app.test_cli_runner().invoke(args=["rotate-data-key", "--batch", "1"])
        assert result.exit_code == 0, result.output
        assert re.search(r"clients\.cpf\s+1 valor", result.output)
        assert re.search(r"collaborators\.cpf\s+1 valor", result.output)
        assert re.search(r"client_benefit_links\.payout_account\s+1 valor", result.output)
        tokens = [t for row in _tokens(db) for t in row if t]
        assert len(tokens) == 4
        assert all(t.startswith("k2026$") for t in tokens)
        db.expire_all()
        again = db.get(Client, client.id)
        assert again.cpf == CPF and again.phone == PHONE
        assert again.cpf_index == cpf_index  # blind indexes survive rotation
        link = db.scalar(select(BenefitLink).where(BenefitLink.client_id == client.id))
        assert link.benefit_number == BENEFIT and link.payout_account == ACCOUNT
        # A second run has nothing left to do.
        second = app.test_cli_runner().invoke(args=["rotate-data-key"])
        assert "Rotação concluída: 0 valor(es)" in second.output
    finally:
        crypto.configure_keyring(app.extensions["athenas.keyring"])
