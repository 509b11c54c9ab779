"""The demo job kind: exercises the job machinery end to end until real kinds exist.

"Recalcular totais de demonstração" counts users per profile and audit entries in
steps (so the progress bar visibly moves), writes a CSV to the shared storage and
returns a summary. `fail_at_step` simulates a crash, to show how failures look.
"""

from __future__ import annotations

import csv
import time

from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.core.jobs import JobContext, JobResult, job_kind
from portal.people.models import User
from portal.people.permissions import Role

DEMO_KIND = "demo.recompute"
MAX_STEPS = 200


@job_kind(DEMO_KIND, label="Recalcular totais de demonstração", max_attempts=1)
def recompute_demo_totals(
    ctx: JobContext, steps: int = 20, delay: float = 0.25, fail_at_step: int | None = None
) -> JobResult:
    steps = max(1, min(MAX_STEPS, int(steps)))
    delay = max(0.0, min(2.0, float(delay)))
    ctx.report(0, steps, "Lendo os cadastros…")
    by_role = dict(ctx.session.execute(select(User.role, func.count()).group_by(User.role)).all())  # type: ignore[arg-type,var-annotated]
    active = ctx.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))) or 0
    audit_entries = ctx.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    for step in range(1, steps + 1):
        ctx.check_cancelled()
        time.sleep(delay)
        if fail_at_step is not None and step == int(fail_at_step):
            raise RuntimeError(f"falha simulada na etapa {step} (demonstração)")
        ctx.report(step, steps, f"Somando totais: etapa {step} de {steps}")
    summary = {Role(role).label: count for role, count in sorted(by_role.items())}
    summary["Usuários ativos"] = active
    summary["Registros de auditoria"] = audit_entries
    with ctx.output_path("totais.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Indicador", "Total"])
        writer.writerows(summary.items())
    return JobResult(message="Totais de demonstração recalculados.", summary=summary, file="totais.csv")
