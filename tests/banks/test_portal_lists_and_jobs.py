"""Admin lists run a constant number of queries; the status sync is scheduled everywhere."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import event

from portal.banks import rules
from portal.core.audit import SYSTEM
from portal.core.jobs import get_kind
from portal.core.jobs.registry import PERIODIC
from portal.proposals import bank_sync
from tests import factories


@contextmanager
def counted(engine):
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _queries(client, db, path: str) -> int:
    with counted(db.get_bind().engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)


def test_bank_and_parameter_lists_do_not_grow_queries_with_rows(client, db, login_as):
    login_as("admin")
    factories.bank(db, "facta")
    factories.regulatory_defaults(db)
    few_banks = _queries(client, db, "/admin/banks")
    few_params = _queries(client, db, "/admin/parameters")
    for code in ("daycoval", "c6", "master", "bradesco"):
        factories.bank(db, code)
    for year in (2031, 2032, 2033):
        rules.add_version(db, SYSTEM, "max_term_months", Decimal("84"), date(year, 1, 1))
    assert _queries(client, db, "/admin/banks") == few_banks
    assert _queries(client, db, "/admin/parameters") == few_params


def test_status_sync_is_a_registered_job_with_a_five_minute_schedule():
    assert get_kind(bank_sync.KIND) is not None
    assert any(p.kind == bank_sync.KIND and p.every_seconds == 300 for p in PERIODIC)
