"""What the API adapters share: bank-named errors and converters, token auth, status polling.

Each adapter still spells out its own dialect (paths, field names, envelopes, defaults); this
module only holds the steps that are the same for every bank, so a fix to one of them (say,
how a refusal reads in pt-BR, or how a token is refreshed after a 401) reaches every bank.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any, ClassVar

from portal.banks.convert import (
    free_text,
    malformed,
    money,
    need,
    need_list,
    need_text,
    parse_datetime,
    to_decimal,
)
from portal.banks.errors import BankRejected, MalformedResponse, UnsupportedCapability
from portal.banks.http import BankAnswer
from portal.banks.protocol import BaseConnector
from portal.banks.types import BenefitState, Capability, Product, SimulationOption, StatusUpdate

# Every operation an API bank can offer (each adapter narrows it where its bank does less).
FULL_API = frozenset(
    {
        Capability.BENEFIT_QUERY,
        Capability.SIMULATE,
        Capability.SUBMIT,
        Capability.FETCH_STATUS,
        Capability.RECEIVE_WEBHOOK,
    }
)
REFUSAL_FALLBACK = "operação não aceita"


@dataclass(frozen=True)
class StatusFields:
    """Where a bank puts a status change in its rows, and the time zone of naive times."""

    number: str
    status: str
    at: str
    detail: str
    tz: tzinfo = UTC


@dataclass(frozen=True)
class OptionFields:
    """Where a bank puts the numbers of one simulated offer."""

    term: str
    installment: str
    rate: str
    cet: str
    gross: str
    net: str


class DialectConnector(BaseConnector):
    """`BaseConnector` plus the helpers every API dialect uses, bound to this bank's name."""

    # The adapter's status row layout (used by `_update`); None when it has no single layout.
    STATUS_FIELDS: ClassVar[StatusFields | None] = None

    @property
    def _n(self) -> tuple[str, str]:
        return self.code, self.name

    # --- errors (pt-BR messages shown to the user as they are) --------------------------
    def _malformed(self) -> MalformedResponse:
        return malformed(*self._n)

    def _credentials_refused(self) -> BankRejected:
        return BankRejected(f"Credenciais recusadas pelo banco {self.name}", self.code)

    def _refusal(self, bank_message: Any) -> BankRejected:
        """A business refusal carrying the bank's own message (or a generic one)."""
        message = str(bank_message or REFUSAL_FALLBACK)
        return BankRejected(
            f"Banco {self.name} recusou a operação: {message}", self.code, bank_message=message
        )

    def _product_unsupported(self) -> UnsupportedCapability:
        return UnsupportedCapability(
            f"O banco {self.name} não oferece este produto pela integração", self.code
        )

    # --- reading answers ----------------------------------------------------------------
    def _need(self, data: Any, key: str) -> Any:
        return need(data, key, *self._n)

    def _need_list(self, data: Any, key: str) -> list[Any]:
        return need_list(data, key, *self._n)

    def _need_text(self, data: Any, key: str) -> str:
        return need_text(data, key, *self._n)

    def _money(self, value: Any) -> Decimal:
        return money(value, *self._n)

    def _decimal(self, value: Any) -> Decimal:
        return to_decimal(value, *self._n)

    def _datetime(self, value: Any, tz: tzinfo = UTC) -> datetime:
        return parse_datetime(value, *self._n, tz)

    def _benefit_state(self, states: Mapping[str, BenefitState], situation: str) -> BenefitState:
        """The portal's benefit state for the bank's situation word; unknown words are malformed."""
        if situation not in states:
            raise self._malformed()
        return states[situation]

    def _option(
        self,
        row: Any,
        product: Product,
        fields: OptionFields,
        *,
        rate_table: str,
        bank_data: Mapping[str, str],
    ) -> SimulationOption:
        """One simulated offer read from a bank row laid out as `fields`."""
        return SimulationOption(
            bank=self.code,
            product=product,
            term_months=int(self._need(row, fields.term)),
            installment=self._money(self._need(row, fields.installment)),
            monthly_rate=self._decimal(self._need(row, fields.rate)),
            cet_annual=self._decimal(row.get(fields.cet, 0)),
            gross_amount=self._money(self._need(row, fields.gross)),
            net_amount=self._money(self._need(row, fields.net)),
            rate_table=rate_table,
            bank_data=bank_data,
        )

    # --- status -------------------------------------------------------------------------
    def _status_update(
        self, row: Any, fields: StatusFields, number: str | None = None
    ) -> StatusUpdate:
        """A status change read from a bank row (`number` when the row does not carry it)."""
        if number is None:
            number = self._need_text(row, fields.number)
        return StatusUpdate(
            bank=self.code,
            bank_proposal_number=number,
            bank_status=self._need_text(row, fields.status),
            occurred_at=self._datetime(self._need(row, fields.at), fields.tz),
            detail=free_text(row.get(fields.detail)),
        )

    def _update(self, row: Any) -> StatusUpdate:
        if self.STATUS_FIELDS is None:
            raise NotImplementedError("declare STATUS_FIELDS or override _update")
        return self._status_update(row, self.STATUS_FIELDS)

    def _check(self, answer: BankAnswer) -> Any:
        """The useful part of a successful answer; raise the bank's refusal otherwise."""
        raise NotImplementedError

    def _follow_up(
        self,
        since: datetime | None,
        proposal_numbers: list[str],
        *,
        changed_since: Callable[[datetime], Iterable[Any]],
        current: Callable[[str], BankAnswer],
        rows_of_one: Callable[[Any], Iterable[Any]] = lambda data: (data,),
    ) -> list[StatusUpdate]:
        """Status changes by polling, oldest first.

        `changed_since` answers the rows the bank lists as changed since a moment; `current`
        asks one proposal (an answer 404 means the bank does not know it: skipped), whose
        checked data `rows_of_one` turns into rows.
        """
        updates: list[StatusUpdate] = []
        if since is not None:
            updates.extend(self._update(row) for row in changed_since(since))
        for number in proposal_numbers:
            answer = current(number)
            if answer.status != 404:
                updates.extend(self._update(row) for row in rows_of_one(self._check(answer)))
        return oldest_first(updates)


