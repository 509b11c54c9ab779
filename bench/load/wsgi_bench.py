"""Bench-only WSGI entry for the load suite: the portal plus the baseline page
(`bench/_common.py`: BASELINE_PATH, an authenticated page with the layout and one
`SELECT 1`), served by Gunicorn with gunicorn.conf.py like wsgi.py. Never deployed:
production serves wsgi.py, which has no such page.

    gunicorn -c gunicorn.conf.py bench.load.wsgi_bench:app
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import build_app  # noqa: E402

app = build_app()
