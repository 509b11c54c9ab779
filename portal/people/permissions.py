"""Roles and the permissions each one grants: the single place where access is decided."""

from __future__ import annotations

from enum import StrEnum

from portal.core.enums import LabeledEnum


class Role(LabeledEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    OPERATIONS = "operations"
    FINANCE = "finance"
    MANAGER = "manager"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.AGENT: "Corretor",
    Role.SUPERVISOR: "Supervisor",
    Role.OPERATIONS: "Operações",
    Role.FINANCE: "Financeiro",
    Role.MANAGER: "Gerente",
    Role.ADMIN: "Administrador",
}
Role.__labels__ = ROLE_LABELS


class Permission(StrEnum):
    ACCOUNT = "account"  # every signed-in user: own password, own jobs
    SALES = "sales.access"
    CLIENTS_VIEW = "clients.view"  # client registry pages (records scoped by people.scope)
    CLIENTS_EDIT = "clients.edit"  # create/edit clients, benefit links and consents
    OPERATIONS = "operations.access"
    FINANCE = "finance.access"
    ADMIN = "admin.access"
    USERS_MANAGE = "admin.users"
    AUDIT_VIEW = "admin.audit"
    PRIVACY_MANAGE = "admin.privacy"  # LGPD console: subject reports, anonymisation, retention
    PII_REVEAL = "pii.reveal"  # see a full CPF / benefit number (audited)
    PII_EXPORT = "pii.export"  # export client lists with full CPF, phone, e-mail (reason + audit)
    JOBS_ALL = "jobs.all"  # see every user's background jobs
    JOBS_DEMO = "jobs.demo"  # start the demo job (the people who run and watch imports and jobs)
    BANKS_MANAGE = "admin.banks"  # bank settings and company credentials
    PARAMETERS_MANAGE = "admin.parameters"  # effective-dated regulatory parameters
    BACKUPS_MANAGE = "admin.backups"  # backup list, "back up now" (issue 12)
    BANK_LOOKUP = "sales.bank_lookup"  # margin lookups and simulations at banks
    PROPOSAL_SUBMIT = "sales.proposal_submit"  # submit (digitar) proposals to banks
    PEOPLE_VIEW = "people.view"  # collaborators and org tree, scoped (read-only)
    PEOPLE_MANAGE = "people.manage"  # create/edit collaborators, org units, certifications
    PROPOSALS_VIEW = "proposals.view"  # proposal lists and pages (records scoped by people.scope)
    PIPELINE_MANAGE = "pipeline.manage"  # move proposals, pendencies, documents, mappings, SLA, imports
    COMMISSIONS_VIEW = "commissions.view"  # finance commission pages: tables, plans, ledger, periods
    COMMISSIONS_MANAGE = "commissions.manage"  # import/approve tables, plans, manual entries, close
    REPORTS_COMPANY = "reports.company"  # the monthly workbook on the Relatórios page (generate, download)
    DASHBOARDS = "dashboards.view"  # manager/supervisor dashboards (figures scoped by people.scope)


_EVERYONE = {Permission.ACCOUNT}
_SELLING = {Permission.BANK_LOOKUP, Permission.PROPOSAL_SUBMIT}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset(_EVERYONE | {Permission.SALES, Permission.PII_REVEAL} | _SELLING),
    Role.SUPERVISOR: frozenset(
        _EVERYONE | {Permission.SALES, Permission.PII_REVEAL, Permission.PEOPLE_VIEW} | _SELLING
    ),
    Role.OPERATIONS: frozenset(
        _EVERYONE | {Permission.OPERATIONS, Permission.PII_REVEAL, Permission.JOBS_DEMO}
    ),
    Role.FINANCE: frozenset(_EVERYONE | {Permission.FINANCE}),
    Role.MANAGER: frozenset(
        _EVERYONE | {Permission.SALES, Permission.OPERATIONS, Permission.FINANCE, Permission.PEOPLE_VIEW}
    ),
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.ADMIN,
            Permission.USERS_MANAGE,
            Permission.AUDIT_VIEW,
            Permission.PII_REVEAL,
            Permission.JOBS_ALL,
            Permission.JOBS_DEMO,
            Permission.BANKS_MANAGE,
            Permission.PARAMETERS_MANAGE,
            Permission.BACKUPS_MANAGE,
            Permission.PEOPLE_VIEW,
            Permission.PEOPLE_MANAGE,
        }
    ),
}

