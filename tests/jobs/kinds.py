"""Job kinds used only by the tests (registered on import)."""

from __future__ import annotations

import threading

from portal.core.errors import DomainError
from portal.core.jobs import JobContext, JobResult, TransientJobError, job_kind
from portal.people.models import User

# Gates let a test hold a job in the middle of its run: name -> event.
GATES: dict[str, threading.Event] = {}
FLAKY_CALLS: dict[str, int] = {}


def gate(name: str) -> threading.Event:
    return GATES.setdefault(name, threading.Event())


@job_kind("test.gated", label="Teste: aguarda liberação")
def gated(ctx: JobContext, gate_name: str, total: int = 4) -> JobResult:
    ctx.report(1, total, "Primeira etapa feita")
    if not gate(gate_name).wait(timeout=20):
        raise RuntimeError("gate never opened")
    ctx.report(total, total, "Última etapa")
    return JobResult(message="Liberado e concluído.", summary={"Etapas": total})


@job_kind("test.until_cancelled", label="Teste: roda até ser cancelado")
def until_cancelled(ctx: JobContext, marker: str) -> None:
    ctx.session.add(User(email=f"{marker}@teste.athenas", name=marker, role="agent", password_hash=None))
    ctx.session.flush()
    ctx.output_path("parcial.txt").write_text("parcial")
    step = 0
    while True:
        step += 1
        ctx.report(step, None, f"Etapa {step}")
        ctx.check_cancelled()
        threading.Event().wait(0.05)
        if step > 2000:
            raise RuntimeError("never cancelled")


@job_kind("test.refused", label="Teste: recusado por regra")
def refused(ctx: JobContext) -> None:
    raise DomainError("O arquivo do banco tem um layout desconhecido.")


@job_kind("test.crash", label="Teste: erro inesperado")
def crash(ctx: JobContext) -> None:
    ctx.report(1, 2, "Quase lá")
    raise KeyError("segredo-interno-do-stacktrace")


@job_kind("test.flaky", label="Teste: falha temporária", max_attempts=3, retry_backoff_seconds=0.05)
def flaky(ctx: JobContext, key: str, failures: int = 1) -> dict:
    FLAKY_CALLS[key] = FLAKY_CALLS.get(key, 0) + 1
    if FLAKY_CALLS[key] <= failures:
        raise TransientJobError("banco fora do ar")
    return {"Chamadas": FLAKY_CALLS[key]}


@job_kind("test.quick", label="Teste: rápido")
def quick(ctx: JobContext, n: int = 3) -> JobResult:
    for i in range(1, n + 1):
        ctx.report(i, n, f"Item {i}")
    return JobResult(message="Pronto.", summary={"Itens": n})
