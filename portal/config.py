"""Configuration: safe defaults for the embedded mode, overridden by the environment.

Environment variables: DATABASE_URL, REDIS_URL, PORT (used by the Makefile) and the
ATHENAS_* family listed in README.md. Reading the environment is the only I/O here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

DEV_SECRET = "athenas-dev-secret-not-for-production"  # noqa: S105 - refused outside development
# Development data key (id "dev"); production must set ATHENAS_DATA_KEY.
DEV_DATA_KEY = "dev:YXRoZW5hcy1kZXYta2V5LW5ldmVyLXByb2R1Y3Rpb24="  # noqa: S105
DEV_INDEX_SECRET = "athenas-dev-index-secret"  # noqa: S105
# The demo users of the MFA roles are enrolled with this TOTP secret (printed in the
# README) so `make run` stays a one-command demo; refused in production.
DEMO_TOTP_SECRET = "ATHENASDEMOTOTPSECRETPARAOPORTAL"  # noqa: S105


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "sim", "on"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def from_environment(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the settings dictionary from `env` (defaults to os.environ)."""
    env = dict(os.environ if env is None else env)
    mode = env.get("ATHENAS_ENV", "development")
    redis_url = env.get("REDIS_URL", "")
    storage_dir = env.get("ATHENAS_STORAGE_DIR") or str(INSTANCE_DIR / "storage")
    return {
        "ENV_MODE": mode,
        "SECRET_KEY": env.get("ATHENAS_SECRET_KEY", DEV_SECRET),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'athenas.db'}",
        "REDIS_URL": redis_url,
        "DATA_KEY": env.get("ATHENAS_DATA_KEY", DEV_DATA_KEY),
        "INDEX_SECRET": env.get("ATHENAS_INDEX_SECRET", DEV_INDEX_SECRET),
        "STORAGE_DIR": storage_dir,
        "LOGIN_MAX_FAILURES": _int(env.get("ATHENAS_LOGIN_MAX_FAILURES"), 5),
        "LOGIN_FAILURE_WINDOW_MINUTES": _int(env.get("ATHENAS_LOGIN_FAILURE_WINDOW_MINUTES"), 15),
        "LOGIN_LOCK_MINUTES": _int(env.get("ATHENAS_LOGIN_LOCK_MINUTES"), 5),
        "LOGIN_MAX_DELAY_SECONDS": _int(env.get("ATHENAS_LOGIN_MAX_DELAY_SECONDS"), 30),
        "LOGIN_ADDRESS_MAX_FAILURES": _int(env.get("ATHENAS_LOGIN_ADDRESS_MAX_FAILURES"), 50),
        "DEMO_TOTP_SECRET": env.get("ATHENAS_DEMO_TOTP_SECRET", ""),  # see demo_totp_secret()
        "IDLE_TIMEOUT_MINUTES": _int(env.get("ATHENAS_IDLE_TIMEOUT_MINUTES"), 30),
        "SESSION_COOKIE_NAME": "athenas_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("ATHENAS_SECURE_COOKIES"), mode == "production"),
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "MAX_CONTENT_LENGTH": _int(env.get("ATHENAS_MAX_UPLOAD_MB"), 20) * 1024 * 1024,
        "ARGON2_CHEAP": _bool(env.get("ATHENAS_ARGON2_CHEAP"), False),
        "PROXY_COUNT": _int(env.get("ATHENAS_PROXY_COUNT"), 0),
        "JOBS_RUNNER": env.get("ATHENAS_JOBS_RUNNER") or ("celery" if redis_url else "inprocess"),
        "JOBS_THREADS": _int(env.get("ATHENAS_JOBS_THREADS"), 4),
        "JOBS_HEARTBEAT_SECONDS": _int(env.get("ATHENAS_JOBS_HEARTBEAT_SECONDS"), 15),
        "JOBS_STALE_AFTER_SECONDS": _int(env.get("ATHENAS_JOBS_STALE_AFTER_SECONDS"), 120),
        "JOBS_QUEUED_TIMEOUT_SECONDS": _int(env.get("ATHENAS_JOBS_QUEUED_TIMEOUT_SECONDS"), 86400),
        "JOBS_MAX_RUNTIME_SECONDS": _int(env.get("ATHENAS_JOBS_MAX_RUNTIME_SECONDS"), 7200),
        "JOBS_VISIBILITY_TIMEOUT_SECONDS": _int(env.get("ATHENAS_JOBS_VISIBILITY_TIMEOUT_SECONDS"), 10800),
        "JOBS_BROKER_TIMEOUT_SECONDS": 1.0,
        # restic repositories (comma-separated) and their password: environment only.
        "BACKUP_REPOSITORIES": env.get("ATHENAS_BACKUP_REPOSITORIES", ""),
        "BACKUP_PASSWORD": env.get("ATHENAS_BACKUP_PASSWORD", ""),
        "BACKUP_KEEP_DAILY": _int(env.get("ATHENAS_BACKUP_KEEP_DAILY"), 7),
        "BACKUP_KEEP_WEEKLY": _int(env.get("ATHENAS_BACKUP_KEEP_WEEKLY"), 4),
        "BACKUP_KEEP_MONTHLY": _int(env.get("ATHENAS_BACKUP_KEEP_MONTHLY"), 12),
        "BACKUP_CHECK_SUBSET_PERCENT": _int(env.get("ATHENAS_BACKUP_CHECK_SUBSET_PERCENT"), 5),
        "SANDBOX_BANK_URL": env.get("ATHENAS_SANDBOX_BANK_URL", ""),
        "TESTING": False,
    }


def demo_totp_secret(settings: dict[str, Any]) -> str | None:
    """The TOTP secret the demo seed enrols users with: the configured one or the fixed
    DEMO_TOTP_SECRET in development; none in production."""
    if settings["ENV_MODE"] == "production":
        return None
    return settings.get("DEMO_TOTP_SECRET") or DEMO_TOTP_SECRET


def validate(settings: dict[str, Any]) -> None:
    """Refuse to run production with development secrets."""
    if settings["ENV_MODE"] != "production":
        return
    problems = []
    if settings["SECRET_KEY"] == DEV_SECRET:
        problems.append("ATHENAS_SECRET_KEY")
    if settings["DATA_KEY"] == DEV_DATA_KEY:
        problems.append("ATHENAS_DATA_KEY")
    if settings["INDEX_SECRET"] == DEV_INDEX_SECRET:
        problems.append("ATHENAS_INDEX_SECRET")
    if problems:
        raise RuntimeError("Defina em produção: " + ", ".join(problems))
    if settings.get("DEMO_TOTP_SECRET"):
        raise RuntimeError(
            "Remova ATHENAS_DEMO_TOTP_SECRET: o segredo TOTP de demonstração não vale em produção."
        )
