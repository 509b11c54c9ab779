"""Bank registry: the `Bank` rows as connector settings, and the admin's changes to them.

`connector_for(session, code, store, operator)` is the one way the portal gets a connector:
it reads the bank's row, decrypts its credentials and hands them to the adapter. The shared
`store` (tokens, circuit breaker, webhook replay memory) is built once per process by the
caller with `make_store(redis_url)`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.banks.models import Bank
from portal.banks.protocol import Connector
from portal.banks.registry import ADAPTERS, build_connector
from portal.banks.state import MemoryStore, RedisStore, StateStore
from portal.banks.types import BankSettings, Capability, OperatorCredentials
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError, NotFound

CAPABILITY_CHOICES = {
    Capability.BENEFIT_QUERY: "Consulta de margem",
    Capability.SIMULATE: "Simulação",
    Capability.SUBMIT: "Digitação de propostas",
    Capability.FETCH_STATUS: "Consulta de andamento",
    Capability.RECEIVE_WEBHOOK: "Webhook de status",
    Capability.FILE_ONLY: "Somente arquivos",
}


def make_store(redis_url: str | None) -> StateStore:
    """RedisStore when a Redis URL is configured (shared by every process), else MemoryStore."""
    if redis_url:
        import redis

        return RedisStore(redis.Redis.from_url(redis_url), prefix="athenas:banks:")
    return MemoryStore()


_default_store: StateStore | None = None


def configure_store(store: StateStore) -> None:
    """Set this process's shared store (the app factory does it), for jobs and commands."""
    global _default_store
    _default_store = store


def default_store() -> StateStore:
    """The store configured by the app; a private MemoryStore if none was (scripts)."""
    global _default_store
    if _default_store is None:
        _default_store = MemoryStore()
    return _default_store


def list_banks(session: Session, enabled_only: bool = False) -> list[Bank]:
    stmt = select(Bank).order_by(Bank.name, Bank.id)
    if enabled_only:
        stmt = stmt.where(Bank.enabled.is_(True))
    return list(session.scalars(stmt))


def get_bank(session: Session, code: str) -> Bank:
    bank = session.scalar(select(Bank).where(Bank.code == code))
    if bank is None:
        raise NotFound("Banco não encontrado.")
    return bank


def credentials_of(bank: Bank) -> dict[str, str]:
    """The decrypted company credentials (empty when never set)."""
    if not bank.credentials:
        return {}
    data = json.loads(bank.credentials)
    return {str(k): str(v) for k, v in data.items()}


def settings_for(bank: Bank) -> BankSettings:
    """The connector settings of a bank row (credentials decrypted in memory only)."""
    return BankSettings(
        code=bank.code,
        name=bank.name,
        base_url=bank.base_url,
        # An empty set would mean "everything the adapter can" to the connector: a bank
        # with nothing enabled is narrowed to file-only instead.
        capabilities=bank.capability_set or frozenset({Capability.FILE_ONLY}),
        credentials=credentials_of(bank),
        connect_timeout=bank.connect_timeout,
        read_timeout=bank.read_timeout,
        webhook_secret=bank.webhook_secret,
        under_liquidation=bank.under_liquidation,
        breaker_threshold=bank.breaker_threshold,
        breaker_cooldown_s=bank.breaker_cooldown_s,
    )


def connector_for(
    session: Session,
    bank_code: str,
    store: StateStore,
    operator: OperatorCredentials | None = None,
) -> Connector:
    """The adapter of `bank_code`, configured from its row; a disabled bank is refused."""
    bank = get_bank(session, bank_code)
    if not bank.enabled:
        raise DomainError(f"O banco {bank.name} está desativado no Athenas.")
    return build_connector(settings_for(bank), store, operator)