class TokenConnector(DialectConnector):
    """A dialect whose calls carry a Bearer token fetched with the company credentials.

    Tokens are cached per bank and per credential user (`USER_CREDENTIAL`), so several servers
    share one token; a 401 makes the HTTP layer ask `_auth(refresh=True)` for a fresh one.
    """

    USER_CREDENTIAL: ClassVar[str] = ""  # the credential naming the user the token belongs to

    def _scope(self) -> str:
        return self.http.tokens.scope_for(self.settings.credentials.get(self.USER_CREDENTIAL, ""))

    def _fetch_token(self) -> tuple[str, float]:
        """Ask the bank for a token: (token, lifetime in seconds)."""
        raise NotImplementedError

    def _auth(self, refresh: bool) -> dict[str, str]:
        if refresh:
            self.http.tokens.invalidate(self.code, self._scope())
        token = self.http.tokens.get_or_fetch(self.code, self._fetch_token, self._scope())
        return {"Authorization": f"Bearer {token}"}

    def _token_call(self, method: str, path: str, **kwargs: Any) -> BankAnswer:
        """The token request itself (made inside another call: see `BankHttp.call`)."""
        return self.http.call(method, path, "auth", token_request=True, **kwargs)

    def _token_from(
        self, answer: BankAnswer, token_field: str, lifetime_field: str, default_lifetime: float
    ) -> tuple[str, float]:
        """Read a token answer that refuses bad credentials with HTTP 4xx."""
        if answer.status >= 400:
            raise self._credentials_refused()
        token = self._need(answer.data, token_field)
        return str(token), float(answer.data.get(lifetime_field) or default_lifetime)


def oldest_first(updates: list[StatusUpdate]) -> list[StatusUpdate]:
    """Status updates in the order they happened."""
    return sorted(updates, key=lambda u: u.occurred_at)
