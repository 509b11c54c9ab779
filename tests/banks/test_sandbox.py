"""The sandbox bank itself: control endpoints, status progression, packaging rules."""

from __future__ import annotations

import time

from werkzeug.test import Client

from sandbox_bank import create_sandbox_app
from sandbox_bank.scenarios import CPF_MARGIN_OK


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




def test_the_sandbox_lives_outside_the_production_package():
    """Production code cannot import the fake bank: it is a package of its own, and a
    forbidden contract (checked by `lint-imports` in test_layer_contracts_hold) keeps
    every `portal` module away from it."""
    import pkgutil
    import tomllib

    import portal
    from portal.config import PROJECT_ROOT

    modules = [name for _, name, _ in pkgutil.walk_packages(portal.__path__, "portal.")]
    assert "portal.banks.registry" in modules  # the walk does see the bank layer
    assert not [name for name in modules if "sandbox" in name.split(".")]
    contracts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    forbidden = [c for c in contracts["contracts"] if c["type"] == "forbidden"]
    assert {"source_modules": ["portal"], "forbidden_modules": ["sandbox_bank"]}.items() <= next(
        c for c in forbidden if c["forbidden_modules"] == ["sandbox_bank"]
    ).items()