def _parse_credentials(raw: str) -> dict[str, str]:
    try:
        data = json.loads(raw)
    except ValueError:
        raise DomainError(
            'Credenciais em formato inválido: use JSON, ex.: {"user": "...", "password": "..."}',
            field="credentials",
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise DomainError("Credenciais devem ser um objeto JSON de textos.", field="credentials")
    return {str(k): str(v) for k, v in data.items()}


def _positive(value: Any, field: str, label: str, maximum: float) -> float:
    try:
        number = float(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise DomainError(f"{label}: informe um número.", field=field) from None
    if not 0 < number <= maximum:
        raise DomainError(f"{label}: informe um valor entre 0 e {maximum:g}.", field=field)
    return number


def update_bank(session: Session, actor: Actor, bank: Bank, changes: Mapping[str, Any]) -> Bank:
    """Apply the admin's changes. Blank `credentials` / `webhook_secret` keep the stored ones
    (they are write-only); the audit entry names the changed fields, never their values."""
    changed: list[str] = []
    name = " ".join(str(changes.get("name", bank.name)).split())
    if not name:
        raise DomainError("Informe o nome do banco.", field="name")
    base_url = str(changes.get("base_url", bank.base_url)).strip()
    if base_url and not base_url.startswith(("http://", "https://")):
        raise DomainError("O endereço deve começar com http:// ou https://", field="base_url")
    values: dict[str, Any] = {
        "name": name,
        "base_url": base_url,
        "enabled": bool(changes.get("enabled", bank.enabled)),
        "under_liquidation": bool(changes.get("under_liquidation", bank.under_liquidation)),
        "connect_timeout": _positive(
            changes.get("connect_timeout", bank.connect_timeout),
            "connect_timeout",
            "Tempo de conexão",
            60,
        ),
        "read_timeout": _positive(
            changes.get("read_timeout", bank.read_timeout), "read_timeout", "Tempo de resposta", 120
        ),
        "breaker_threshold": int(
            _positive(
                changes.get("breaker_threshold", bank.breaker_threshold),
                "breaker_threshold",
                "Falhas para abrir o disjuntor",
                100,
            )
        ),
        "breaker_cooldown_s": _positive(
            changes.get("breaker_cooldown_s", bank.breaker_cooldown_s),
            "breaker_cooldown_s",
            "Pausa do disjuntor",
            3600,
        ),
    }
    if "capabilities" in changes:
        chosen = [str(c) for c in changes["capabilities"]]
        unknown = set(chosen) - {c.value for c in Capability}
        if unknown:
            raise DomainError("Capacidade desconhecida.", field="capabilities")
        values["capabilities"] = ",".join(c.value for c in Capability if c.value in chosen)
        values["file_only"] = values["capabilities"] == Capability.FILE_ONLY.value
    for key, value in values.items():
        if getattr(bank, key) != value:
            setattr(bank, key, value)
            changed.append(key)
    raw_credentials = str(changes.get("credentials") or "").strip()
    if raw_credentials:
        bank.credentials = json.dumps(_parse_credentials(raw_credentials), sort_keys=True)
        changed.append("credentials")
    secret = str(changes.get("webhook_secret") or "").strip()
    if secret:
        if len(secret) < 16:
            raise DomainError("O segredo do webhook deve ter ao menos 16 caracteres.", field="webhook_secret")
        bank.webhook_secret = secret
        changed.append("webhook_secret")
    session.flush()
    if changed:
        audit.record(session, actor, "bank.update", f"bank:{bank.code}", {"fields": sorted(changed)})
    return bank


def ensure_bank(session: Session, code: str, **values: Any) -> Bank:
    """Create the bank row when missing (demo data, first start); existing rows are kept."""
    if code not in ADAPTERS:
        raise DomainError("Banco sem integração no Athenas.", field="code")
    bank = session.scalar(select(Bank).where(Bank.code == code))
    if bank is not None:
        return bank
    credentials = values.pop("credentials", None)
    capabilities = values.pop("capabilities", ())
    bank = Bank(
        code=code,
        capabilities=",".join(str(c) for c in capabilities),
        credentials=json.dumps(credentials, sort_keys=True) if credentials else None,
        **values,
    )
    session.add(bank)
    session.flush()
    return bank
