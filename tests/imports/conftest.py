from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def banks(db):
    factories.bank(db, "facta")
    factories.bank(db, "c6")
    db.flush()
