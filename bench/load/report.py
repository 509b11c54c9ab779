"""bench/results/load.md from Locust's CSV statistics (pt-BR, rewritten at each run).

One section per database the run used: per page requests/s, p50/p95/p99, errors, and the
ratios of throughput and p99 to the baseline page (`SELECT 1`) measured in the same run.
"""

from __future__ import annotations

import csv
import json
import os
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

BASELINE_NAME = "SELECT 1 (página base)"
GOAL = 3.0
# Rows not judged against the goal: the login (Argon2 on purpose), exports (the whole
# filtered list) and the calls that wait on the (sandbox) bank.
LOGIN_NAMES = ("/login", "/login (POST)", "/login/mfa (POST)")
NOT_PAGES = ("/login", "export", "lookups", "simulate (HTMX POST)", "digitação")


@dataclass
class Row:
    method: str
    name: str
    count: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


@dataclass
class Result:
    label: str
    facts: dict[str, str]
    rows: list[Row]
    failures: list[tuple[str, str, str, int]]
    extras: dict
    exceptions: list[tuple[str, int]] = field(default_factory=list)
    started: str = field(default_factory=lambda: datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))

    @property
    def logins(self) -> list[dict]:
        return self.extras.get("logins", [])

    @property
    def login_errors(self) -> int:
        return sum(1 for login in self.logins if login["error"])

    @property
    def errors(self) -> int:
        failed = sum(r.failures for r in self.rows if r.name not in LOGIN_NAMES)
        return failed + self.login_errors + sum(count for _, count in self.exceptions)


def database_facts(url: str) -> dict[str, str]:
    """Sizes of what the pages read, the database's size and the server's version."""
    engine = create_engine(url)
    facts: dict[str, str] = {}
    with engine.connect() as conn:
        for label, table in (
            ("Propostas", "proposals"),
            ("Clientes", "clients"),
            ("Lançamentos de comissão", "commission_ledger"),
            ("Usuários", "users"),
        ):
            facts[label] = _int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar() or 0)  # noqa: S608
        facts["Tamanho do banco"] = str(
            conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
        )
        facts["PostgreSQL"] = str(conn.execute(text("SHOW server_version")).scalar())
    engine.dispose()
    return facts


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kb = int(meminfo.read_text().split()[1])
        memory = f", {kb / 1024 / 1024:.1f} GB de memória".replace(".", ",")
    load = ", ".join(f"{v:.2f}".replace(".", ",") for v in os.getloadavg())
    cores = f"{platform.machine()} {model} ({os.cpu_count()} núcleos){memory}"
    return f"{cores}; carga média (1, 5, 15 min): {load}"


