"""Jobs run by hand in the test thread (the jobs tests' manual runner) and a fake clock."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.jobs.conftest import ManualRunner, manual_runner  # noqa: F401  (fixture)

__all__ = ["ManualRunner"]


@pytest.fixture
def clock(monkeypatch):
    """`clock.set(datetime)` fixes the moment the reports domain sees."""
    from portal.insights import reports

    class Clock:
        moment: datetime | None = None

        def set(self, moment: datetime) -> None:
            self.moment = moment

    fake = Clock()
    monkeypatch.setattr(reports, "now", lambda: fake.moment)
    return fake
