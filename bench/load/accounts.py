"""The load suite's logins, shared by the data step (prepare.py) and Locust (locustfile.py).

Plain constants only: Locust imports this module and must not import the portal.
"""

from __future__ import annotations

PASSWORD = "Pv7-teste-de-volume-2026"  # bench-only logins, created in a copy of the database
# Base32 TOTP secret of the load's finance and manager logins (the portal asks them a code).
TOTP_SECRET = "ATHENASCARGATOTPSEGREDODEBENCHAA"
DOMAIN = "carga.athenas"

# Logins per role (Locust users of a role take them in turn; several sessions per login is fine).
COUNTS = {"agent": 25, "operations": 12, "finance": 6, "manager": 8}
PREFIX = {"agent": "agente", "operations": "operacoes", "finance": "financeiro", "manager": "gerente"}
NAMES = {"agent": "Corretor", "operations": "Operações", "finance": "Financeiro", "manager": "Gerente"}
MFA_ROLES = frozenset({"finance", "manager"})
# Clients ready for lookups, simulations and submissions added to each load agent.
SELLING_CLIENTS = 4


def email(role: str, number: int) -> str:
    return f"{PREFIX[role]}-{number:02d}@{DOMAIN}"


def logins(role: str) -> list[str]:
    return [email(role, n) for n in range(1, COUNTS[role] + 1)]
