"""The embedded mode's scheduler: what Celery beat does in production, in one thread.

`flask serve` (used by `make run`) starts it when jobs run in-process: every entry of the
periodic schedule (`portal.core.jobs.periodic(...)`) is enqueued at its interval, as the
system actor, through the same `enqueue` Celery beat uses.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask

from portal.core.audit import SYSTEM
from portal.core.db import unit_of_work
from portal.core.jobs import enqueue
from portal.core.jobs.registry import PERIODIC
from portal.extensions import db

log = logging.getLogger("portal.embedded")


def start_scheduler(app: Flask, stop: threading.Event | None = None) -> threading.Event:
    """Start the daemon thread; set the returned event to stop it."""
    stop = stop or threading.Event()
    thread = threading.Thread(target=_loop, args=(app, stop), name="athenas-scheduler", daemon=True)
    thread.start()
    return stop


def _loop(app: Flask, stop: threading.Event) -> None:
    next_run = {entry.kind: time.monotonic() + min(entry.every_seconds, 30.0) for entry in PERIODIC}
    while not stop.wait(1.0):
        now = time.monotonic()
        for entry in PERIODIC:
            if now < next_run[entry.kind]:
                continue
            next_run[entry.kind] = now + entry.every_seconds
            try:
                with app.app_context(), unit_of_work(db.new_session) as session:
                    enqueue(session, entry.kind, SYSTEM, **entry.params)
            except Exception:  # the next tick tries again; the site keeps serving
                log.exception("periodic job %s could not be enqueued", entry.kind)
