"""Benchmark: the reconciliation pages and the finance home, single request, next to the bare
`SELECT 1` page (Flask test client, in process; the load suite measures them under load).

    DATABASE_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/athenas_bench_300k_recon \
    REDIS_URL=redis://127.0.0.1:6379/13 .venv/bin/python bench/recon_pages.py [--requests 5]

The database must hold a ledger (bench/load/prepare.py). Prints median and p95 per page in ms
and the ratio to the bare page; writes nothing.
"""

from __future__ import annotations

import argparse
import time

from _common import BASELINE_PATH, build_app, login, summary
from sqlalchemy import select

from portal.extensions import db
from portal.people import mfa
from portal.people.models import User

EMAIL = "financeiro-bench-recon@bench.athenas"
PAGES = [
    BASELINE_PATH,
    "/finance/",
    "/finance/reconciliation",
    "/finance/reconciliation/items",
    "/finance/reconciliation?period=todos",
    "/finance/reconciliation/items?period=todos",
]


def _finance_user(app) -> None:
    with app.app_context():
        session = db.new_session()
        user = session.scalar(select(User).where(User.email == EMAIL))
        if user is None:
            user = User(email=EMAIL, name="Financeiro Bench", role="finance")
            session.add(user)
            session.flush()
        if not user.mfa_enabled:
            mfa.enrol_with_secret(session, user, mfa.new_secret())  # finance must enrol
        session.commit()
        session.close()


def _timed(client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    response.get_data()
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--pages", nargs="*", default=PAGES)
    args = parser.parse_args()
    app = build_app()
    _finance_user(app)
    client = login(app, EMAIL)
    base = None
    for path in args.pages:
        _timed(client, path)  # warm-up
        median, p95 = summary([_timed(client, path) for _ in range(args.requests)])
        base = base or median
        print(f"{path:50s} median {median:9.1f} ms  p95 {p95:9.1f} ms  ×{median / base:7.1f}", flush=True)


if __name__ == "__main__":
    main()
