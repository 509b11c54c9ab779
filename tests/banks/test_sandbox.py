"""The sandbox bank itself: control endpoints, status progression, packaging rules."""

from __future__ import annotations

import time

from werkzeug.test import Client

from portal.banks.sandbox import create_sandbox_app
from portal.banks.sandbox.scenarios import CPF_MARGIN_OK


def test_health_and_unknown_routes(sandbox):
    assert sandbox.control("GET", "/health").json()["status"] == "ok"
    assert sandbox.control("GET", "/nada").status_code == 404
    assert sandbox.control("POST", "/proposals/XX999/advance").status_code == 404
    assert sandbox.control("POST", "/proposals", json={"bank": "itau"}).status_code == 400


def test_advance_walks_the_bank_flow_and_stops_at_the_end(sandbox):
    number = sandbox.control("POST", "/proposals", json={"bank": "c6", "cpf": CPF_MARGIN_OK})
    number = number.json()["number"]
    statuses = [
        sandbox.control("POST", f"/proposals/{number}/advance").json()["status"] for _ in range(6)
    ]
    assert statuses == [
        "ASSINADA",
        "EM_ANALISE",
        "APROVADA",
        "DESEMBOLSADA",
        "DESEMBOLSADA",
        "DESEMBOLSADA",
    ]
    assert sandbox.control("POST", f"/proposals/{number}/status", json={}).status_code == 400
    history = sandbox.control("GET", f"/proposals/{number}").json()["history"]
    assert [h["status"] for h in history][0] == "AGUARDANDO_ASSINATURA"


def test_statuses_also_move_over_time():
    app = create_sandbox_app(auto_advance_s=0.1)
    try:
        proposal, _ = app.state.create_proposal("facta", CPF_MARGIN_OK, None, {})
        deadline = time.monotonic() + 3
        while proposal.status == "AGUARDANDO ASSINATURA DIGITAL" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proposal.status != "AGUARDANDO ASSINATURA DIGITAL"
    finally:
        app.close()


def test_in_process_app_answers_without_a_server():
    app = create_sandbox_app()
    response = Client(app).get("/facta/gera-token", headers={"Authorization": "Basic eDp5"})
    assert response.status_code == 200
    assert response.json["erro"] is False and response.json["token"]
    assert app.state.calls["GET /facta/gera-token"] == 1


