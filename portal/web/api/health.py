"""`GET /healthz`: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

import logging

from flask import Response, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.web.access import public
from portal.web.api import bp

log = logging.getLogger("portal.web")


@bp.route("/healthz")
@public
def healthz() -> Response:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        db.session.rollback()
        response = jsonify(status="erro", database="indisponível")
        response.status_code = 503
        return response
    return jsonify(status="ok", database="ok")
