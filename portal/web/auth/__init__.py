"""Sign in (password, second factor), sign out, own account: password, MFA, sessions."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from portal.web.auth import account_views, views  # noqa: E402,F401
