"""Start the demo job, watch the bar move, see the result: run in-process in the embedded
mode, and by the Celery worker in the production shape (make test-browser-prod)."""

from __future__ import annotations

import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.production_shape]


def test_demo_job_progress_bar_moves_to_the_result(page, login, live_server):
    login("operacoes@demo.athenas")
    page.goto("/jobs/")
    page.fill("[data-testid=demo-form] input[name=steps]", "12")
    page.click("text=Iniciar processo de demonstração")
    page.wait_for_url(re.compile(r".*/jobs/\d+$"))
    seen = set()
    for _ in range(60):  # the partial polls every second; read what the user sees
        seen.add(page.inner_text("[data-testid=job-percent]"))
        if page.get_attribute("[data-testid=job-progress]", "data-status") == "done":
            break
        page.wait_for_timeout(250)
    assert page.get_attribute("[data-testid=job-progress]", "data-status") == "done"
    assert page.inner_text("[data-testid=job-percent]") == "100%"
    assert page.is_visible("[data-testid=job-result]")
    # The bar was seen part-way, not only at the end: the page returned at once.
    assert any(p.endswith("%") and p not in ("0%", "100%") for p in seen), seen
    assert page.query_selector("[data-testid=job-progress][hx-trigger]") is None  # polling stopped
