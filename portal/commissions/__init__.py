"""Commissions: tables, plans, engine, ledger, reconciliation, statements, payouts."""
