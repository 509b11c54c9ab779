"""What the layout shows around every page: the menu the user's role may see and the
addresses of the layout's own links and assets.

Both depend only on the role and the deployment's URL prefix, so they are built once per
(role, prefix) in each worker instead of on every page (`url_for` per entry, a permission
check per entry, a second `url_for` per entry to find the active one).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from flask import Flask, current_app, request, url_for
from flask_login import current_user

from portal.people.permissions import Permission, has_permission

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

CACHE_KEY = "athenas.layout"


class MenuEntry(NamedTuple):
    label: str
    endpoint: str
    url: str


def _cache() -> dict[Any, Any]:
    return current_app.extensions.setdefault(CACHE_KEY, {})


def menu_for_current_user() -> tuple[MenuEntry, ...]:
    if not current_user.is_authenticated or not current_user.active:
        return ()
    role = current_user.role
    key = ("menu", role, request.script_root)
    entries = _cache().get(key)
    if entries is None:
        entries = tuple(
            MenuEntry(label, endpoint, url_for(endpoint))
            for label, endpoint, perm in MENU
            if has_permission(role, perm)
        )
        _cache()[key] = entries
    return entries


def active_entry(menu: tuple[MenuEntry, ...], path: str) -> str | None:
    """The one menu entry the page belongs to: the longest menu address `path` starts with
    (/sales/clients/5 is "Clientes", not also "Vendas" and "Propostas")."""
    best, best_len = None, -1
    for entry in menu:
        prefix = entry.url.rstrip("/")
        if (path == prefix or path.startswith(prefix + "/")) and len(prefix) > best_len:
            best, best_len = entry.endpoint, len(prefix)
    return best


def layout_url(endpoint: str, **values: Any) -> str:
    """`url_for` for the layout's fixed links and assets (no per-request values),
    remembered per deployment prefix."""
    key = ("url", endpoint, request.script_root, tuple(sorted(values.items())))
    url = _cache().get(key)
    if url is None:
        url = _cache()[key] = url_for(endpoint, **values)
    return url


def register_navigation(app: Flask) -> None:
    app.jinja_env.globals["layout_url"] = layout_url

    @app.context_processor
    def _inject() -> dict[str, Any]:
        menu = menu_for_current_user()
        active = active_entry(menu, request.path) if menu else None
        return {"menu": menu, "menu_active": active, "Permission": Permission}
