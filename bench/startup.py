"""Benchmark: how long a command that does nothing takes (`flask --app wsgi --help`).

Every CLI command, Celery worker boot, Gunicorn worker and test process pays the time to
import the portal and build the app. This runs the command N times (bytecode caches warm)
and reports the median wall-clock and CPU time, next to the floor: a bare
`import flask, sqlalchemy.orm` in the same interpreter. With `--compare DIR` the same
command runs alternately in another checkout (e.g. the code before a change), so both see
the same machine load.

    .venv/bin/python bench/startup.py [--runs 7] [--compare /tmp/base]

Writes bench/results/startup.md (the part above the hand-written notes).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "startup.md"
FLOOR = "import flask, flask_login, flask_wtf, sqlalchemy.orm"
NOTES_MARK = "## Notas"


def run_once(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + sys of the child) and stderr of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--compare", type=Path, help="another checkout to time alternately (the 'before')")
    args = parser.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # production installs keep their .pyc files
    env.setdefault("PYTHONPYCACHEPREFIX", "/tmp/athenas-bench-pycache")
    python = str(ROOT / ".venv" / "bin" / "python")
    flask = str(ROOT / ".venv" / "bin" / "flask")
    commands = {"floor": ([python, "-c", FLOOR], ROOT), "after": ([flask, "--app", "wsgi", "--help"], ROOT)}
    if args.compare:
        commands["before"] = ([flask, "--app", "wsgi", "--help"], args.compare.resolve())
    for argv, cwd in commands.values():  # warm the bytecode caches
        run_once(argv, cwd, env)

    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    stderr: dict[str, str] = {}
    for _ in range(args.runs):
        for name, (argv, cwd) in commands.items():
            wall, cpu, err = run_once(argv, cwd, env)
            samples[name].append((wall, cpu))
            stderr[name] = err

    def median(name: str, index: int) -> float:
        return statistics.median(s[index] for s in samples[name])

    load = os.getloadavg()
    labels = {
        "before": "`flask --app wsgi --help`, antes",
        "after": "`flask --app wsgi --help`" + (", depois" if args.compare else ""),
        "floor": f'piso: `python -c "{FLOOR}"`',
    }
    rows = [
        f"| {labels[name]} | {median(name, 0):.2f} s | {median(name, 1):.2f} s | "
        f"{len([line for line in stderr[name].splitlines() if line.strip()])} |"
        for name in ("before", "after", "floor")
        if name in samples
    ]
    text = "\n".join(
        [
            "# Partida de um comando (bench/startup.py)",
            "",
            f"Execução: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · CPUs: {os.cpu_count()} · "
            f"Python {platform.python_version()} · carga média durante a medição: {load[0]:.1f}",
            "",
            f"Mediana de {args.runs} execuções com o cache de bytecode aquecido (como numa instalação).",
            "Tempo de CPU = user + sys do processo; o relógio inclui a espera pela CPU na máquina",
            "compartilhada.",
            "",
            "| Comando | Relógio | CPU | Linhas no stderr |",
            "|---|---|---|---|",
            *rows,
            "",
        ]
    )
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    notes = previous[previous.index(NOTES_MARK) :] if NOTES_MARK in previous else ""
    RESULTS.write_text(text + ("\n" + notes if notes else ""), encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
