"""Refuse text no person types before any view reads it.

A NUL character in a query string, form field or URL segment is never legitimate input,
and PostgreSQL refuses it in every text value (the driver raises, the user got a 500).
One check at the door answers 400 for all of them, whatever view or column they head for.
"""

from __future__ import annotations

from flask import Flask, Response, request

from portal.web.errors import error_response

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
MESSAGE = "O pedido contém caracteres inválidos. Corrija o texto e tente de novo."


def _has_nul(pairs: object) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)  # type: ignore[attr-defined]


def _refused() -> bool:
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        return True
    # Only form bodies are parsed here: a JSON body (bank webhooks) stays unread for its view.
    return request.mimetype in FORM_TYPES and _has_nul(request.form.items(multi=True))


def register_input_guard(app: Flask) -> None:
    @app.before_request
    def _refuse_nul() -> Response | None:
        return error_response(400, MESSAGE) if _refused() else None
