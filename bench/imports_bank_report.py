"""Import hub speed: a bank report XLSX imported end to end (read → typed rows → natural
keys → COPY into bank_report_lines, one transaction) against python-calamine merely
reading the same file; and the peak memory of importing a large CSV: the peak resident
set size (VmHWM in /proc/self/status) of a fresh process that only runs that import.
(`ru_maxrss` would not do: Linux keeps the parent's peak across fork + exec.)

    DATABASE_URL=postgresql+psycopg2://... python bench/imports_bank_report.py \
        --xlsx-rows 100000 --csv-rows 1000000

Goals (issue 11): ratio ≤ 2×; CSV peak < 300 MB. Results: bench/results/imports_bank_report.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import Workbook  # noqa: E402
from python_calamine import CalamineWorkbook  # noqa: E402
from sqlalchemy import select  # noqa: E402

from portal import create_app  # noqa: E402
from portal.banks.models import Bank  # noqa: E402
from portal.core.audit import SYSTEM  # noqa: E402
from portal.core.db import unit_of_work  # noqa: E402
from portal.core.imports import runs, service  # noqa: E402
from portal.extensions import db  # noqa: E402

HEADER = ["CODIGOAF", "VLRAF", "DEBITO", "CREDITO", "DATA", "TABELA", "DS_TIPOLANCAMENTO"]
MAPPING = {"contract": "CODIGOAF", "base": "VLRAF", "debit": "DEBITO", "credit": "CREDITO",
           "line_date": "DATA", "description": "DS_TIPOLANCAMENTO"}  # fmt: skip
RESULTS = Path(__file__).parent / "results" / "imports_bank_report.md"


def _row(i: int) -> list:
    day = date(2026, 1, 1) + timedelta(days=i % 300)
    debit = i % 17 == 0
    amount = round(50 + (i % 997) * 1.37, 2)
    return [f"AF{i:08d}", 10000 + i % 5000, amount if debit else None, None if debit else amount,
            day, "TB01", "ESTORNO COMISSAO" if debit else "COMISSAO FLAT"]  # fmt: skip


def write_xlsx(path: Path, rows: int) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Comissões")
    ws.append(HEADER)
    for i in range(rows):
        ws.append(_row(i))
    wb.save(path)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADER)
        for i in range(rows):
            r = _row(i)
            money = [("" if v is None else f"{v:.2f}".replace(".", ",")) for v in r[1:4]]
            writer.writerow([r[0], *money, r[4].strftime("%d/%m/%Y"), r[5], r[6]])


CPU: dict[str, list[float]] = {"read": [], "import": []}  # this process's CPU seconds (all threads)


def calamine_read(path: Path) -> float:
    start, cpu = time.perf_counter(), time.process_time()
    wb = CalamineWorkbook.from_path(str(path))
    for _ in wb.get_sheet_by_index(0).iter_rows():
        pass
    wb.close()
    CPU["read"].append(time.process_time() - cpu)
    return time.perf_counter() - start


def ensure_layout(app, sample: Path) -> None:
    with app.app_context(), unit_of_work(db.new_session) as session:
        if session.scalar(select(Bank.id).where(Bank.code == "benchbank")) is None:
            session.add(Bank(code="benchbank", name="Banco do bench"))
            session.flush()
        record = service.prepare(session, SYSTEM, kind="bank-report", bank_code="benchbank", path=sample,
                                 filename=sample.name, sha256=runs.file_sha256(sample))  # fmt: skip
        if record.status != "ready":
            service.save_layout(session, SYSTEM, record, name="Bench", mapping=MAPPING, aliases={})
        session.delete(record)


def import_once(app, path: Path) -> tuple[float, int]:
    """Import then undo (so the next run imports the same rows again); returns seconds."""
    with app.app_context():
        start, cpu = time.perf_counter(), time.process_time()
        with unit_of_work(db.new_session) as session:
            record = runs.import_path(session, SYSTEM, path, kind="bank-report", bank_code="benchbank",
                                      source="cli", storage_dir=tempfile.gettempdir())  # fmt: skip
            record_id, imported = record.id, record.imported
        elapsed = time.perf_counter() - start
        CPU["import"].append(time.process_time() - cpu)
        with unit_of_work(db.new_session) as session:
            from portal.core.imports.models import DataImport

            service.revert(session, SYSTEM, session.get_one(DataImport, record_id))
    return elapsed, imported


def peak_rss_kib() -> int:
    """This process's peak resident set size so far (Linux: VmHWM, KiB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("VmHWM not found")


def csv_child(path: Path) -> None:
    """Run in a fresh process: import `path`, print seconds, rows and peak RSS (JSON)."""
    app = create_app()
    before = peak_rss_kib()
    seconds, imported = import_once(app, path)
    peak = peak_rss_kib()
    print(json.dumps({"seconds": seconds, "imported": imported, "peak_kib": peak, "before_kib": before}))


def csv_in_fresh_process(path: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--csv-child", str(path)], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--xlsx-rows", type=int, default=100_000)
    parser.add_argument("--csv-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_child:
        csv_child(Path(args.csv_child))
        return
    app = create_app()
    dialect = str(app.config["DATABASE_URL"]).split(":")[0]
    load_before = load_average()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        xlsx, sample, big_csv = base / "report.xlsx", base / "sample.xlsx", base / "big.csv"
        write_xlsx(sample, 10)
        write_xlsx(xlsx, args.xlsx_rows)
        ensure_layout(app, sample)
        reads, imports = [], []
        for _ in range(args.repeat):  # interleaved: both see the same machine load
            reads.append(calamine_read(xlsx))
            imports.append(import_once(app, xlsx))
        best_read, best_import = min(reads), min(t for t, _ in imports)
        load_xlsx = load_average()
        write_csv(big_csv, args.csv_rows)
        child = csv_in_fresh_process(big_csv)
        load_csv = load_average()
    lines = [
        "# Import hub: bank report import speed", "",
        f"Database: {dialect}. Machine: {os.cpu_count()} cores, shared. Best of {args.repeat}.",
        f"Load average (1, 5, 15 min): {load_before} at the start, {load_xlsx} after the XLSX runs, "
        f"{load_csv} after the CSV run.", "",
        "| Measure | Value |", "|---|---|",
        f"| XLSX rows | {args.xlsx_rows:,} |",
        f"| python-calamine read only | {best_read:.2f} s |",
        f"| Import end to end (read, type, natural keys, COPY, one commit) | {best_import:.2f} s |",
        f"| Ratio (goal ≤ 2×) | {best_import / best_read:.2f}× |",
        f"| Rows imported | {imports[0][1]:,} |",
        f"| CPU of the bench process, best: read {min(CPU['read']):.2f} s, import {min(CPU['import']):.2f} s "
        f"(all threads; the database server's work is not in it) | "
        f"{min(CPU['import']) / min(CPU['read']):.2f}× |",
        f"| CSV rows | {args.csv_rows:,} ({child['imported']:,} imported in {child['seconds']:.1f} s) |",
        f"| CSV import peak RSS of the process (goal < 300 MB) | {child['peak_kib'] / 1024:.0f} MB |",
        f"| … the same process's peak before the import (app loaded) | {child['before_kib'] / 1024:.0f} MB |",
    ]  # fmt: skip
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    os.environ.setdefault("JOBS_RUNNER", "inprocess")
    main()
