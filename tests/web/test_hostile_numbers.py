"""Hostile numbers in URLs, query strings and forms get a clear answer, never a 500."""

from __future__ import annotations

import pytest

from portal.core.ints import parse_int

HUGE = "9" * 25


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        ("agent", f"/sales/clients/{HUGE}", 404),
        ("agent", f"/sales/clients/{HUGE}/edit", 404),
        ("agent", "/sales/clients?owner=%C2%B2", 200),
        ("agent", "/sales/clients/export.csv?owner=%C2%B2", 200),
        ("agent", f"/jobs/{HUGE}", 404),
        ("agent", f"/jobs/{HUGE}/progress.json", 404),
        ("admin", f"/admin/collaborators/{HUGE}", 404),
        ("admin", f"/admin/privacy/clients/{HUGE}", 404),
        ("admin", "/admin/privacy/retention?years=%C2%B2", 200),
        ("operations", "/operations/proposals?q=%C2%B2", 200),
        ("operations", f"/operations/proposals/{HUGE}", 404),
    ],
)
def test_hostile_numbers_are_not_server_errors(client, login_as, role, path, expected):
    login_as(role)
    assert client.get(path).status_code == expected


def test_parse_int_accepts_only_plain_ascii_integers():
    assert parse_int("42") == 42 and parse_int(" 7 ") == 7
    for bad in ("²", "５", "-1", "1.5", "", None, "9" * 20, "12a"):
        assert parse_int(bad) is None, bad
    assert parse_int("101", max_value=100) is None
