"""Total lines a bank adds ("TOTAL", "Soma", "-- Subtotal loja 1") are left out of an
import; an ordinary line, even one starting with T or S, is kept."""

from __future__ import annotations

import pytest

from portal.core.imports.headers import is_total_row


@pytest.mark.parametrize(
    "first_cell",
    ["TOTAL", "  Total geral", "Totais", "SOMA", "Subtotal loja 1", "Sub-total", "-- Total", "(Total)"]
    + ["Tótal"],
)
def test_total_lines_are_recognised_however_the_bank_writes_them(first_cell):
    assert is_total_row([first_cell, "", "480,00"]) is True


@pytest.mark.parametrize("first_cell", ["AF1001", "Santos Comércio", "Tabela 12", "123", "-AF1001", "Ñandu"])
def test_ordinary_lines_are_kept(first_cell):
    assert is_total_row([first_cell, "", "480,00"]) is False


def test_the_first_filled_cell_of_the_three_first_decides():
    assert is_total_row(["", "  ", "Total do banco"]) is True
    assert is_total_row([None, "Total do banco", "480,00"]) is True
    assert is_total_row(["AF1001", "Total do banco", "480,00"]) is False
    assert is_total_row(["", "", "", "Total"]) is False
