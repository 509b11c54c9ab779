"""Imports every module that defines ORM models, so the metadata is complete
(for Alembic autogenerate, the schema test and the app)."""

import portal.banks.call_log
import portal.banks.models
import portal.clients.lgpd_models
import portal.clients.models
import portal.commissions.models
import portal.commissions.reconciliation.models
import portal.commissions.reports.models
import portal.commissions.statements.models
import portal.core.audit
import portal.core.backups.models
import portal.core.effective
import portal.core.imports.models
import portal.core.jobs.models
import portal.insights.models
import portal.insights.report_models
import portal.people.models
import portal.proposals.models
import portal.proposals.pipeline_models  # noqa: F401
