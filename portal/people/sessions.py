"""Server-side session registry: a signed-in browser session exists only while its record
does, so logout, a password change, a reset or a deactivation really ends it.

The cookie carries a random token; the registry keys the record by the token's SHA-256.
Two stores with one contract: `DatabaseSessions` (the `user_sessions` table, the default)
and `RedisSessions` (when REDIS_URL is configured). The app configures the one in use at
start-up (`configure`), so the account services can revoke without knowing which.

Checking a session is one lookup by key; `last_seen_at` is rewritten at most once per
`TOUCH_SECONDS`, so ordinary page views stay reads. `user_for` checks the session and
loads its user together (one query with the database store).
"""

from __future__ import annotations

import functools
import hashlib
import json
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from portal.core.db import utcnow
from portal.core.errors import ServiceUnavailable
from portal.people.models import User, UserSession

TOUCH_SECONDS = 300
USER_AGENT_MAX = 255
UNAVAILABLE = "Não foi possível verificar sua sessão agora. Tente novamente em instantes."

F = TypeVar("F", bound=Callable[..., Any])


def _fail_closed(method: F) -> F:
    """A session store that cannot answer (Redis restarting) refuses with a clear 503:
    never lets a session through unchecked, never crashes with a 500."""

    @functools.wraps(method)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except Exception as error:
            if _is_redis_error(error):
                raise ServiceUnavailable(UNAVAILABLE) from error
            raise

    return guarded  # type: ignore[return-value]


def _is_redis_error(error: Exception) -> bool:
    # Not imported at the top: the redis package costs every process a tenth of a second,
    # and it can only have raised if a Redis client (hence the package) is loaded.
    exceptions = sys.modules.get("redis.exceptions")
    return exceptions is not None and isinstance(error, exceptions.RedisError)


@dataclass(frozen=True)
class SessionInfo:
    key: str  # SHA-256 of the token: safe to show in a form
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    ip: str | None
    user_agent: str | None


def session_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionRegistry(Protocol):
    def open(self, db: Session, user_id: int, ip: str | None, user_agent: str | None) -> str:
        """Record a new session; returns the token to keep in the cookie."""

    def check(self, db: Session, token: str, user_id: int) -> bool:
        """True when the token's session is open, belongs to `user_id` and is not idle."""

    def user_for(self, db: Session, token: str, user_id: int) -> User | None:
        """The user `user_id` when the token's session passes `check`, else None (the
        caller still checks the user's own state: active, auth version)."""

    def revoke(self, db: Session, token: str) -> None:
        """End one session by its token (logout)."""

    def revoke_key(self, db: Session, user_id: int, key: str) -> bool:
        """End one of `user_id`'s sessions by its key (the account page); True if ended."""

    def revoke_user(self, db: Session, user_id: int, keep_token: str | None = None) -> int:
        """End every session of `user_id` but `keep_token`'s; returns how many."""

    def active(self, db: Session, user_id: int) -> list[SessionInfo]:
        """The user's open sessions, most recent first."""


