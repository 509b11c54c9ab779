"""Background jobs for every user: "Meus processos", a job page with a live progress
bar, cancellation by the owner, and the demo job."""

from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs")

from portal.web.jobs import views  # noqa: E402,F401
