"""`GET /healthz`: 200 when the database answers, 503 when it does not.

The answer names the release serving it (the `RELEASE` file `deploy/deploy.sh` writes into
each release; "dev" in a checkout), so a deploy can tell that the new code is the one
answering before it keeps it, and roll back when it is not.
"""

from __future__ import annotations

import logging
from functools import cache

from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.config import PROJECT_ROOT
from portal.extensions import db
from portal.web.access import public
from portal.web.api import bp

log = logging.getLogger("portal.web")


@cache
def release() -> str:
    """The deployed release's id, read once per process."""
    try:
        return (PROJECT_ROOT / "RELEASE").read_text(encoding="utf-8").strip() or "dev"
    except OSError:
        return "dev"


@bp.route("/healthz")
@public
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        db.session.rollback()
        response = jsonify(status="erro", database="indisponível", release=release())
        response.status_code = 503
        return response
    return jsonify(status="ok", database="ok", release=release())