class DatabaseSessions:
    """Sessions in the `user_sessions` table (the embedded mode's store)."""

    def __init__(self, idle_seconds: int, clock: Callable[[], datetime] = utcnow) -> None:
        self.idle = timedelta(seconds=idle_seconds + TOUCH_SECONDS)
        self.clock = clock

    def open(self, db: Session, user_id: int, ip: str | None, user_agent: str | None) -> str:
        token = secrets.token_urlsafe(32)
        now = self.clock()
        db.add(
            UserSession(
                id=session_key(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                ip=ip,
                user_agent=(user_agent or "")[:USER_AGENT_MAX] or None,
            )
        )
        db.flush()
        return token

    def check(self, db: Session, token: str, user_id: int) -> bool:
        record = db.get(UserSession, session_key(token))
        return record is not None and record.user_id == user_id and self._still_open(db, record)

    def user_for(self, db: Session, token: str, user_id: int) -> User | None:
        # The session and its user in one round trip: this runs before every signed-in page.
        row = db.execute(
            select(User, UserSession)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.id == session_key(token), User.id == user_id)
        ).first()
        if row is None or not self._still_open(db, row[1]):
            return None
        return row[0]

    def _still_open(self, db: Session, record: UserSession) -> bool:
        now = self.clock()
        if record.revoked_at is not None or record.last_seen_at < now - self.idle:
            return False
        if (now - record.last_seen_at).total_seconds() >= TOUCH_SECONDS:
            self._touch(db, record.id, now)
        return True

    @staticmethod
    def _touch(db: Session, key: str, now: datetime) -> None:
        # In a savepoint: on SQLite a page view's read transaction may not get the write
        # lock; the touch is then skipped (retried on a later request), never an error.
        try:
            with db.begin_nested():
                db.execute(update(UserSession).where(UserSession.id == key).values(last_seen_at=now))
        except OperationalError:
            pass

    def revoke(self, db: Session, token: str) -> None:
        db.execute(
            update(UserSession)
            .where(UserSession.id == session_key(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=self.clock())
        )

    def revoke_key(self, db: Session, user_id: int, key: str) -> bool:
        result = db.execute(
            update(UserSession)
            .where(UserSession.id == key, UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=self.clock())
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def revoke_user(self, db: Session, user_id: int, keep_token: str | None = None) -> int:
        query = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        if keep_token:
            query = query.where(UserSession.id != session_key(keep_token))
        result = db.execute(
            query.values(revoked_at=self.clock()).execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def active(self, db: Session, user_id: int) -> list[SessionInfo]:
        rows = db.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.last_seen_at >= self.clock() - self.idle,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
        return [SessionInfo(r.id, r.user_id, r.created_at, r.last_seen_at, r.ip, r.user_agent) for r in rows]


class RedisSessions:
    """Sessions in Redis: one JSON value per session (expiring when idle) and one set of
    keys per user, so every app server sees a logout at once."""

    def __init__(self, client: Any, idle_seconds: int, prefix: str = "athenas:sessions:") -> None:
        self.redis = client
        self.ttl = idle_seconds + TOUCH_SECONDS
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return f"{self.prefix}s:{key}"

    def _u(self, user_id: int) -> str:
        return f"{self.prefix}u:{user_id}"

    def _load(self, key: str) -> dict[str, Any] | None:
        raw = self.redis.get(self._k(key))
        return json.loads(raw) if raw else None

    @_fail_closed
    def open(self, db: Session, user_id: int, ip: str | None, user_agent: str | None) -> str:
        token = secrets.token_urlsafe(32)
        key, now = session_key(token), utcnow().timestamp()
        value = {"u": user_id, "c": now, "s": now, "ip": ip, "ua": (user_agent or "")[:USER_AGENT_MAX]}
        self.redis.set(self._k(key), json.dumps(value), ex=self.ttl)
        self.redis.sadd(self._u(user_id), key)
        return token

    @_fail_closed
    def check(self, db: Session, token: str, user_id: int) -> bool:
        key = session_key(token)
        value = self._load(key)
        if value is None or value["u"] != user_id:
            return False
        now = utcnow().timestamp()
        if now - value["s"] >= TOUCH_SECONDS:
            value["s"] = now
            self.redis.set(self._k(key), json.dumps(value), ex=self.ttl)
        return True

    def user_for(self, db: Session, token: str, user_id: int) -> User | None:
        # Redis and the database are two servers: two round trips, the session first.
        return db.get(User, user_id) if self.check(db, token, user_id) else None

    @_fail_closed
    def revoke(self, db: Session, token: str) -> None:
        key = session_key(token)
        value = self._load(key)
        self.redis.delete(self._k(key))
        if value is not None:
            self.redis.srem(self._u(value["u"]), key)

    @_fail_closed
    def revoke_key(self, db: Session, user_id: int, key: str) -> bool:
        value = self._load(key)
        if value is None or value["u"] != user_id:
            return False
        self.redis.delete(self._k(key))
        self.redis.srem(self._u(user_id), key)
        return True

    @_fail_closed
    def revoke_user(self, db: Session, user_id: int, keep_token: str | None = None) -> int:
        keep = session_key(keep_token) if keep_token else None
        keys = [k.decode() if isinstance(k, bytes) else k for k in self.redis.smembers(self._u(user_id))]
        ended = [k for k in keys if k != keep]
        if ended:
            self.redis.delete(*(self._k(k) for k in ended))
            self.redis.srem(self._u(user_id), *ended)
        return len(ended)

    @_fail_closed
    def active(self, db: Session, user_id: int) -> list[SessionInfo]:
        found = []
        for raw_key in self.redis.smembers(self._u(user_id)):
            key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            value = self._load(key)
            if value is None:  # expired: forget it
                self.redis.srem(self._u(user_id), key)
                continue
            found.append(
                SessionInfo(
                    key,
                    user_id,
                    datetime.fromtimestamp(value["c"], tz=utcnow().tzinfo),
                    datetime.fromtimestamp(value["s"], tz=utcnow().tzinfo),
                    value.get("ip"),
                    value.get("ua") or None,
                )
            )
        return sorted(found, key=lambda s: s.last_seen_at, reverse=True)


_registry: SessionRegistry | None = None


def configure(registry: SessionRegistry) -> None:
    """Set the process-wide registry (done once by the app at start-up)."""
    global _registry
    _registry = registry


def registry() -> SessionRegistry:
    """The configured registry; the database one (30-minute idle) before configuration."""
    global _registry
    if _registry is None:
        _registry = DatabaseSessions(idle_seconds=30 * 60)
    return _registry
