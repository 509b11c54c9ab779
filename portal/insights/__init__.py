"""Insights: the dashboards' read side (rollups kept with the writes, scoped queries)."""


def register() -> None:
    """Start keeping the rollups with every proposal flush and ledger append (idempotent;
    `create_app` calls it)."""
    from portal.insights import ledger_rollup, production_rollup

    production_rollup.register()
    ledger_rollup.register()
