"""A command that does nothing stays quiet and light: no log lines, no heavy library loaded.

Start-up time itself is measured by bench/startup.py (never asserted here); what this
guards is the cause of the slow start-up it fixed: WeasyPrint, Alembic, openpyxl and
friends loaded (and WeasyPrint logging its stylesheets) by every process at import.
"""

import os
import subprocess
import sys

from portal.config import PROJECT_ROOT

HEAVY = ("weasyprint", "alembic", "openpyxl", "fontTools", "requests", "email_validator")


def test_flask_help_prints_the_commands_and_not_a_single_log_line():
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "--help"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "seed-demo" in done.stdout and "db" in done.stdout
    assert done.stderr == ""


def test_building_the_app_loads_no_pdf_spreadsheet_or_migration_library():
    probe = f"import sys, wsgi; print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""
    assert done.stderr == ""


def test_building_the_app_keeps_the_garbage_collector_on_and_the_app_out_of_its_scans():
    # The collector pauses while the app is built and the build's objects are then frozen
    # (never rescanned); a process left with the collector off would leak every cycle.
    probe = "import gc, wsgi; print(gc.isenabled(), gc.get_freeze_count() > 50_000)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]


def test_without_redis_configured_the_redis_client_library_is_not_loaded():
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    probe = "import sys, wsgi; print('redis' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
