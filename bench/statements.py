"""Statement benchmarks (issue #11, "Speed"):

1. our PDF time ÷ WeasyPrint rendering the same HTML (goal ≤ 1.15×);
2. the period approval job, end to end on the database, for N payees with 1 and then 2
   worker processes (goal ≥ 1.8× throughput with 2): process 1 runs the period job (which
   runs every chunk no one else took), process 2 (when there) runs queued chunk jobs like a
   Celery worker would;
3. downloading a stored statement (read, decrypt, response) ÷ serving a static file of
   the same size (goal ≤ 2×).

    DATABASE_URL=postgresql+psycopg2://... PYTHONPATH=. python bench/statements.py --payees 500 --lines 40

The PDF and download figures use statements built in memory. The job figure needs a
migrated database in DATABASE_URL: it writes a closed period "2031-01" with the payees'
ledger entries (once), then approves it twice (statements of the period deleted before
each run). Results in bench/results/statements.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from weasyprint import HTML  # noqa: E402

from portal.commissions.statements.models import Statement, StatementLine  # noqa: E402
from portal.core.crypto import KeyRing, configure_keyring  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "statements.md"


def fake_statement(n: int, lines: int) -> Statement:
    s = Statement(
        id=n, period="2026-03", payee=f"corretor{n}@demo.athenas", payee_name=f"Corretor {n}",
        store_name="Loja Centro", state="approved", lines_count=lines, earned=Decimal("0.00"),
        overrides=Decimal("0.00"), bonuses=Decimal("0.00"), clawbacks=Decimal("0.00"),
        adjustments=Decimal("0.00"), carried_in=Decimal("0.00"), carried_out=Decimal("0.00"),
        payable=Decimal("0.00"), content_hash=f"{n:064x}", approved_by_label="Financeiro",
        approved_at=datetime(2026, 4, 2, 12, tzinfo=UTC),
    )  # fmt: skip
    total = Decimal("0.00")
    for i in range(1, lines + 1):
        amount = Decimal(f"{20 + i}.{i % 100:02d}")
        total += amount
        s.lines.append(
            StatementLine(
                line_no=i,
                competence="2026-03",
                contract=f"CT-{n}-{i}",
                client_name=f"Cliente {i}",
                client_cpf_masked="***.456.789-**",
                bank_name="Facta",
                product="Novo",
                kind="repasse",
                kind_label="Repasse ao colaborador",
                base=Decimal("1000.00"),
                percent=Decimal("40"),
                amount=amount,
                explanation=f"40,00% de R$ 1.000,00 (comissão à vista), plano de corretor{n}",
            )  # fmt: skip
        )
    s.earned = s.payable = total
    return s


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bench_pdf(lines: int, repeat: int) -> tuple[float, float]:
    from portal.web.statement_pdf import render_statement_pdf, statement_html

    s = fake_statement(1, lines)
    html = statement_html(s)
    render_statement_pdf(s)  # warm-up (fonts, CSS)
    ours = timed(lambda: render_statement_pdf(s), repeat)
    plain = timed(lambda: HTML(string=html).write_pdf(), repeat)
    return ours, plain


BENCH_PERIOD = "2031-01"


class HeldRunner:
    """Jobs are not handed to any thread: the bench's processes claim them themselves."""

    name = "bench"

    def check_available(self) -> None:
        return None

    def dispatch(self, job_id: int) -> None:
        return None

    def live(self, job_id: int):
        return None


def bench_app():
    from portal import create_app

    app = create_app()
    app.extensions["athenas.jobs"].runner = HeldRunner()
    return app


