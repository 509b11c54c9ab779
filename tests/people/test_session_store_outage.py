"""A session store that cannot answer refuses the page with a 503 message (fails closed);
any other error is left alone, not disguised as an outage."""

from __future__ import annotations

import socket

import pytest
import redis

from portal.core.errors import ServiceUnavailable
from portal.people import sessions


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_redis_refuses_the_session_check():
    client = redis.Redis(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=1)
    store = sessions.RedisSessions(client, idle_seconds=1800)
    with pytest.raises(ServiceUnavailable) as refused:
        store.check(None, "token", 1)  # type: ignore[arg-type]
    assert refused.value.message == sessions.UNAVAILABLE


def test_an_error_that_is_not_redis_s_is_not_reported_as_an_outage():
    class Broken:
        def get(self, key):
            raise KeyError(key)

    store = sessions.RedisSessions(Broken(), idle_seconds=1800)
    with pytest.raises(KeyError):
        store.check(None, "token", 1)  # type: ignore[arg-type]
