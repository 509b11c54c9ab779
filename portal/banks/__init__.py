"""Bank connector layer: one adapter per bank dialect behind a common `Connector` protocol.

Framework-free (no Flask): adapters speak each bank's HTTP dialect through `BankHttp`
(timeouts, retries for idempotent calls, a circuit breaker and token cache shared through a
`StateStore`) and translate answers into the types of `portal.banks.types`. Failures surface
as `portal.banks.errors.BankError` subclasses carrying a pt-BR message for the user.

Entry point: `portal.banks.registry.build_connector(settings, store, operator=None)`.
The sandbox bank server (`python -m sandbox_bank`, outside `portal`) speaks every dialect for
development and tests.
"""