def seed_period(payees: int, lines: int) -> None:
    """A closed period with `lines` ledger entries for each of `payees` payees (once)."""
    from sqlalchemy import func, insert, select

    from portal.commissions.models import CommissionPeriod, LedgerEntry
    from portal.core.db import unit_of_work
    from portal.extensions import db

    app = bench_app()
    with app.app_context(), unit_of_work(db.new_session) as session:
        have = session.scalar(
            select(func.count(func.distinct(LedgerEntry.payee))).where(
                LedgerEntry.posting_period == BENCH_PERIOD
            )
        )
        if have and have >= payees:
            return
        if session.scalar(select(CommissionPeriod.id).where(CommissionPeriod.period == BENCH_PERIOD)) is None:
            session.add(CommissionPeriod(period=BENCH_PERIOD, state="closed", closed_by_label="Bench"))
        rows = []
        for n in range(have or 0, payees):
            for i in range(1, lines + 1):
                rows.append(
                    {
                        "batch_id": "bench",
                        "contract": f"BENCH-{n}-{i}",
                        "bank_code": "facta",
                        "payee": f"bench{n}@bench.athenas",
                        "kind": "repasse",
                        "competence": BENCH_PERIOD,
                        "posting_period": BENCH_PERIOD,
                        "prior_period": False,
                        "base": Decimal("1000.00"),
                        "percent": Decimal("40"),
                        "amount": Decimal(f"{20 + i}.{i % 100:02d}"),
                        "explanation": f"40,00% de R$ 1.000,00 (comissão à vista), plano de bench{n}",
                        "source": "engine",
                        "author_label": "Bench",
                    }  # fmt: skip
                )
            if len(rows) >= 20_000:
                session.execute(insert(LedgerEntry), rows)
                rows = []
        if rows:
            session.execute(insert(LedgerEntry), rows)


def _reset_and_queue(app, workers: int) -> int:
    """Statements of the bench period deleted; the period job queued (not dispatched)."""
    from sqlalchemy import text

    from portal.core.db import unit_of_work, utcnow
    from portal.core.jobs import Job, JobStatus
    from portal.extensions import db
    from portal.web.statement_job import KIND

    with app.app_context(), unit_of_work(db.new_session) as session:
        ids = "SELECT id FROM commission_statements WHERE period = :p"
        session.execute(
            text(f"DELETE FROM commission_statement_lines WHERE statement_id IN ({ids})"), {"p": BENCH_PERIOD}
        )
        session.execute(text("DELETE FROM commission_statements WHERE period = :p"), {"p": BENCH_PERIOD})
        job = Job(
            kind=KIND, params={"period": BENCH_PERIOD, "workers": workers}, actor_label="Bench",
            status=JobStatus.QUEUED, progress_done=0, progress_message="", created_at=utcnow(),
        )  # fmt: skip
        session.add(job)
        session.flush()
        return job.id


def chunk_worker(parent_id: int, storage_dir: str, ready) -> None:
    """A second worker process: runs queued chunk jobs until the period job has finished
    (started, warmed up and connected before the clock starts, like a running Celery worker)."""
    os.environ["ATHENAS_STORAGE_DIR"] = storage_dir
    from sqlalchemy import select

    from portal.core.jobs import Job, JobStatus, run_job
    from portal.web.statement_job import CHUNK_KIND
    from portal.web.statement_pdf import render_statement_pdf

    app = bench_app()
    env = app.extensions["athenas.jobs"].env
    render_statement_pdf(fake_statement(0, 2))  # fonts and CSS loaded, as in a warm worker
    with app.app_context():
        session = env.session_factory()
        session.scalar(select(Job.id).limit(1))
        session.commit()
        ready.set()
        while True:
            queued = session.scalars(
                select(Job.id).where(Job.kind == CHUNK_KIND, Job.status == JobStatus.QUEUED).order_by(Job.id)
            ).all()
            parent = session.scalar(select(Job.status).where(Job.id == parent_id))
            session.commit()
            for job_id in queued:
                run_job(env, job_id)
            if not queued:
                if parent in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED):
                    return
                time.sleep(0.05)


def bench_job(payees: int, lines: int, storage_dir: str) -> dict[int, float]:
    """Seconds for the period job with 1 and with 2 worker processes (chunks for 2 both times)."""
    import multiprocessing

    from portal.core.jobs import Job, run_job

    os.environ["ATHENAS_STORAGE_DIR"] = storage_dir
    seed_period(payees, lines)
    app = bench_app()
    env = app.extensions["athenas.jobs"].env
    context = multiprocessing.get_context("spawn")
    out = {}
    from portal.web.statement_pdf import render_statement_pdf

    render_statement_pdf(fake_statement(0, 2))  # this process warm too
    for processes in (1, 2):
        job_id = _reset_and_queue(app, workers=2)
        helper = None
        if processes == 2:
            ready = context.Event()
            helper = context.Process(target=chunk_worker, args=(job_id, storage_dir, ready))
            helper.start()
            ready.wait()  # worker start-up is not job time
        start = time.perf_counter()
        run_job(env, job_id)
        out[processes] = time.perf_counter() - start
        if helper is not None:
            helper.join()
        with app.app_context():
            from portal.extensions import db

            session = db.new_session()
            job = session.get(Job, job_id)
            assert job.status == "done", job.error
            assert job.result["summary"]["Extratos aprovados"] == payees, job.result
            session.close()
    return out


