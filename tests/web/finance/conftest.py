"""Fixtures of the finance page tests: the commission world of tests.commissions (Facta
table approved, Ana's 40 % plan, a 0,30 % supervisor override), a paid proposal on it,
signing in, and the job runner the test drives by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests import factories
from tests.commissions.helpers import paid_proposal, world
from tests.conftest import csrf_token_from
from tests.conftest import sign_in as conftest_sign_in
from tests.jobs.conftest import manual_runner  # noqa: F401  (the recalculation job runs by hand)


@pytest.fixture
def fin(db):
    return world(db)


@pytest.fixture
def paid(db, monkeypatch, fin):
    """The issue's worked example: R$ 10.000,00 gross, paid on 05/03/2026."""
    return paid_proposal(db, monkeypatch, fin, date(2026, 3, 5), contract="CT-EXEMPLO")


@pytest.fixture
def sign_in(client, db):
    def _sign_in(user):
        conftest_sign_in(client, db, user)  # completes the TOTP step for finance/manager/admin
        return user

    return _sign_in


@pytest.fixture
def finance_user(db, sign_in):
    return sign_in(factories.user(db, role="finance", email="fin@teste.athenas", name="Fernanda Financeiro"))


@pytest.fixture
def post(client):
    """POST like the browser: with the CSRF token of `page`."""

    def _post(path: str, data: dict | None = None, page: str = "/finance/", **kwargs):
        return client.post(path, data={**(data or {}), "csrf_token": csrf_token_from(client, page)}, **kwargs)

    return _post
