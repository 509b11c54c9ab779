"""Bradesco Promotora: integration by files only.

Public facts followed: Bradesco Promotora offers correspondents no public API; proposals are
typed in the bank's own portal and production/commission are exchanged as files. Athenas
therefore tracks Bradesco proposals through file imports (handled by the proposals and
commissions imports, not here). This connector exists so callers can treat every bank the
same way: it declares only ``file_only`` and every API operation raises a clear pt-BR error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from portal.banks.errors import UnsupportedCapability
from portal.banks.protocol import BaseConnector
from portal.banks.types import (
    BenefitQueryRequest,
    Capability,
    MarginResult,
    SimulationOption,
    SimulationRequest,
    StatusUpdate,
    SubmissionRequest,
    SubmissionResult,
)

FILE_ONLY_MESSAGE = (
    "O banco {name} não oferece integração por API: as propostas são digitadas no portal do "
    "banco e acompanhadas pela importação dos arquivos de produção"
)


class BradescoConnector(BaseConnector):
    """No API: every operation explains that Bradesco works through its portal and files."""

    CAPABILITIES = frozenset({Capability.FILE_ONLY})

    def _refuse(self) -> UnsupportedCapability:
        return UnsupportedCapability(FILE_ONLY_MESSAGE.format(name=self.name), self.code)

    def benefit_query(self, request: BenefitQueryRequest) -> MarginResult:
        """Not available: consult the margin in Bradesco's portal."""
        raise self._refuse()

    def simulate(self, request: SimulationRequest) -> list[SimulationOption]:
        """Not available: simulate in Bradesco's portal."""
        raise self._refuse()

    def submit(self, request: SubmissionRequest) -> SubmissionResult:
        """Not available: type the proposal in Bradesco's portal."""
        raise self._refuse()

    def fetch_status(
        self,
        *,
        since: datetime | None = None,
        proposal_numbers: Sequence[str] | None = None,
    ) -> list[StatusUpdate]:
        """Not available: statuses arrive through imported production files."""
        raise self._refuse()

    def parse_webhook(self, headers: Mapping[str, str], body: bytes) -> list[StatusUpdate]:
        """Not available: Bradesco sends no webhooks."""
        raise self._refuse()
