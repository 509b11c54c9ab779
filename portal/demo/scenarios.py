"""CPFs that make the sandbox bank behave in a chosen way (all have valid check digits).

The demo owns them: it seeds clients with these CPFs, and the sandbox bank (`sandbox_bank`,
a separate package that production code never imports) reads them to pick its behaviour.
"""

from __future__ import annotations

CPF_MARGIN_OK = "10011111178"  # example of the default: active benefit, margin available
CPF_BLOCKED = "10022222227"  # benefit blocked for consignado (must unblock at Meu INSS)
CPF_NOT_ELIGIBLE = "10033333386"  # benefit kind / employment not eligible
CPF_SLOW = "10044444435"  # answers after the slow delay (default 5 s)
CPF_TIMEOUT = "10055555594"  # holds the request past any sane read timeout (default 30 s)
CPF_HTTP_500 = "10066666643"  # HTTP 500 on every call carrying this CPF
CPF_MALFORMED = "10077777700"  # HTTP 200 with a truncated JSON body
CPF_EXPIRED_TOKEN = "10088888851"  # noqa: S105 - first use of a token with it: 401 expired
CPF_AUTH_PENDING = "10099999900"  # C6: AGUARDANDO_AUTORIZACAO (with an authorization link)
CPF_AUTH_REFUSED = "10111111013"  # C6: NAO_AUTORIZADO; Daycoval: SEM_AUTORIZACAO
CPF_ACCEPTED_THEN_TIMEOUT = "10122222172"  # submission registered, answer held past timeout
CPF_REJECTED = "10133333221"  # submission refused by the bank (business rule)
