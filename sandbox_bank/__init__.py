"""Sandbox bank: one real HTTP server speaking every adapter's dialect, for demos and tests.

Start it with ``python -m sandbox_bank --port 8099`` (options: ``--webhook-url URL
--webhook-secret S --slow-delay 5 --timeout-delay 30 --auto-advance 0 --access-log``; each
also reads ``ATHENAS_SANDBOX_*`` from the environment) or build the WSGI app with
`create_sandbox_app()`. Banks live under path prefixes, so one process serves all of them:
``http://127.0.0.1:8099/facta``, ``/daycoval``, ``/c6``, ``/master`` are the adapters'
``base_url``. Bradesco has no API and therefore no sandbox.

Behaviour is chosen by the client's CPF (constants in `portal.demo.scenarios`):

=================  =============  =============================================================
Constant           CPF            Behaviour
=================  =============  =============================================================
(any other valid)  —              active benefit; margins = 35/5/5% of a benefit derived from
                                  the CPF digits (``CPF_MARGIN_OK`` = 100.111.111-78 is one)
CPF_BLOCKED        100.222.222-27 benefit blocked for consignado; no margin, simulation refused
CPF_NOT_ELIGIBLE   100.333.333-86 not eligible (benefit kind / employer); simulation refused
CPF_SLOW           100.444.444-35 every call with it answers after ``--slow-delay`` (5 s)
CPF_TIMEOUT        100.555.555-94 held for ``--timeout-delay`` (30 s), past any read timeout
CPF_HTTP_500       100.666.666-43 HTTP 500 on every call carrying it
CPF_MALFORMED      100.777.777-00 HTTP 200 with truncated JSON
CPF_EXPIRED_TOKEN  100.888.888-51 token banks: the first token used with it is answered 401
                                  "Token expirado"; the next token issued works (one refresh)
CPF_AUTH_PENDING   100.999.999-00 C6: AGUARDANDO_AUTORIZACAO with an authorization link
CPF_AUTH_REFUSED   101.111.110-13 C6: NAO_AUTORIZADO; Daycoval: SEM_AUTORIZACAO (403)
CPF_ACCEPTED_...   101.222.221-72 submission is registered, then the answer is held for
 _THEN_TIMEOUT                    ``--timeout-delay`` (the portal sees a read timeout)
CPF_REJECTED       101.333.332-21 submission refused by the bank's credit policy
=================  =============  =============================================================

Any token request with password ``errada`` (Daycoval: apikey ``errada``) is refused.

Proposals are kept in memory. A submission repeated with the same idempotency key (Facta
``id_externo``, Daycoval ``identificadorExterno``, C6 ``Idempotency-Key``) answers the same
proposal. Statuses follow each bank's flow (`core.FLOWS`) every ``--auto-advance`` seconds or
on command; each change of a Daycoval, C6 or Master proposal is POSTed as a signed webhook
(see `portal.banks.webhooks`) to ``<webhook-url>/<bank>`` (or to the URL with ``{bank}``
replaced, e.g. ``http://127.0.0.1:8000/api/banks/{bank}/webhook``) when a URL and secret are set.

Control endpoints (JSON):
``GET /_sandbox/health`` · ``GET /_sandbox/calls`` (calls per ``"METHOD /rule"``) ·
``POST /_sandbox/config`` (change ``webhook_url``, ``webhook_secret``, ``slow_delay_s`` ...) ·
``POST /_sandbox/proposals`` ``{"bank", "cpf"}`` (seed one) · ``GET /_sandbox/proposals/<n>`` ·
``GET /_sandbox/proposals?bank=&idempotency_key=`` ·
``POST /_sandbox/proposals/<n>/advance`` · ``POST /_sandbox/proposals/<n>/status``
``{"status", "detail"}`` · ``GET /_sandbox/webhooks`` (delivery results).
"""

from sandbox_bank.app import SandboxApp, create_sandbox_app, serve
from sandbox_bank.core import SandboxConfig

__all__ = ["SandboxApp", "SandboxConfig", "create_sandbox_app", "serve"]
