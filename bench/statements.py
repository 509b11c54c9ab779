"""Statement benchmarks (issue #11, "Speed"):

1. our PDF time ÷ WeasyPrint rendering the same HTML (goal ≤ 1.15×);
2. the period job's rendering stage for N payees with 1 and 2 worker processes
   (goal ≥ 1.8× throughput with 2);
3. downloading a stored statement (read, decrypt, response) ÷ serving a static file of
   the same size (goal ≤ 2×).

    PYTHONPATH=. python bench/statements.py --payees 500 --lines 40

Statements are built in memory (no database): the job's database work (refreshing
drafts, storing rows) is not what these goals measure. Results in bench/results/statements.md.
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
                line_no=i, competence="2026-03", contract=f"CT-{n}-{i}", client_name=f"Cliente {i}",
                client_cpf_masked="***.456.789-**", bank_name="Facta", product="Novo", kind="repasse",
                kind_label="Repasse ao colaborador", base=Decimal("1000.00"), percent=Decimal("40"),
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


def bench_job(payees: int, lines: int) -> dict[int, float]:
    from portal.web.statement_job import render_all
    from portal.web.statement_pdf import statement_html

    htmls = [statement_html(fake_statement(n, lines)) for n in range(1, payees + 1)]
    out = {}
    for workers in (1, 2):
        start = time.perf_counter()
        count = sum(1 for _ in render_all(htmls, workers))
        assert count == payees
        out[workers] = time.perf_counter() - start
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
    job = bench_job(args.payees, args.lines)
    speedup = job[1] / job[2]
    print(f"job: 1 worker {job[1]:.1f}s, 2 workers {job[2]:.1f}s, speed-up {speedup:.2f}")
    rows = [
        f"| Statement PDF ({args.lines} lines), median of {args.repeat} | {ours:.3f} s | "
        f"WeasyPrint on the same HTML {plain:.3f} s | {ours / plain:.2f}× | ≤ 1,15× |",
        f"| Download of a stored statement ({size} bytes), read + decrypt + response | "
        f"{down * 1000:.2f} ms | "
        f"static file of the same size {static * 1000:.2f} ms | {down / static:.2f}× | ≤ 2× |",
        f"| Period job, rendering stage, {args.payees} payees | 2 workers {job[2]:.1f} s | "
        f"1 worker {job[1]:.1f} s | {speedup:.2f}× throughput | ≥ 1,8× |",
    ]
    table = "\n".join(rows)
    RESULTS.write_text(
        f"""# Statements benchmark

`PYTHONPATH=. python bench/statements.py --payees {args.payees} --lines {args.lines}` on the shared
machine (2 cores, {os.cpu_count()} visible, shared with other helpers' work at the same time).

| Measure | Ours | Baseline | Ratio | Goal |
|---|---|---|---|---|
{table}

Notes: statements are built in memory; the job figure is `statement_job.render_all` (the
CPU-bound stage, WeasyPrint in worker processes, spawn start incl. worker start-up), not
the database part of the job. The download figure compares the view's function
(`pdf_download`) with Flask's `send_from_directory` inside a request context, without
the HTTP stack (which both share). With 2 cores shared by several helpers, the 2-worker
figure is a lower bound.
"""
    )


if __name__ == "__main__":
    main()