# Client registry (issue #4): operations reads and edits every client (the scoping rule
# gives it all records); managers and admins read; only admins run the LGPD console.
_CLIENT_GRANTS: dict[Role, set[Permission]] = {
    Role.AGENT: {Permission.CLIENTS_VIEW, Permission.CLIENTS_EDIT},
    Role.SUPERVISOR: {Permission.CLIENTS_VIEW, Permission.CLIENTS_EDIT},
    Role.OPERATIONS: {Permission.CLIENTS_VIEW, Permission.CLIENTS_EDIT, Permission.PII_EXPORT},
    Role.MANAGER: {Permission.CLIENTS_VIEW},
    Role.ADMIN: {Permission.CLIENTS_VIEW, Permission.PRIVACY_MANAGE, Permission.PII_EXPORT},
}
# Full-data exports (issue #9): only operations (which serves every client: bank files,
# portability, corrections) and admins (the LGPD controller's console). Sellers reveal one
# value at a time on screen; a list of full CPFs, phones and e-mails of a whole portfolio
# is what leaks, so agents, supervisors and managers export masked lists only.
ROLE_PERMISSIONS = {role: perms | _CLIENT_GRANTS.get(role, set()) for role, perms in ROLE_PERMISSIONS.items()}

# Operations pipeline (issue #6): sales roles and managers see proposals in their scope;
# operations runs the pipeline.
_PIPELINE_GRANTS: dict[Role, set[Permission]] = {
    Role.AGENT: {Permission.PROPOSALS_VIEW},
    Role.SUPERVISOR: {Permission.PROPOSALS_VIEW},
    Role.MANAGER: {Permission.PROPOSALS_VIEW},
    Role.OPERATIONS: {Permission.PROPOSALS_VIEW, Permission.PIPELINE_MANAGE},
}
ROLE_PERMISSIONS = {
    role: perms | _PIPELINE_GRANTS.get(role, set()) for role, perms in ROLE_PERMISSIONS.items()
}

# Commissions (issue #10): finance runs them; managers read the finance pages. Admins
# configure the system but do not touch money (no finance area), so they get neither.
_COMMISSION_GRANTS: dict[Role, set[Permission]] = {
    Role.FINANCE: {Permission.COMMISSIONS_VIEW, Permission.COMMISSIONS_MANAGE},
    Role.MANAGER: {Permission.COMMISSIONS_VIEW},
}
ROLE_PERMISSIONS = {
    role: perms | _COMMISSION_GRANTS.get(role, set()) for role, perms in ROLE_PERMISSIONS.items()
}

# Payouts (issue #11): the bank or payroll batch needs full CPFs, so finance may export
# them (reason + audit, like the client full export).
ROLE_PERMISSIONS = {
    role: perms | ({Permission.PII_EXPORT} if role == Role.FINANCE else set())
    for role, perms in ROLE_PERMISSIONS.items()
}

# Reports (issue #12): the company's monthly workbook is for finance, managers and admins;
# every user's own recurring exports need only an account.
_COMPANY_REPORTS = (Role.FINANCE, Role.MANAGER, Role.ADMIN)
ROLE_PERMISSIONS = {
    role: perms | ({Permission.REPORTS_COMPANY} if role in _COMPANY_REPORTS else set())
    for role, perms in ROLE_PERMISSIONS.items()
}

# Dashboards (issue #12): managers see the company (or their units), supervisors their
# team, admins everything; agents have their own home page instead.
ROLE_PERMISSIONS = {
    role: perms | ({Permission.DASHBOARDS} if role in (Role.SUPERVISOR, Role.MANAGER, Role.ADMIN) else set())
    for role, perms in ROLE_PERMISSIONS.items()
}

# Where each role lands after login, in order of preference.
HOME_AREA: dict[Role, str] = {
    Role.AGENT: "sales",
    Role.SUPERVISOR: "sales",
    Role.OPERATIONS: "operations",
    Role.FINANCE: "finance",
    Role.MANAGER: "dashboards",
    Role.ADMIN: "admin",
}


def has_permission(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]
