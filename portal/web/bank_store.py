"""The shared bank state store of this app (tokens, circuit breaker, webhook replay memory).

Built once per app from REDIS_URL: Redis when configured (shared by every app server and
worker), in-process memory otherwise. Building it opens no connection.
"""

from __future__ import annotations

from flask import Flask, current_app

from portal.banks.service import configure_store, make_store
from portal.banks.state import StateStore

KEY = "athenas.bank_store"


def init_app(app: Flask) -> None:
    store = make_store(app.config.get("REDIS_URL") or None)
    app.extensions[KEY] = store
    configure_store(store)  # jobs running in this process share it


def bank_store() -> StateStore:
    return current_app.extensions[KEY]
