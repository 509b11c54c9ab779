"""HTMX helpers: render a named block for HX-Request, the full page otherwise."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render_block(template_name: str, block: str, **context: Any) -> str:
    """Render only `{% block block %}` of a template, with the app's context processors."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    ctx = template.new_context(context)
    return "".join(template.blocks[block](ctx))


def render(template_name: str, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """The page, or just `block` when HTMX asks for it."""
    if block and is_htmx():
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    return make_response(body, status)


def hx_redirect(url: str) -> Response:
    """Tell HTMX to navigate the whole page (used when a fragment can't be shown)."""
    response = make_response("", 204)
    response.headers["HX-Redirect"] = url
    return response
