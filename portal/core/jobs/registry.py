"""Job kinds are registered in code: `@job_kind("demo.recompute", label="...")`.

A body is `fn(ctx: JobContext, **params)`; it returns a `JobResult`, a dict or None.
Domain packages register their kinds in modules imported by the app factory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from portal.core.jobs.models import Job

JobBody = Callable[..., Any]
#: (session, job) → None: settles what a job left when its worker died (see `sweep_stale`)
Abandoned = Callable[["Session", "Job"], None]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    fn: JobBody
    max_attempts: int = 3  # transient failures are retried up to this many runs in total
    retry_backoff_seconds: float = 5.0  # doubled at every new attempt
    #: run by the stale sweep, in its transaction, when it fails a job of this kind whose
    #: worker died (or that never started): undoes what the body committed in steps
    on_abandoned: Abandoned | None = None


@dataclass(frozen=True)
class PeriodicJob:
    """A kind that Celery beat enqueues every `every_seconds` (as the system actor)."""

    kind: str
    every_seconds: float
    params: dict[str, Any] = field(default_factory=dict)


_KINDS: dict[str, JobKind] = {}
PERIODIC: list[PeriodicJob] = []


def job_kind(
    name: str,
    *,
    label: str,
    max_attempts: int = 3,
    retry_backoff_seconds: float = 5.0,
    on_abandoned: Abandoned | None = None,
) -> Callable[[JobBody], JobBody]:
    """Register `fn` as the body of job kind `name`; `label` is shown to users (pt-BR)."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be >= 1")

    def decorator(fn: JobBody) -> JobBody:
        existing = _KINDS.get(name)
        if existing is not None and existing.fn is not fn:
            qualified = f"{fn.__module__}.{fn.__qualname__}"
            if f"{existing.fn.__module__}.{existing.fn.__qualname__}" != qualified:
                raise ValueError(f"job kind {name!r} registered twice")
        _KINDS[name] = JobKind(name, label, fn, max_attempts, retry_backoff_seconds, on_abandoned)
        return fn

    return decorator


def periodic(kind: str, every_seconds: float, **params: Any) -> None:
    """Add a beat entry (the schedule lives in code; later issues add entries)."""
    PERIODIC.append(PeriodicJob(kind, every_seconds, params))


def get_kind(name: str) -> JobKind | None:
    return _KINDS.get(name)


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return kind.label if kind else name


def all_kinds() -> list[JobKind]:
    return sorted(_KINDS.values(), key=lambda k: k.label)
