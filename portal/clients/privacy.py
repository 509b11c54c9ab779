"""LGPD operations: data-subject report, anonymisation and the retention rule.

These are admin tools (Permission.PRIVACY_MANAGE); the caller loads the client through
`queries.get_client_for`, so the scoping rule still applies.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import Session

from portal.clients.consents import evidence_file
from portal.clients.models import BenefitLink, Client, ClientStatus, Consent
from portal.clients.queries import consents_of, links_of, timeline_of
from portal.clients.timeline import add_timeline_event
from portal.core import audit
from portal.core.audit import SYSTEM, Actor, AuditEntry
from portal.core.db import utcnow
from portal.core.documents import format_cep, format_cpf, format_phone
from portal.core.errors import DomainError, NotFound

DEFAULT_RETENTION_YEARS = 5
ACTION_LABELS = {
    "client.created": "Cadastro",
    "client.updated": "Alteração de dados",
    "client.pii_revealed": "Visualização de dado pessoal completo",
    "client.exported": "Exportação com dados completos",
    "client.link_added": "Vínculo adicionado",
    "client.link_removed": "Vínculo removido",
    "client.consent_granted": "Autorização registrada",
    "client.consent_revoked": "Autorização revogada",
    "client.consent_evidence_viewed": "Evidência de autorização consultada",
    "privacy.subject_report": "Relatório do titular gerado",
    "client.anonymised": "Anonimização",
}


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def subject_data(session: Session, client: Client) -> dict[str, Any]:
    """Everything held about the client, in Portuguese keys (the JSON the subject receives)."""
    accesses = session.scalars(
        select(AuditEntry).where(AuditEntry.target == f"client:{client.id}").order_by(AuditEntry.id)
    )
    return {
        "gerado_em": utcnow().isoformat(),
        "titular": {
            "id": client.id,
            "situacao": "anonimizado" if client.is_anonymised else "ativo",
            "nome": client.name,
            "cpf": format_cpf(client.cpf) if client.cpf else None,
            "data_nascimento": _iso(client.birth_date),
            "email": client.email,
            "telefone": format_phone(client.phone) if client.phone else None,
            "telefone_alternativo": format_phone(client.phone_alt) if client.phone_alt else None,
            "endereco": {
                "cep": format_cep(client.cep) if client.cep else None,
                "logradouro": client.street,
                "numero": client.number,
                "complemento": client.complement,
                "bairro": client.district,
                "cidade": client.city,
                "uf": client.state,
            },
            "origem_dos_dados": client.provenance_label,
            "detalhe_da_origem": client.provenance_detail,
            "corretor_responsavel": client.owner.name,
            "cadastrado_em": _iso(client.created_at),
            "atualizado_em": _iso(client.updated_at),
            "ultima_atividade": _iso(client.last_activity_at),
        },
        "vinculos": [
            {
                "convenio": link.agreement,
                "numero_beneficio_matricula": link.benefit_number,
                "especie": link.benefit_kind,
                "renda_mensal": str(link.monthly_income) if link.monthly_income is not None else None,
                "banco": link.payout_bank,
                "agencia": link.payout_agency,
                "conta": link.payout_account,
            }
            for link in links_of(session, client)
        ],
        "autorizacoes": [
            {
                "finalidade": c.purpose_label,
                "base_legal": c.legal_basis_label,
                "canal": c.channel_label,
                "concedida_em": _iso(c.granted_at),
                "revogada_em": _iso(c.revoked_at),
                "evidencia_arquivo": c.evidence_filename,
                "evidencia_sha256": c.evidence_sha256,
            }
            for c in consents_of(session, client)
        ],
        "linha_do_tempo": [
            {"quando": _iso(e.occurred_at), "evento": e.summary, "por": e.actor_label}
            for e in timeline_of(session, client, limit=10_000)
        ],
        "acessos_e_tratamentos": [
            {
                "quando": _iso(a.occurred_at),
                "acao": ACTION_LABELS.get(a.action, a.action),
                "por": a.actor_label,
            }
            for a in accesses
        ],
    }


def record_report(session: Session, actor: Actor, client: Client, fmt: str) -> None:
    audit.record(session, actor, "privacy.subject_report", f"client:{client.id}", {"format": fmt})


def anonymise_client(session: Session, actor: Actor, client: Client, storage_dir: str | Path) -> str:
    """Irreversibly remove the client's personal data; the record, its id, benefit links
    (agreement and kind) and consent history stay under a pseudonym so financial records
    keep their references. Evidence files are deleted. Returns the pseudonym."""
    if client.is_anonymised:
        raise DomainError("Este cliente já foi anonimizado.")
    pseudonym = secrets.token_hex(4).upper()
    while session.scalar(select(Client.id).where(Client.pseudonym == pseudonym)) is not None:
        pseudonym = secrets.token_hex(4).upper()
    client.name = f"Titular anonimizado #{pseudonym}"
    client.name_search = f"titular anonimizado {pseudonym.lower()}"
    client.pseudonym = pseudonym
    for column in (
        "cpf", "cpf_index", "birth_date", "email", "phone", "phone_index", "phone_alt",
        "phone_alt_index", "cep", "street", "number", "complement", "district", "city", "state",
        "provenance_detail",
    ):  # fmt: skip
        setattr(client, column, None)
    client.status = ClientStatus.ANONYMISED.value
    client.retention_flagged_at = None
    for link in session.scalars(select(BenefitLink).where(BenefitLink.client_id == client.id)):
        link.benefit_number = link.benefit_index = None
        link.monthly_income = None
        link.payout_bank = link.payout_agency = link.payout_account = None
    for consent in session.scalars(select(Consent).where(Consent.client_id == client.id)):
        if consent.evidence_path:
            with contextlib.suppress(NotFound):
                evidence_file(storage_dir, consent).unlink()
        consent.evidence_path = consent.evidence_filename = None
    session.flush()
    add_timeline_event(session, client, "client.anonymised", "Dados pessoais anonimizados (LGPD).", actor)
    audit.record(session, actor, "client.anonymised", f"client:{client.id}", {"pseudonym": pseudonym})
    return pseudonym


# ----------------------------------------------------------------- retention


def retention_cutoff(years: int, today: date) -> datetime:
    """Midnight UTC of the day `years` years before `today` (29 Feb → 28 Feb)."""
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return datetime.combine(day, time.min, tzinfo=UTC)


def check_years(years: int) -> int:
    if not 1 <= years <= 50:
        raise DomainError("Informe um prazo entre 1 e 50 anos.", field="years")
    return years


ActivitySince = Callable[[datetime], ColumnElement[bool]]


def _no_activity(cutoff: datetime, active_since: ActivitySince | None) -> list[ColumnElement[bool]]:
    """Conditions of "inactive since cutoff": the client's own fields, and what higher
    layers (proposals, contracts) report through `active_since(cutoff)`."""
    conditions = [Client.status == ClientStatus.ACTIVE, Client.last_activity_at < cutoff]
    if active_since is not None:
        conditions.append(~active_since(cutoff))
    return conditions


def inactive_clients(years: int, today: date, active_since: ActivitySince | None = None) -> Select:
    """Active clients with no activity since the cutoff (the retention list)."""
    cutoff = retention_cutoff(check_years(years), today)
    return select(Client).where(*_no_activity(cutoff, active_since))


def flag_inactive_clients(
    session: Session,
    years: int,
    today: date,
    actor: Actor = SYSTEM,
    active_since: ActivitySince | None = None,
) -> int:
    """Flag (for review: anonymise or keep) every client inactive for `years` years.
    Returns how many were newly flagged."""
    cutoff = retention_cutoff(check_years(years), today)
    result = session.execute(
        update(Client)
        .where(*_no_activity(cutoff, active_since), Client.retention_flagged_at.is_(None))
        .values(retention_flagged_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    count = result.rowcount or 0  # type: ignore[attr-defined]
    audit.record(session, actor, "privacy.retention_flagged", "clients", {"years": years, "flagged": count})
    return count
