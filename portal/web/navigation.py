"""The menu each role may see, injected into every template."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, url_for
from flask_login import current_user

from portal.people.permissions import Permission

# (label, endpoint, permission); later issues add entries here.
MENU: list[tuple[str, str, Permission]] = [
    ("Vendas", "sales.index", Permission.SALES),
    ("Clientes", "sales.clients", Permission.CLIENTS_VIEW),
    ("Operações", "operations.index", Permission.OPERATIONS),
    ("Financeiro", "finance.index", Permission.FINANCE),
    ("Administração", "admin.index", Permission.ADMIN),
    ("Equipe", "people.collaborators_list", Permission.PEOPLE_VIEW),
    ("Processos", "jobs.index", Permission.ACCOUNT),
    ("Esteira", "operations.board", Permission.PIPELINE_MANAGE),
    ("Propostas", "sales.my_proposals", Permission.SALES),
    ("Comissões", "sales.my_commissions", Permission.SALES),
    ("Extratos", "sales.statements", Permission.SALES),
    ("Painéis", "dashboards.index", Permission.DASHBOARDS),
    ("Relatórios", "reports.index", Permission.ACCOUNT),
]


def menu_for_current_user() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [(label, endpoint) for label, endpoint, perm in MENU if current_user.can(perm)]


def active_entry(menu: list[tuple[str, str]], path: str) -> str | None:
    """The one menu entry the page belongs to: the longest menu address `path` starts with
    (/sales/clients/5 is "Clientes", not also "Vendas" and "Propostas")."""
    best, best_len = None, -1
    for _, endpoint in menu:
        prefix = url_for(endpoint).rstrip("/")
        if (path == prefix or path.startswith(prefix + "/")) and len(prefix) > best_len:
            best, best_len = endpoint, len(prefix)
    return best


def register_navigation(app: Flask) -> None:
    @app.context_processor
    def _inject() -> dict[str, Any]:
        menu = menu_for_current_user()
        active = active_entry(menu, request.path) if menu else None
        return {"menu": menu, "menu_active": active, "Permission": Permission}
