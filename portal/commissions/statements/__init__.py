"""Statements of closed commission periods: one per payee, draft → approved → paid.

`content` builds a statement from the ledger (and its canonical SHA-256), `service`
generates drafts and approves them (the PDF is rendered once, by a renderer the web
layer passes in, and stored encrypted by `files`), `disputes` and `payouts` follow.
"""
