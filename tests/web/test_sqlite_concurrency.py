"""The embedded SQLite mode under concurrent writers: requests wait their turn for the
write lock instead of failing with "database is locked"."""

from __future__ import annotations

import threading

from alembic import command

from portal import create_app
from portal.core import passwords
from portal.core.migrations import alembic_config
from portal.extensions import db
from portal.people.models import User
from tests.conftest import CSRF_META, app_settings

PASSWORD = "senha-concorrente-1"


def test_parallel_logins_on_sqlite_never_fail(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrency.db'}"
    app = create_app(app_settings(url, LOGIN_MAX_FAILURES=1000))
    command.upgrade(alembic_config(url), "head")
    with app.app_context():
        for i in range(4):
            db.session.add(
                User(
                    email=f"u{i}@x.com",
                    name=f"U{i}",
                    role="agent",
                    active=True,
                    auth_version=1,
                    must_change_password=False,
                    password_hash=passwords.hash_password(PASSWORD),
                )
            )
        db.session.commit()
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        for _ in range(8):
            client = app.test_client()  # a fresh browser each time: login page, not home
            token = CSRF_META.search(client.get("/login").get_data(as_text=True)).group(1)
            # Alternate good and bad passwords: both write (audit, last login) in a transaction.
            password = PASSWORD if _ % 2 == 0 else "errada-errada"
            response = client.post(
                "/login", data={"email": f"u{i}@x.com", "password": password, "csrf_token": token}
            )
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(statuses) == 32
    assert set(statuses) <= {302, 401}, statuses
    app.extensions["athenas.db"]["engine"].dispose()
