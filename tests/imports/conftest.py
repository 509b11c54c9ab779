from __future__ import annotations

import pytest

from tests import factories
from tests.jobs.conftest import manual_runner  # noqa: F401  (the hub's job runs by hand)


@pytest.fixture
def banks(db):
    factories.bank(db, "facta")
    factories.bank(db, "c6")
    db.flush()
