"""The lists whose export can be saved as a recurring report: export endpoint → name.

Each endpoint takes the format as `<fmt>` and its filters from the query string, so a
saved definition (endpoint + query string + format) reproduces the export button."""

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
}
# Never part of a saved filter: paging cursors, the format, the CSRF token.
_DROPPED = {"after", "before", "cursor", "fmt", "format", "csrf_token"}


def clean_query(query: str) -> str:
    """The filter part of a list's query string, in a stable form."""
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k not in _DROPPED]
    return urlencode(pairs)[:2000]
