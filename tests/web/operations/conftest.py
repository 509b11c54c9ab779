"""Fixtures of the pipeline page tests: the small org, signing in as one of its users,
and a job runner the test drives by hand."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import factories
from tests.conftest import form_post
from tests.jobs.conftest import ManualRunner
from tests.pipeline_helpers import build_org


@pytest.fixture
def org(db):
    return build_org(db)


@pytest.fixture
def sign_in(client):
    def _sign_in(user):
        response = form_post(client, "/login", {"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302
        return user

    return _sign_in


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


@pytest.fixture
def storage_root(app):
    """The app's storage directory (documents written by services in tests land here)."""
    from pathlib import Path

    return Path(app.config["STORAGE_DIR"])
