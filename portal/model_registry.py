"""Imports every module that defines ORM models, so the metadata is complete
(for Alembic autogenerate, the schema test and the app)."""

import portal.banks.models
import portal.clients.models
import portal.commissions.models
import portal.core.audit
import portal.core.jobs.models
import portal.people.models
import portal.proposals.models
import portal.proposals.pipeline_models  # noqa: F401

MODEL_MODULES = [
    "portal.core.audit",
    "portal.core.jobs.models",
    "portal.people.models",
    "portal.clients.models",
    "portal.proposals.models",
    "portal.proposals.pipeline_models",
    "portal.banks.models",
    "portal.commissions.models",
]