def bench_download(lines: int, repeat: int) -> tuple[float, float, int]:
    from flask import Flask, send_from_directory

    from portal.commissions.statements import files
    from portal.web.statement_pdf import pdf_download, render_statement_pdf

    s = fake_statement(1, lines)
    pdf = render_statement_pdf(s)
    with tempfile.TemporaryDirectory() as tmp:
        files.store_pdf(tmp, s, pdf)
        static = Path(tmp) / "static"
        static.mkdir()
        (static / "same.pdf").write_bytes(pdf)
        app = Flask(__name__)
        with app.test_request_context("/"):
            ours = timed(lambda: pdf_download(tmp, s).get_data(), repeat)

            def plain() -> bytes:
                response = send_from_directory(static, "same.pdf")
                response.direct_passthrough = False
                return response.get_data()

            base = timed(plain, repeat)
    return ours, base, len(pdf)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--payees", type=int, default=500)
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    configure_keyring(KeyRing.generate())
    ours, plain = bench_pdf(args.lines, args.repeat)
    print(f"pdf: ours {ours:.3f}s, weasyprint {plain:.3f}s, ratio {ours / plain:.2f}")
    down, static, size = bench_download(args.lines, args.repeat * 30)
    print(f"download: ours {down * 1000:.2f}ms, static {static * 1000:.2f}ms, ratio {down / static:.2f}")
    dialect = os.environ.get("DATABASE_URL", "sqlite").split(":")[0]
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory() as storage:
        job = bench_job(args.payees, args.lines, storage)
    load_after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    speedup = job[1] / job[2]
    print(f"job: 1 worker {job[1]:.1f}s, 2 workers {job[2]:.1f}s, speed-up {speedup:.2f}")
    rows = [
        f"| Statement PDF ({args.lines} lines), median of {args.repeat} | {ours:.3f} s | "
        f"WeasyPrint on the same HTML {plain:.3f} s | {ours / plain:.2f}× | ≤ 1,15× |",
        f"| Download of a stored statement ({size} bytes), read + decrypt + response | "
        f"{down * 1000:.2f} ms | "
        f"static file of the same size {static * 1000:.2f} ms | {down / static:.2f}× | ≤ 2× |",
        f"| Period approval job end to end, {args.payees} payees | 2 processes {job[2]:.1f} s | "
        f"1 process {job[1]:.1f} s | {speedup:.2f}× throughput | ≥ 1,8× |",
    ]
    table = "\n".join(rows)
    RESULTS.write_text(
        f"""# Statements benchmark

`PYTHONPATH=. python bench/statements.py --payees {args.payees} --lines {args.lines}` on the shared
machine ({os.cpu_count()} cores visible, shared with other helpers' work at the same time).
Load average (1, 5, 15 min) before the job runs: {load_before}; after: {load_after}.

| Measure | Ours | Baseline | Ratio | Goal |
|---|---|---|---|---|
{table}

Notes: the PDF and download figures use statements built in memory. The job figure is
the period approval job end to end on the database ({dialect}): drafts generated, the
period split into chunk jobs, each statement refreshed, stamped, rendered, stored
encrypted and frozen in short transactions, then the ZIP; with 2 processes a second
worker process (already started) runs queued chunk jobs alongside the period job. The
download figure compares the view's function
(`pdf_download`) with Flask's `send_from_directory` inside a request context, without
the HTTP stack (which both share). With 2 cores shared by several helpers, the 2-worker
figure is a lower bound.
"""
    )


if __name__ == "__main__":
    main()
