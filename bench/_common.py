"""Pieces shared by the bench scripts: the app with its `SELECT 1` baseline page, a
logged-in test client, timing summaries, database facts, the results file and the
batched writer of the data generators. Imported as `_common` (the scripts' folder is on
sys.path when they run)."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import render_template  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.people import sessions  # noqa: E402
from portal.people.models import User  # noqa: E402
from portal.people.permissions import Permission  # noqa: E402
from portal.web.access import require  # noqa: E402

BASELINE = '{% extends "layout/base.html" %}{% block content %}<p>{{ value }}</p>{% endblock %}'
BASELINE_PATH = "/bench/select1"


def build_app():
    """The portal plus the baseline page: the same stack with one `SELECT 1` and the layout."""
    app = create_app()
    # Compiled once, as the portal's file templates are (render_template_string would
    # compile it again on every request, a cost no real page pays).
    template = app.jinja_env.from_string(BASELINE)

    @app.route(BASELINE_PATH)
    @require(Permission.ACCOUNT)
    def bench_select1():
        value = db.session.execute(text("SELECT 1")).scalar()
        return render_template(template, value=value)

    return app


def login(app, email: str):
    """A test client signed in as `email` (created as an operations user when missing)."""
    with app.app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name="Operações Bench", role="operations")
            session.add(user)
            session.commit()
        user_id = user.get_id()
        # The server-side session record a real login opens (load_user checks it).
        token = sessions.registry().open(session, user.id, "127.0.0.1", "bench")
        session.commit()
        session.close()
    client = app.test_client()
    with client.session_transaction() as s:
        s["sid"] = token
        s["_user_id"] = user_id
        s["_fresh"] = True
        s["last_seen"] = int(time.time())
    return client


def summary(timings: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(timings)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def database_facts(app, model) -> tuple[int, str, str]:
    """Rows of `model`, the dialect name and the server version."""
    with app.app_context():
        session = db.new_session()
        total = session.scalar(select(func.count()).select_from(model))
        dialect = session.get_bind().dialect.name
        version = session.execute(
            text("SELECT version()" if dialect == "postgresql" else "SELECT sqlite_version()")
        ).scalar()
        session.close()
    return total, dialect, version


def report_head(title: str, dialect: str, version: str, rows_label: str, total: int) -> list[str]:
    """The first lines of a results file: date, database and table size."""
    return [
        f"# {title}",
        "",
        f"- Data: {date.today().isoformat()}",
        f"- Banco: {dialect} ({str(version).split(',')[0]})",
        f"- {rows_label} na tabela: {total:,}".replace(",", "."),
    ]


def write_results(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Resultados em {path}")


def generator_args(doc: str, count: int, batch: int, **more: int) -> argparse.Namespace:
    """--count, --batch, the integer options in `more` and --seed, with their defaults."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--count", type=int, default=count)
    parser.add_argument("--batch", type=int, default=batch)
    for name, default in more.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def write_in_batches(
    session, rows: Iterable[dict], size: int, write: Callable[[object, list[dict]], None], noun: str
) -> tuple[int, float]:
    """Write `rows` `size` at a time, committing each batch and printing the rate;
    returns how many rows were written and when the writing started."""
    started = time.perf_counter()
    batch: list[dict] = []
    done = 0
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            write(session, batch)
            session.commit()
            done += len(batch)
            batch.clear()
            rate = done / (time.perf_counter() - started)
            print(f"{done:>10,} {noun} ({rate:,.0f}/s)", flush=True)
    if batch:
        write(session, batch)
        session.commit()
        done += len(batch)
    return done, started
