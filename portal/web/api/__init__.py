"""Machine endpoints: health check (bank webhooks come with the bank integration)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from portal.web.api import health, webhooks  # noqa: E402,F401
