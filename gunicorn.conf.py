"""Gunicorn settings, from the environment with sane defaults.

Threads matter: bank lookups wait on slow remote servers, so each worker runs several
threads (I/O-bound). `preload_app` stays off so no database connection exists before fork.

Sizing (measured by `bench/bank_lookups.py`, results in `bench/results/bank_lookups.md`):
a margin lookup spends almost all its time waiting on the bank, holding a thread but no CPU
and no database connection (the view reads what it needs, ends its read transaction, then
calls the bank). So concurrency comes from threads: `workers` = CPU cores (at least 2, so
one busy or restarting worker never stops the site) and 16 `gthread` threads each, i.e.
32 requests in flight on a 2-core machine: 20 simultaneous lookups against a bank answering
in 2 s finish in about 2 s instead of queueing. A thread is held at most the bank's read
timeout (15 s by default, per bank in /admin/banks), and an open circuit breaker answers at
once, so a dead bank cannot pin every thread. Raise GUNICORN_THREADS for more agents per
server, or add servers behind the load balancer (no state lives in a process).
"""

import multiprocessing
import os
import sys
import traceback

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", str(max(2, multiprocessing.cpu_count()))))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
preload_app = False
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server: object) -> None:
    """Refuse to start production while a user still has the demo TOTP secret.

    The check runs in a forked child: the master itself never imports the portal, so the
    workers a graceful reload (HUP) forks import the release `current` points to now, not
    modules the master kept from the release it started with (deploy/deploy.sh relies on it).
    """
    pid = os.fork()
    if pid == 0:  # child: check, report, exit without running the master's exit handlers
        code = 0
        try:
            from portal import create_app, refuse_demo_mfa_in_production

            app = create_app()
            try:
                refuse_demo_mfa_in_production(app)
            finally:
                app.extensions["athenas.db"]["engine"].dispose()
        except RuntimeError as exc:
            sys.stderr.write(f"{exc}\n")
            code = 1
        except BaseException:
            traceback.print_exc()
            code = 2
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("Verificação de partida falhou (mensagem acima); o servidor não foi iniciado.")
