"""Benchmark: the commission calculator over 100,000 generated contracts (no database).

Writes a table (the demo banks, several products, agreements and term bands), a plans
file and N contracts (CSV, some cancelled, some without a table) to a temporary folder,
then runs `portal.commissions.calculator.calculate` — the code behind
`flask --app wsgi commissions preview` — and reports contracts and lines per second and
peak memory. Memory is measured with tracemalloc on runs of N/20 and N/5 contracts: the
calculator streams, so the two peaks must be about the same.

    .venv/bin/python bench/commissions_calculator.py [--count 100000] [--seed 1]

Writes bench/results/commissions_calculator.md.
"""

from __future__ import annotations

import argparse
import csv
import platform
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.commissions.calculator import calculate  # noqa: E402
from portal.commissions.layouts import CONTRACT_COLUMNS, PLAN_COLUMNS, TABLE_COLUMNS  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "commissions_calculator.md"
BANKS = ("facta", "daycoval", "c6", "master", "bradesco", "bmg", "pan")
PRODUCTS = ("new", "refin", "portability", "card")
AGREEMENTS = ("INSS", "SIAPE", "GOV-SP")
AGENTS = [f"agente{i}@demo.athenas" for i in range(200)]


def write_table(path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(TABLE_COLUMNS)
        for bank in BANKS:
            for product in PRODUCTS:
                base = "troco" if product in ("refin", "portability") else "bruto"
                for agreement in (*AGREEMENTS[:2], "*"):
                    for low, high in ((1, 36), (37, 72), (73, 96)):
                        out.writerow([bank, product, agreement, "*", low, high, "0", "5", "01/01/2026", "",
                                      base, "5,50", "0,25", 6 if agreement == "*" else 12, "0,30", "0",
                                      90, "pro_rata" if bank != "pan" else "integral"])  # fmt: skip
                        count += 1
    return count


def write_contracts(path: Path, count: int, rng: random.Random) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow([*CONTRACT_COLUMNS, "data_encerramento", "motivo_encerramento"])
        for n in range(count):
            paid = date(2026, 3, 1) + timedelta(days=rng.randrange(31))
            gross = rng.randrange(100_000, 10_000_000)
            ended = rng.random() < 0.05
            term = 120 if rng.random() < 0.01 else rng.choice((24, 48, 84, 96))  # 1 % without a table
            out.writerow([
                f"CT-{n:07d}", rng.choice(BANKS), rng.choice(PRODUCTS), rng.choice(AGREEMENTS), "T1", term,
                "1,85", f"{gross // 100},{gross % 100:02d}", f"{gross * 9 // 1000},00",
                f"{gross // 300},00", "0", paid.strftime("%d/%m/%Y"), rng.choice(AGENTS),
                (paid + timedelta(days=rng.randrange(1, 200))).strftime("%d/%m/%Y") if ended else "",
                "cancelamento" if ended else "",
            ])  # fmt: skip


def write_plans(path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(PLAN_COLUMNS)
        for i, agent in enumerate(AGENTS):
            out.writerow([agent, "01/01/2026", "", "comissao", "40"])
            if i % 4 == 0:
                out.writerow([agent, "01/01/2026", "", "producao", "0,50"])


def run(folder: Path, count: int, seed: int, traced: bool) -> dict[str, float]:
    contracts = folder / f"contratos_{count}.csv"
    if not contracts.exists():
        write_contracts(contracts, count, random.Random(seed))
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    summary = calculate(folder / "tabela.csv", contracts, folder / "linhas.csv", plans=folder / "planos.csv")
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    return {"contracts": summary.contracts, "lines": summary.lines, "no_table": summary.no_table,
            "seconds": elapsed, "peak": peak, "out_bytes": (folder / "linhas.csv").stat().st_size}  # fmt: skip  # noqa: E501


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="athenas-calc-") as tmp:
        folder = Path(tmp)
        rows = write_table(folder / "tabela.csv")
        write_plans(folder / "planos.csv")
        timed = run(folder, args.count, args.seed, traced=False)
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{timed['contracts']:,} contratos em {timed['seconds']:.1f} s")
        # tracemalloc slows Python down several times: compare two smaller runs instead.
        small = run(folder, args.count // 20, args.seed, traced=True)
        big = run(folder, args.count // 5, args.seed, traced=True)
    mb = 1024 * 1024
    lines = [
        "# Calculadora de comissões sobre arquivos (bench/commissions_calculator.py)",
        "",
        f"Execução: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · CPUs: 2 (compartilhadas) · "
        f"Python {platform.python_version()} · sem banco de dados",
        "",
        f"- Tabela: {rows} linhas (7 bancos × 4 produtos × 3 convênios × 3 faixas de prazo); "
        f"planos de {len(AGENTS)} corretores.",
        f"- Contratos CSV gerados: {args.count:,}, 5 % encerrados (estornos), ~1 % sem tabela.",
        "",
        "| Medida | Valor |",
        "|---|---|",
        f"| Contratos | {timed['contracts']:,} |",
        f"| Linhas gravadas | {timed['lines']:,} ({timed['out_bytes'] / mb:.0f} MB) |",
        f"| Contratos sem tabela (linhas sem_tabela) | {timed['no_table']:,} |",
        f"| Tempo total (leitura, cálculo e gravação) | {timed['seconds']:.1f} s |",
        f"| Contratos por segundo | {timed['contracts'] / timed['seconds']:,.0f} |",
        f"| Linhas por segundo | {timed['lines'] / timed['seconds']:,.0f} |",
        f"| Pico de memória Python (tracemalloc), {small['contracts']:,} contratos | "
        f"{small['peak'] / mb:.1f} MB |",
        f"| Pico de memória Python (tracemalloc), {big['contracts']:,} contratos | {big['peak'] / mb:.1f} MB |",  # noqa: E501
        f"| RSS máximo do processo (inclui o interpretador e as bibliotecas) | {rss_mb:.0f} MB |",
        "",
        "O pico com 4× mais contratos fica no mesmo patamar: os contratos são lidos, calculados e "
        "gravados um a um; só a tabela, os planos e os totais por beneficiário ficam em memória.",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"Resultados em {RESULTS}")


if __name__ == "__main__":
    main()
