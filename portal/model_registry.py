"""Imports every module that defines ORM models, so the metadata is complete
(for Alembic autogenerate, the schema test and the app)."""

import portal.banks.models
import portal.clients.models
import portal.commissions.models
import portal.commissions.reconciliation.models
import portal.commissions.reports.models
import portal.commissions.statements.models
import portal.core.audit
import portal.core.imports.models
import portal.core.jobs.models
import portal.insights.models  # noqa: F401
