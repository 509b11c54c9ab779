"""Background jobs: one way to run long tasks outside web requests, show their
progress and scale them out.

    @job_kind("demo.recompute", label="Recalcular totais de demonstração")
    def recompute(ctx: JobContext, steps: int = 20) -> JobResult: ...

    job = enqueue(session, "demo.recompute", actor, steps=10)   # runs after commit

Runners: an in-process thread pool (embedded mode, tests) or Celery + Redis
(production), chosen in `runners.build_runner`. See docs/escalando.md.
"""

from portal.core.jobs.context import JobCancelled, JobContext, JobResult, TransientJobError
from portal.core.jobs.execution import STALE_MESSAGE, Outcome, run_job, sweep_stale
from portal.core.jobs.models import STATUS_LABELS, Job, JobStatus
from portal.core.jobs.registry import all_kinds, get_kind, job_kind, kind_label, periodic
from portal.core.jobs.runners import CeleryRunner, InProcessRunner, JobsUnavailable, Runner, build_runner
from portal.core.jobs.service import JobService, check_can_cancel, enqueue, request_cancel, service_for
from portal.core.jobs.settings import JobEnvironment, JobSettings

__all__ = [
    "STALE_MESSAGE",
    "STATUS_LABELS",
    "CeleryRunner",
    "InProcessRunner",
    "Job",
    "JobCancelled",
    "JobContext",
    "JobEnvironment",
    "JobResult",
    "JobService",
    "JobSettings",
    "JobStatus",
    "JobsUnavailable",
    "Outcome",
    "Runner",
    "TransientJobError",
    "all_kinds",
    "build_runner",
    "check_can_cancel",
    "enqueue",
    "get_kind",
    "job_kind",
    "kind_label",
    "periodic",
    "request_cancel",
    "run_job",
    "service_for",
    "sweep_stale",
]
