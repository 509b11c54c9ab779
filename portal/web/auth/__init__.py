"""Sign in, sign out, own password."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.web.auth import views  # noqa: E402,F401
from portal.web.auth import account_views  # noqa: E402,F401
