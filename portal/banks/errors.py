"""Errors raised by the bank connector layer.

Every error carries a message in pt-BR that can be shown to the user as is, the bank code and
whether trying again later may succeed (`retryable`). Technical detail for operators goes to
the log, never into the message.
"""

from __future__ import annotations


class BankError(Exception):
    """Base error of the bank layer; `message` is user-facing Portuguese."""

    retryable: bool = False

    def __init__(self, message: str, bank: str = "", *, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.bank = bank
        if retryable is not None:
            self.retryable = retryable

    def __str__(self) -> str:
        return self.message


class BankUnavailable(BankError):
    """Circuit open, HTTP 5xx or connection refused: the bank cannot be reached right now."""

    retryable = True


class BankTimeout(BankError):
    """The bank did not answer in time.

    `after_send` is True when the request reached the bank before the time ran out (a read
    timeout): for a submission this means the bank may have registered it, so the caller must
    keep the proposal as "submission unconfirmed" and reconcile later instead of re-submitting
    blindly.
    """

    retryable = True

    def __init__(self, message: str, bank: str = "", *, after_send: bool) -> None:
        super().__init__(message, bank)
        self.after_send = after_send


class BankRejected(BankError):
    """Business refusal: the bank understood the request and said no (message from the bank)."""

    def __init__(self, message: str, bank: str = "", *, bank_message: str = "") -> None:
        super().__init__(message, bank)
        self.bank_message = bank_message


class NotAuthorized(BankError):
    """The client has not authorised the bank to query his data (or refused to)."""

    def __init__(
        self,
        message: str,
        bank: str = "",
        *,
        state: str = "not_authorized",
        authorization_link: str | None = None,
    ) -> None:
        super().__init__(message, bank)
        self.state = state
        self.authorization_link = authorization_link


class MalformedResponse(BankError):
    """The bank answered something we cannot read (invalid JSON, missing fields)."""

    retryable = True


class UnsupportedCapability(BankError):
    """The bank does not offer this operation through its integration."""


class WebhookRejected(BankError):
    """A webhook failed verification (signature, timestamp, replay); `message` says why."""
