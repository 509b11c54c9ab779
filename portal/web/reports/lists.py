"""The lists whose export can be saved as a recurring report: export endpoint → name.

Each endpoint takes the format as `<fmt>` (or as the query argument named in
`FORMAT_IN_QUERY`) and its filters from the query string, so a saved definition
(endpoint + query string + format) reproduces the export button. The reconciliation
grids have one export endpoint each, so the grid is part of the endpoint."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

RECURRING_LISTS: dict[str, str] = {
    "sales.clients_export": "Clientes",
    "sales.my_proposals_export": "Minhas propostas",
    "sales.my_commissions_export": "Minhas comissões",
    "operations.proposals_export": "Propostas (operações)",
    "finance.ledger_export": "Razão de comissões",
    "finance.statements_export": "Extratos",
    "finance.no_table_export": "Propostas sem tabela",
    "people.collaborators_export": "Colaboradores",
    "jobs.export": "Processos",
    "admin.users_export": "Usuários",
    "admin.banks_export": "Bancos",
    "admin.parameters_export": "Parâmetros regulatórios",
    "admin.privacy_retention_export": "Clientes inativos (retenção)",
    "admin.privacy_requests_export": "Pedidos de titulares (LGPD)",
    "admin.privacy_incidents_export": "Incidentes (LGPD)",
    "admin.audit_export": "Auditoria",
    "admin.health_export": "Saúde do sistema",
    "admin.health_calls_export": "Chamadas aos bancos",
    "admin.backups_export": "Backups",
    "operations.home_export": "Início de operações",
    "operations.overdue_pendencies_export": "Pendências atrasadas",
    "finance.home_export": "Início do financeiro",
    "finance.imports_list": "Importações",
    "finance.recon_rollup_export": "Conciliação por banco e período",
    "finance.recon_items_export": "Divergências da conciliação",
    "finance.recon_aging_export": "Envelhecimento da conciliação",
    "finance.recon_exposure_export": "Exposição por banco",
    "finance.recon_received_export": "Recebimentos",
    "sales.statements_export": "Meus extratos",
}
# Lists whose view reads the format from a query argument instead of `<fmt>`.
FORMAT_IN_QUERY: dict[str, str] = {"finance.imports_list": "format"}
# Never part of a saved filter: paging cursors, the format, the CSRF token.
_DROPPED = {"after", "before", "cursor", "fmt", "format", "csrf_token"}


def clean_query(query: str) -> str:
    """The filter part of a list's query string, in a stable form."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in _DROPPED]
    return urlencode(pairs)[:2000]
