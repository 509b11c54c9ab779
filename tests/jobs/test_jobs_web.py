"""Job pages through the real app: start, progress partial, result, failure, scoping,
cancellation, CSRF, stale detection, export. Jobs run when the test says so
(`manual_runner.run_all()`), in the test thread."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.audit import SYSTEM, Actor
from portal.core.db import utcnow
from portal.core.jobs import STALE_MESSAGE, Job, JobStatus, enqueue
from tests import factories
from tests.conftest import form_post


def _start_demo(client, steps=3, fail=False):
    data = {"steps": steps}
    if fail:
        data["simulate_failure"] = "y"
    return form_post(client, "/jobs/demo", data, token_page="/jobs/")


def _job_id(response) -> int:
    match = re.search(r"/jobs/(\d+)$", response.headers["Location"])
    assert match, response.headers.get("Location")
    return int(match.group(1))


def _enqueue_for(db, user, kind="test.quick", **params) -> Job:
    return enqueue(db, kind, Actor(id=user.id, label=user.email), **params)


def _fast_demo(db, manual_runner, job_id):
    job = db.get(Job, job_id)
    job.params = {**job.params, "delay": 0}
    db.flush()


def test_start_demo_queues_a_job_and_dispatches_only_after_commit(client, login_as, manual_runner, db):
    user = login_as("operations")
    response = _start_demo(client)
    assert response.status_code == 302
    job = db.get(Job, _job_id(response))
    assert (job.kind, job.status, job.actor_id) == ("demo.recompute", "queued", user.id)
    assert job.params == {"steps": 3}
    assert manual_runner.dispatched == [job.id]
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Recalcular totais de demonstração" in page and "Na fila" in page


def test_enqueue_in_a_rolled_back_transaction_dispatches_nothing(app, db, manual_runner):
    user = factories.user(db)
    with app.app_context():
        from portal.extensions import db as app_db

        session = app_db.new_session()
        enqueue(session, "test.quick", Actor(id=user.id, label=user.email))
        session.rollback()
        session.close()
    assert manual_runner.dispatched == []


def test_progress_partial_polls_until_the_job_is_done(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client, steps=4))
    _fast_demo(db, manual_runner, job_id)
    partial = client.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial and "Na fila" in partial

    manual_runner.run_all()
    done = client.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in done, "polling must stop once the job finished"
    assert "Concluído" in done and "100%" in done and "pct-100" in done
    assert "Totais de demonstração recalculados." in done
    assert "Usuários ativos" in done
    assert "Cancelar processo" not in done


def test_result_file_is_kept_in_storage_and_downloadable_by_the_owner(
    client, login_as, manual_runner, db, app
):
    login_as("operations")
    job_id = _job_id(_start_demo(client, steps=2))
    _fast_demo(db, manual_runner, job_id)
    manual_runner.run_all()
    response = client.get(f"/jobs/{job_id}/file")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("Indicador;Total") and "Usuários ativos" in body


def test_progress_json_reports_status_and_percent(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client, steps=2))
    assert client.get(f"/jobs/{job_id}/progress.json").get_json()["status"] == "queued"
    _fast_demo(db, manual_runner, job_id)
    manual_runner.run_all()
    data = client.get(f"/jobs/{job_id}/progress.json").get_json()
    assert data["status"] == "done" and data["percent"] == 100 and data["finished"] is True
    assert data["result"]["summary"]["Usuários ativos"] >= 1


def test_a_crash_fails_the_job_with_a_portuguese_message_and_no_traceback(
    client, login_as, manual_runner, db, caplog
):
    user = login_as("agent")
    job = _enqueue_for(db, user, "test.crash")
    manual_runner.dispatched.append(job.id)
    with caplog.at_level(logging.ERROR, logger="portal.jobs"):
        manual_runner.run_all()
    db.refresh(job)
    assert job.status == "failed" and job.finished_at is not None
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "O processo falhou" in page and f"processo nº {job.id}" in page
    assert "segredo-interno-do-stacktrace" not in page and "Traceback" not in page
    assert "hx-trigger" not in page
    assert "segredo-interno-do-stacktrace" in caplog.text and "Traceback" in caplog.text
    # The bar stays where the job stopped (50%), even on SQLite where it lived in memory.
    assert client.get(f"/jobs/{job.id}/progress.json").get_json()["percent"] == 50


def test_demo_with_simulated_failure_shows_failed_to_its_owner(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client, steps=4, fail=True))
    _fast_demo(db, manual_runner, job_id)
    manual_runner.run_all()
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Falhou" in page and "erro inesperado" in page
    assert "falha simulada" not in page
    assert client.get(f"/jobs/{job_id}/file").status_code == 404


def test_a_domain_error_shows_its_own_message(client, login_as, manual_runner, db):
    user = login_as("agent")
    job = _enqueue_for(db, user, "test.refused")
    manual_runner.dispatched.append(job.id)
    manual_runner.run_all()
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "O arquivo do banco tem um layout desconhecido." in page


def test_other_users_jobs_are_404_and_absent_from_the_list(client, login_as, manual_runner, db):
    other = factories.user(db, role="agent")
    theirs = _enqueue_for(db, other)
    login_as("agent")
    for path in (f"/jobs/{theirs.id}", f"/jobs/{theirs.id}/progress", f"/jobs/{theirs.id}/progress.json"):
        assert client.get(path).status_code == 404, path
    response = form_post(client, f"/jobs/{theirs.id}/cancel", token_page="/jobs/")
    assert response.status_code == 404
    assert f'data-job-id="{theirs.id}"' not in client.get("/jobs/").get_data(as_text=True)
    db.refresh(theirs)
    assert theirs.status == "queued" and not theirs.cancel_requested


def test_admin_sees_every_job_but_only_the_owner_cancels(client, login_as, manual_runner, db):
    agent = factories.user(db, role="agent")
    job = _enqueue_for(db, agent)
    login_as("admin")
    listing = client.get("/jobs/").get_data(as_text=True)
    assert f'data-job-id="{job.id}"' in listing and agent.email in listing
    assert "Somente os meus" in listing
    mine_only = client.get("/jobs/?mine=1").get_data(as_text=True)
    assert f'data-job-id="{job.id}"' not in mine_only
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "Cancelar processo" not in page
    response = form_post(client, f"/jobs/{job.id}/cancel", token_page="/jobs/")
    assert response.status_code == 403
    assert "Somente quem iniciou o processo" in response.get_data(as_text=True)


def test_owner_cancels_a_queued_job_and_it_never_runs(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client))
    assert "Cancelar processo" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
    response = form_post(client, f"/jobs/{job_id}/cancel", token_page=f"/jobs/{job_id}")
    assert response.status_code == 302
    manual_runner.run_all()
    job = db.get(Job, job_id)
    db.refresh(job)
    assert job.status == "cancelled" and job.started_at is None and job.attempts == 0
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Processo cancelado" in page and "hx-trigger" not in page
    again = form_post(client, f"/jobs/{job_id}/cancel", token_page="/jobs/")
    assert again.status_code == 409 and "já terminou" in again.get_data(as_text=True)


def test_cancel_by_htmx_returns_the_updated_partial(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client))
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/jobs/").get_data(as_text=True))[1]
    response = client.post(f"/jobs/{job_id}/cancel", headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body and "Cancelado" in body and "hx-trigger" not in body


def test_cancel_without_csrf_token_is_refused(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client))
    response = client.post(f"/jobs/{job_id}/cancel")
    assert response.status_code == 400
    job = db.get(Job, job_id)
    db.refresh(job)
    assert job.status == "queued" and not job.cancel_requested


def test_starting_a_job_without_csrf_token_is_refused(client, login_as, manual_runner, db):
    login_as("operations")
    before = db.scalar(select(func.count()).select_from(Job))
    assert client.post("/jobs/demo", data={"steps": 3}).status_code == 400
    assert db.scalar(select(func.count()).select_from(Job)) == before
    assert manual_runner.dispatched == []


def _running_job(db, user, heartbeat_at) -> Job:
    return Job(
        kind="test.quick",
        params={},
        actor_id=user.id,
        actor_label=user.email,
        status="running",
        progress_done=3,
        progress_total=10,
        progress_message="Etapa 3",
        created_at=heartbeat_at,
        started_at=heartbeat_at,
        heartbeat_at=heartbeat_at,
    )


def test_stale_running_job_is_marked_failed_when_the_list_loads(client, login_as, manual_runner, db):
    user = login_as("agent")
    stale = _running_job(db, user, utcnow() - timedelta(hours=1))
    alive = _running_job(db, user, utcnow())
    db.add_all([stale, alive])
    db.flush()
    assert client.get("/jobs/").status_code == 200
    db.refresh(stale)
    db.refresh(alive)
    assert stale.status == "failed" and stale.error == STALE_MESSAGE
    assert alive.status == "running"
    page = client.get(f"/jobs/{stale.id}").get_data(as_text=True)
    assert "Processo interrompido: o servidor que executava a tarefa parou." in page


def test_stale_job_fails_on_its_own_page_without_the_list(client, login_as, manual_runner, db):
    """Someone watching a crashed job sees it fail (and the polling stop) without ever
    opening the jobs list."""
    user = login_as("agent")
    stale = _running_job(db, user, utcnow() - timedelta(hours=1))
    db.add(stale)
    db.flush()

    page = client.get(f"/jobs/{stale.id}").get_data(as_text=True)

    db.refresh(stale)
    assert stale.status == "failed" and stale.error == STALE_MESSAGE
    assert "Falhou" in page and STALE_MESSAGE in page
    assert 'hx-trigger="every 1s"' not in page


def test_stale_job_fails_on_the_progress_partial_and_json(client, login_as, manual_runner, db):
    user = login_as("agent")
    polled, asked = (_running_job(db, user, utcnow() - timedelta(hours=1)) for _ in range(2))
    db.add_all([polled, asked])
    db.flush()

    partial = client.get(f"/jobs/{polled.id}/progress", headers={"HX-Request": "true"})
    html = partial.get_data(as_text=True)
    assert partial.status_code == 200
    assert 'data-status="failed"' in html and "Falhou" in html
    assert "hx-trigger" not in html  # the page stops polling
    db.refresh(polled)
    assert polled.status == "failed" and polled.error == STALE_MESSAGE

    data = client.get(f"/jobs/{asked.id}/progress.json").get_json()
    assert data["status"] == "failed" and data["status_label"] == "Falhou"
    assert "interrompido" in data["error"]
    db.refresh(asked)
    assert asked.status == "failed" and asked.error == STALE_MESSAGE


def test_a_job_with_a_fresh_heartbeat_keeps_running_on_its_page(client, login_as, manual_runner, db):
    user = login_as("agent")
    alive = _running_job(db, user, utcnow())
    db.add(alive)
    db.flush()

    html = client.get(f"/jobs/{alive.id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)

    assert 'data-status="running"' in html and 'hx-trigger="every 1s"' in html
    db.refresh(alive)
    assert alive.status == "running"


def test_list_filters_paginates_and_exports_only_own_jobs(client, login_as, manual_runner, db):
    user = login_as("agent")
    other = factories.user(db)
    for _ in range(27):
        _enqueue_for(db, user)
    _enqueue_for(db, other)
    _enqueue_for(db, user, "test.refused")
    first = client.get("/jobs/").get_data(as_text=True)
    assert first.count("data-job-id=") == 25 and "Próxima página" in first
    cursor = re.search(r'after=([^"&]+)', first)[1]
    second = client.get(f"/jobs/?after={cursor}").get_data(as_text=True)
    assert second.count("data-job-id=") == 3
    refused = client.get("/jobs/?kind=test.refused").get_data(as_text=True)
    assert refused.count("data-job-id=") == 1
    csv_text = client.get("/jobs/export.csv").get_data(as_text=True)
    assert csv_text.count("Teste: rápido") == 27 and other.email not in csv_text
    xlsx = client.get("/jobs/export.xlsx?status=queued")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_menu_has_processos_for_every_role(client, login_as):
    login_as("finance")
    html = client.get("/jobs/").get_data(as_text=True)
    menu = html.split('data-testid="main-menu"')[1].split("</ul>")[0]
    assert ">Processos</a>" in menu
    assert "Meus processos" in html


def test_system_jobs_are_visible_to_admin_only(client, login_as, manual_runner, db):
    job = enqueue(db, "test.quick", SYSTEM)
    login_as("agent")
    assert client.get(f"/jobs/{job.id}").status_code == 404


def test_params_must_not_carry_personal_data(db, manual_runner):
    import pytest

    user = factories.user(db)
    with pytest.raises(ValueError, match="personal data"):
        _enqueue_for(db, user, cpf="12345678909")
    with pytest.raises(ValueError, match="unknown job kind"):
        enqueue(db, "no.such.kind", SYSTEM)


def test_job_status_labels_are_portuguese():
    assert [s.label for s in JobStatus] == ["Na fila", "Em execução", "Concluído", "Falhou", "Cancelado"]


def test_finished_job_updates_its_end_time_and_tells_a_failure_once(client, login_as, manual_runner, db):
    login_as("operations")
    job_id = _job_id(_start_demo(client, steps=2, fail=True))
    _fast_demo(db, manual_runner, job_id)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert re.search(r'data-testid="job-finished">—<', page)
    manual_runner.run_all()
    partial = client.get(f"/jobs/{job_id}/progress", headers={"HX-Request": "true"}).get_data(as_text=True)
    oob_end = r'id="job-finished-\d+" data-testid="job-finished" hx-swap-oob="true">([^<]+)<'
    finished = re.search(oob_end, partial)
    assert finished and re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", finished.group(1))
    assert partial.count("O processo falhou") == 1


@pytest.mark.parametrize("role", ["agent", "supervisor", "finance", "manager"])
def test_demo_job_is_neither_offered_nor_started_outside_operations_and_admin(client, login_as, db, role):
    login_as(role)
    page = client.get("/jobs/").get_data(as_text=True)
    assert 'data-testid="demo-form"' not in page and "Processo de demonstração" not in page
    before = db.scalar(select(func.count()).select_from(Job))
    assert form_post(client, "/jobs/demo", {"steps": 3}, token_page="/jobs/").status_code == 403
    assert db.scalar(select(func.count()).select_from(Job)) == before


@pytest.mark.parametrize("role", ["operations", "admin"])
def test_demo_job_is_offered_to_operations_and_admin(client, login_as, role):
    login_as(role)
    assert 'data-testid="demo-form"' in client.get("/jobs/").get_data(as_text=True)
