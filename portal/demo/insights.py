"""Demo step: recompute the dashboards' rollups after the bulk-inserted demo data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.insights.rebuild import rebuild_all


def rebuild_insights(session: Session) -> None:
    rebuild_all(session)
