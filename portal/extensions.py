"""Flask extensions and the request-scoped database session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, g, has_request_context, request
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session

from portal.core.db import WRITE_INTENT

F = TypeVar("F", bound=Callable[..., Any])


NO_WRITE_LOCK_ATTR = "_athenas_no_write_lock"


def without_write_lock(view: F) -> F:
    """Mark a state-changing view that writes nothing on SQLite (e.g. cancelling a job,
    which only signals the running thread), so it never waits for the write lock."""
    setattr(view, NO_WRITE_LOCK_ATTR, True)
    return view


def _may_write() -> bool:
    """True inside a state-changing HTTP request (POST, PUT, PATCH, DELETE)."""
    if not has_request_context() or request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, NO_WRITE_LOCK_ATTR, False)


def _configure_sqlite(engine: Engine) -> None:
    """Real transactions (and SAVEPOINTs) on pysqlite, foreign keys on, WAL for threads."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that read first cannot later take the write lock once
        # another writer has committed ("database is locked", busy_timeout won't help).
        # Requests that change state take the lock up front; page reads stay deferred so
        # they never wait (WAL readers don't block).
        # Job steps ask for the lock explicitly (`WRITE_INTENT`), one short transaction each.
        immediate = connection.get_execution_options().get(WRITE_INTENT) or _may_write()
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str) -> Engine:
    """Create an engine; no connection is opened until first use (safe before fork)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


class Database:
    """Holds one engine per app and hands out one session per app context.

    Tests may set `app.extensions["athenas.db"]["connection"]` to run every session inside
    an outer transaction; the request's commit then only releases a SAVEPOINT.
    """

    def __init__(self) -> None:
        # scoped_session is typed for a sessionmaker; any session factory works at runtime.
        self._scoped: scoped_session[Session] = scoped_session(
            self._new_session,  # type: ignore[arg-type]
            scopefunc=self._scope,
        )

    @property
    def session(self) -> Session:
        """This app context's session (created on first use, removed at teardown)."""
        return self._scoped()

    @staticmethod
    def _scope() -> int:
        return id(g._get_current_object())

    @staticmethod
    def _state() -> dict[str, Any]:
        return current_app.extensions["athenas.db"]

    def _new_session(self) -> Session:
        state = self._state()
        bind = state.get("connection") or state["engine"]
        # `info` carries the app's job service, so `enqueue(session, ...)` needs nothing else.
        return Session(
            bind=bind,
            expire_on_commit=False,
            join_transaction_mode="create_savepoint",
            info={"athenas.jobs": state.get("jobs")} if state.get("jobs") else {},
        )

    def init_app(self, app: Flask) -> None:
        app.extensions["athenas.db"] = {"engine": make_engine(app.config["DATABASE_URL"])}
        app.teardown_appcontext(self._remove)

    def _remove(self, _exc: BaseException | None) -> None:
        self._scoped.remove()

    @property
    def engine(self) -> Engine:
        return self._state()["engine"]

    def new_session(self) -> Session:
        """A session outside the request scope (jobs, threads); caller closes it."""
        return self._new_session()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
