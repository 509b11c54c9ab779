"""Audit targets in people's words ("Usuário Maria Souza", "Proposta 123 (Facta)").

Targets are stored as `<kind>:<key>`. `describe_targets` resolves a whole page of them with
one query per kind present (never one per row); a record that no longer exists, or a kind
without a table, falls back to the kind's noun and the stored key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.models import Bank
from portal.clients.models import Client
from portal.commissions.models import TableVersion
from portal.people.models import Collaborator, OrgUnit, User
from portal.proposals.models import Proposal

NOUNS: dict[str, str] = {
    "account": "Conta",
    "address": "Endereço IP",
    "audit_log": "Log de auditoria",
    "backup": "Backup",
    "bank": "Banco",
    "breaker": "Disjuntor do banco",
    "client": "Cliente",
    "clients": "Clientes",
    "collaborator": "Colaborador",
    "commission_entry": "Lançamento de comissão",
    "commission_override": "Override de comissão",
    "commission_period": "Período de comissões",
    "commission_plan": "Plano de comissão",
    "commission_statement": "Extrato de comissão",
    "commission_statements": "Extratos de comissão",
    "commission_table": "Tabela de comissão",
    "data_import": "Importação",
    "effective_value": "Parâmetro",
    "email": "E-mail",
    "import_layout": "Layout de importação",
    "job": "Processo",
    "key": "Chave de criptografia",
    "list": "Lista",
    "mapping": "Mapeamento de status",
    "org_unit": "Unidade",
    "pair": "Conta e endereço",
    "parameter": "Parâmetro regulatório",
    "pendency_type": "Tipo de pendência",
    "privacy_incident": "Incidente de segurança",
    "privacy_request": "Solicitação do titular",
    "privacy_retention_run": "Rotina de retenção",
    "proposal": "Proposta",
    "proposal_import": "Importação de propostas",
    "recon_dispute": "Contestação com o banco",
    "recon_rules": "Regras de conciliação",
    "recon_statement": "Extrato bancário",
    "recurring_reports": "Relatório recorrente",
    "report_files": "Arquivo de relatório",
    "sla": "Prazos de SLA",
    "token": "Token do banco",
    "user": "Usuário",
    "webhook": "Webhook",
}

Resolver = Callable[[Session, set[str]], dict[str, str]]


def _ints(keys: set[str]) -> list[int]:
    return [int(k) for k in keys if k.isdigit()]


def _users(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(User.id, User.name).where(User.id.in_(_ints(keys))))
    return {str(i): f"Usuário {name}" for i, name in rows}


def _clients(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(Client.id, Client.name).where(Client.id.in_(_ints(keys))))
    return {str(i): f"Cliente {name} (#{i})" for i, name in rows}


def _collaborators(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(Collaborator.id, Collaborator.name).where(Collaborator.id.in_(_ints(keys))))
    return {str(i): f"Colaborador {name}" for i, name in rows}


def _units(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(_ints(keys))))
    return {str(i): f"Unidade {name}" for i, name in rows}


def _banks(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(Bank.code, Bank.name).where(Bank.code.in_(list(keys))))
    return {code: f"Banco {name}" for code, name in rows}


def _bank_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    return dict(session.execute(select(Bank.code, Bank.name).where(Bank.code.in_(set(codes)))).tuples().all())


def _proposals(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(select(Proposal.id, Proposal.bank_code).where(Proposal.id.in_(_ints(keys)))).all()
    names = _bank_names(session, (code for _, code in rows))
    return {str(i): f"Proposta {i} ({names.get(code, code)})" for i, code in rows}


def _tables(session: Session, keys: set[str]) -> dict[str, str]:
    rows = session.execute(
        select(TableVersion.id, TableVersion.bank_code, TableVersion.number).where(
            TableVersion.id.in_(_ints(keys))
        )
    ).all()
    names = _bank_names(session, (code for _, code, _ in rows))
    return {str(i): f"Tabela de comissão {names.get(code, code)} v{number}" for i, code, number in rows}


RESOLVERS: dict[str, Resolver] = {
    "user": _users,
    "client": _clients,
    "collaborator": _collaborators,
    "org_unit": _units,
    "bank": _banks,
    "proposal": _proposals,
    "commission_table": _tables,
}


def _split(target: str) -> tuple[str, str]:
    kind, _, key = target.partition(":")
    return kind, key


def _fallback(target: str) -> str:
    kind, key = _split(target)
    noun = NOUNS.get(kind)
    if noun is None:
        return target
    if not key:
        return noun
    return f"{noun} {key}" if not key.isdigit() else f"{noun} #{key}"


def describe_targets(session: Session, targets: Iterable[str]) -> dict[str, str]:
    """Map each distinct target to its description, one query per resolvable kind."""
    wanted: dict[str, set[str]] = defaultdict(set)
    distinct = set(targets)
    for target in distinct:
        kind, key = _split(target)
        if kind in RESOLVERS and key:
            wanted[kind].add(key)
    resolved: dict[str, dict[str, str]] = {
        kind: RESOLVERS[kind](session, keys) for kind, keys in wanted.items()
    }
    out = {}
    for target in distinct:
        kind, key = _split(target)
        out[target] = resolved.get(kind, {}).get(key) or _fallback(target)
    return out


def kinds_matching(text: str) -> list[str]:
    """Target kinds whose noun contains `text` (for the target filter)."""
    needle = text.strip().lower()
    return sorted(kind for kind, noun in NOUNS.items() if needle and needle in noun.lower())


def actor_names(session: Session, actor_ids: Iterable[int | None]) -> dict[int, str]:
    """User id -> name for the actors of a page (one query)."""
    ids = {i for i in actor_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all())
