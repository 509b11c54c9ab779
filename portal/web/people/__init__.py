"""People pages under /admin: collaborators (scoped, read-only for supervisors and
managers), certifications, bank operator codes and the org tree."""

from flask import Blueprint

bp = Blueprint("people", __name__, url_prefix="/admin")

from portal.web.people import (  # noqa: E402,F401
    certification_views,
    collaborator_views,
    org_views,
)
from portal.web.people.warnings import register_cert_warnings  # noqa: E402,F401