def _int(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _num(value: float, digits: int = 1) -> str:
    return f"{value:,.{digits}f}".replace(",", "X").replace(".", ",").replace("X", ".")


def _float(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        return 0.0


def read_stats(prefix: Path) -> list[Row]:
    path = Path(f"{prefix}_stats.csv")
    rows = []
    with path.open(encoding="utf-8") as handle:
        for item in csv.DictReader(handle):
            if item["Name"] == "Aggregated":
                continue
            rows.append(
                Row(
                    item["Type"],
                    item["Name"],
                    int(item["Request Count"]),
                    int(item["Failure Count"]),
                    _float(item["Requests/s"]),
                    _float(item["50%"]),
                    _float(item["95%"]),
                    _float(item["99%"]),
                )
            )
    return rows


def read_failures(prefix: Path) -> list[tuple[str, str, str, int]]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [
            (item["Method"], item["Name"], item["Error"], int(item["Occurrences"]))
            for item in csv.DictReader(handle)
        ]


def read_exceptions(prefix: Path) -> list[tuple[str, int]]:
    """Exceptions raised inside a task (a bug of the locustfile or an unexpected answer):
    counted as errors, never silently lost."""
    path = Path(f"{prefix}_exceptions.csv")
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [(item["Message"], int(item["Count"])) for item in csv.DictReader(handle)]


def read_extras(path: Path) -> dict:
    """What the locustfile kept apart: the ramp's logins, the requests cut by the end."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _unfinished_line(unfinished: list[dict]) -> str:
    if not unfinished:
        return "- Requisições cortadas pelo fim da janela: nenhuma."
    cut = ", ".join(f"{u['name']} ({_num(u['s'])} s)" for u in sorted(unfinished, key=lambda u: -u["s"])[:8])
    return (
        f"- Requisições cortadas pelo fim da janela (sem resposta ainda, fora das estatísticas): "
        f"{len(unfinished)}: {cut}"
    )


def _login_line(logins: list[dict]) -> str:
    """The sign-ins of the ramp (before the statistics restart): count, errors, times."""
    posts = sorted(login["ms"] for login in logins if login["name"] != "/login")
    if not posts:
        return "- Logins: nenhum registrado."
    errors = sum(1 for login in logins if login["error"])
    median, top = posts[len(posts) // 2], posts[-1]
    return (
        f"- Logins na subida (fora da janela medida): {_int(len(posts))} envios de senha/código, "
        f"erros: {errors}; mediana {_num(median, 0)} ms, máximo {_num(top, 0)} ms (Argon2 de propósito)"
    )


def judged(row: Row) -> bool:
    return row.name != BASELINE_NAME and not any(part in row.name for part in NOT_PAGES)


def section(result: Result, users: int, run_time: str) -> list[str]:
    base = next((r for r in result.rows if r.name == BASELINE_NAME), None)
    lines = [f"## {result.label}", ""]
    lines += [f"- {key}: {value}" for key, value in result.facts.items()]
    total = sum(r.count for r in result.rows)
    lines += [
        f"- Execução: {result.started}; janela medida: {run_time} com os {users} usuários ativos; "
        f"{_int(total)} requisições, {_num(sum(r.rps for r in result.rows))} req/s no total; "
        f"erros: {_int(result.errors)}",
        _login_line(result.logins),
        _unfinished_line(result.extras.get("unfinished", [])),
        f"- Conexões keep-alive fechadas pelo servidor no instante do reuso (requisição reenviada "
        f"uma vez, como o navegador faz): {len(result.extras.get('resent', []))}",
        "",
    ]
    if base is None or base.p99 <= 0:
        return [*lines, "Sem medições da página base: razões não calculadas.", ""]
    lines += [
        "| Página | Método | Requisições | req/s | p50 (ms) | p95 (ms) | p99 (ms) | Erros "
        "| req/s ÷ base | p99 ÷ base | Meta p99 ≤ 3× |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    over = []
    for row in sorted(result.rows, key=lambda r: (r.name != BASELINE_NAME, r.name, r.method)):
        ratio = row.p99 / base.p99
        if row.name == BASELINE_NAME:
            verdict = "base"
        elif judged(row):
            verdict = "sim" if ratio <= GOAL else "**não**"
            if ratio > GOAL:
                over.append(f"{row.name} ({_num(ratio, 2)}×)")
        else:
            verdict = "—"
        throughput = row.rps / base.rps if base.rps else 0.0
        lines.append(
            f"| {row.name} | {row.method} | {_int(row.count)} | {_num(row.rps, 2)} | {_num(row.p50, 0)} | "
            f"{_num(row.p95, 0)} | {_num(row.p99, 0)} | {_int(row.failures)} | {_num(throughput, 2)} | "
            f"{_num(ratio, 2)}× | {verdict} |"
        )
    answered = {row.name for row in result.rows}
    silent = sorted(name for name in result.extras.get("asked", {}) if name not in answered)
    for name in silent:
        lines.append(f"| {name} | — | 0 | — | — | — | — | — | — | — | **sem resposta na janela** |")
    lines.append("")
    unmeasured = [name for name in silent if judged(Row("", name, 0, 0, 0, 0, 0, 0))]
    if over:
        lines.append(f"- Páginas acima de 3× o p99 da base: {', '.join(over)}.")
    elif not unmeasured:
        lines.append("- Todas as páginas dentro da meta (p99 ≤ 3× a base).")
    if unmeasured:
        lines.append(
            f"- Pedidas e nunca respondidas dentro da janela (não medidas; ver as cortadas acima): "
            f"{', '.join(unmeasured)}."
        )
    if result.exceptions:
        lines += [
            "",
            "Exceções nas tarefas (contadas como erros):",
            "",
            "| Exceção | Ocorrências |",
            "|---|---:|",
        ]
        lines += [f"| {m.replace('|', '/')[:200]} | {c} |" for m, c in result.exceptions]
    if result.failures:
        lines += ["", "Erros:", "", "| Método | Página | Erro | Ocorrências |", "|---|---|---|---:|"]
        lines += [f"| {m} | {n} | {e.replace('|', '/')[:200]} | {c} |" for m, n, e, c in result.failures]
    lines.append("")
    return lines


HEADER = """# Teste de carga (Locust)

Gerado por `make bench-load` (bench/load/run.py); reescrito a cada execução.

- Forma de produção em 127.0.0.1: Gunicorn com `gunicorn.conf.py` (workers = núcleos, 16 threads
  `gthread`), PostgreSQL, Redis, um worker Celery e o banco sandbox (servidor HTTP real) para
  consultas de margem, simulações e digitações. O banco de dados é uma cópia do gerado
  (`CREATE DATABASE … TEMPLATE`) com a demonstração e os logins da carga por cima.
- Usuários por perfil: corretores (busca de clientes, consulta de margem, simulação,
  digitação, suas propostas), operações (painel, quadro, listas filtradas, proposta, mover
  status com CSRF), financeiro (início, razão, conciliação, extratos, exportação do razão),
  gerentes (painéis, seções, exportação, relatórios). Login real: senha e, para financeiro e
  gerente, código TOTP. Pausa entre ações de 1 a 4 s.
- Cada perfil abre também a página base (`/bench/select1`: autenticada, o layout e um
  `SELECT 1`, só no WSGI do bench). Razões sobre ela na mesma execução: req/s da linha ÷ req/s
  da base (depende dos pesos das tarefas) e p99 da linha ÷ p99 da base (meta ≤ 3 nas páginas).
- Fora da meta (—): login (Argon2 de propósito), exportações (a lista filtrada inteira) e as
  chamadas que esperam o banco (consulta, simulação, digitação: o tempo do banco sandbox conta).
- Erro = status HTTP fora de 2xx/3xx, resposta sem o que o usuário veio buscar (o cartão de
  margem, as ofertas, a proposta, a confirmação do movimento) ou sem resposta em 30 s.
- Cada linha é uma requisição: o movimento de status é o POST (303); a página da proposta para
  onde o navegador vai depois entra na linha `/operations/proposals/[id]`.
- Máquina: {machine}
"""


def write(path: Path, results: list[Result], users: int, run_time: str) -> None:
    lines = [HEADER.format(machine=machine())]
    for result in results:
        lines += section(result, users, run_time)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
