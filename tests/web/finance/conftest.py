"""Fixtures of the finance tool pages: a job runner the test drives by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.jobs.conftest import ManualRunner


@pytest.fixture
def runner(app, db) -> Iterator[ManualRunner]:
    service = app.extensions["athenas.jobs"]
    original = service.runner
    manual = ManualRunner(service.env)
    service.runner = manual
    db.info["athenas.jobs"] = service
    try:
        yield manual
    finally:
        service.runner = original
