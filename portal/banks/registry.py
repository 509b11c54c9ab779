"""Build the connector for a bank code: ``build_connector(settings, store, operator)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from portal.banks.adapters.bradesco import BradescoConnector
from portal.banks.adapters.c6 import C6Connector
from portal.banks.adapters.daycoval import DaycovalConnector
from portal.banks.adapters.facta import FactaConnector
from portal.banks.adapters.master import MasterConnector
from portal.banks.errors import BankError
from portal.banks.protocol import BaseConnector, Connector
from portal.banks.state import StateStore
from portal.banks.types import BankSettings, OperatorCredentials

if TYPE_CHECKING:
    import requests

ADAPTERS: dict[str, type[BaseConnector]] = {
    "facta": FactaConnector,
    "daycoval": DaycovalConnector,
    "c6": C6Connector,
    "master": MasterConnector,
    "bradesco": BradescoConnector,
}


def build_connector(
    settings: BankSettings,
    store: StateStore,
    operator: OperatorCredentials | None = None,
    *,
    session: requests.Session | None = None,
    clock: Callable[[], float] | None = None,
) -> Connector:
    """Return the adapter for `settings.code`, ready to use.

    `operator` is the logged-in collaborator's own access at the bank (needed by banks that
    require a per-user login or the certified agent on simulations/submissions).
    """
    adapter = ADAPTERS.get(settings.code)
    if adapter is None:
        raise BankError(
            f"O banco {settings.name} ainda não tem integração no Athenas", settings.code
        )
    if clock is None:
        return adapter(settings, store, operator, session=session)
    return adapter(settings, store, operator, session=session, clock=clock)
