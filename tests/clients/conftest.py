"""Client tests share one small org (see factories.client_org)."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def org(db):
    return factories.client_org(db)
