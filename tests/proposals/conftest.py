"""Fixtures of the pipeline tests (org, storage directory)."""

from __future__ import annotations

import pytest

from tests.pipeline_helpers import build_org


@pytest.fixture
def org(db):
    return build_org(db)


@pytest.fixture
def storage(tmp_path):
    return tmp_path / "storage"
