"""The pt-BR formats shared by pages, PDFs and exports (expected values written by hand)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from portal.core import formats


def test_money_and_numbers():
    assert formats.money(Decimal("1654.17")) == "R$ 1.654,17"
    assert formats.money(Decimal("-1234.56")) == "-R$ 1.234,56"
    assert formats.money(Decimal("-0.001")) == "R$ 0,00"
    assert formats.number(Decimal("1654.17")) == "1.654,17"
    assert formats.number(Decimal("1234.5"), 2, grouping=False) == "1234,50"
    assert formats.percent(Decimal("1.85")) == "1,85%"


def test_durations_and_file_sizes():
    assert formats.seconds(3.0) == "3 s"
    assert formats.seconds(2.5) == "2,5 s"
    assert formats.seconds(15) == "15 s"
    assert formats.file_size(50) == "50 bytes"
    assert formats.file_size(1229) == "1,2 KB"
    assert formats.file_size(3_500_000) == "3,3 MB"


def test_moments_are_shown_in_sao_paulo_time():
    moment = datetime(2025, 1, 2, 2, 30, tzinfo=UTC)  # 23:30 of the 1st in São Paulo
    assert formats.date_time(moment) == "01/01/2025 23:30"
    assert formats.day(moment) == "01/01/2025"
    assert formats.day(date(2025, 3, 9)) == "09/03/2025"
