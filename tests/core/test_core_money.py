"""Exact money: centavos conversion, Brazilian parsing/formatting and exact splits."""

import random
from decimal import Decimal

import pytest

from portal.core.money import (
    format_brl,
    format_decimal_br,
    format_percent,
    from_cents,
    parse_brl,
    parse_decimal_br,
    split_largest_remainder,
    to_cents,
)


def test_to_cents_is_exact():
    assert to_cents(Decimal("1234.56")) == 123456
    assert to_cents("0.1") == 10
    assert to_cents(7) == 700
    assert to_cents(Decimal("-0.01")) == -1
    assert to_cents(Decimal("12.500")) == 1250  # trailing zeros are not extra precision


def test_to_cents_rejects_fractions_of_centavos_unless_rounding():
    with pytest.raises(ValueError, match="mais de duas casas decimais"):
        to_cents(Decimal("1.005"))
    assert to_cents(Decimal("1.005"), rounding=True) == 100  # half-even
    assert to_cents(Decimal("1.015"), rounding=True) == 102
    assert to_cents(Decimal("-1.005"), rounding=True) == -100
    with pytest.raises(TypeError):
        to_cents(1.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="inválido"):
        to_cents("abc")
    with pytest.raises(ValueError):
        to_cents(Decimal("NaN"))


def test_from_cents():
    assert from_cents(123456) == Decimal("1234.56")
    assert str(from_cents(100)) == "1.00"
    assert str(from_cents(-5)) == "-0.05"
    with pytest.raises(TypeError):
        from_cents(Decimal("1"))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R$ 1.234,56", "1234.56"),
        ("R$1.234,56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1.234", "1234.00"),
        ("1.234.567,8", "1234567.80"),
        ("-12,5", "-12.50"),
        ("(1.234,56)", "-1234.56"),
        ("1.234,56-", "-1234.56"),
        ("-R$ 1.234,56", "-1234.56"),
        ("R$ -1.234,56", "-1234.56"),
        ("1234.56", "1234.56"),
        ("0.5", "0.50"),
        (",5", "0.50"),
        ("1,234.56", "1234.56"),
        ("  R$\u00a01.000,00 ", "1000.00"),
        ("0", "0.00"),
    ],
)
def test_parse_brl(text, expected):
    assert parse_brl(text) == Decimal(expected)
    assert parse_brl(text).as_tuple().exponent == -2


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "R$",
        "1,2,3",
        "1.23.4",
        "12,",
        "1.",
        "1,234",
        "--1",
        "1.234,5.6",
        "1e5",
        "12a",
    ],
)
def test_parse_brl_rejects_garbage_in_portuguese(text):
    with pytest.raises(ValueError) as info:
        parse_brl(text)
    message = str(info.value)
    assert any(word in message for word in ("inválido", "Informe", "casas decimais"))


def test_parse_decimal_br_for_rates():
    assert parse_decimal_br("1,85") == Decimal("1.85")
    assert parse_decimal_br("1,85%") == Decimal("1.85")
    assert parse_decimal_br("0,0185") == Decimal("0.0185")
    assert parse_decimal_br("-2,5") == Decimal("-2.5")
    assert parse_decimal_br("1.85") == Decimal("1.85")
    with pytest.raises(ValueError):
        parse_decimal_br("um e meio")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "R$ 1.234,56"),
        (Decimal("-1234.56"), "-R$ 1.234,56"),
        (Decimal("0"), "R$ 0,00"),
        (Decimal("-0.001"), "R$ 0,00"),
        (Decimal("1234567.8"), "R$ 1.234.567,80"),
        (Decimal("0.125"), "R$ 0,12"),  # half-even
        (5, "R$ 5,00"),
    ],
)
def test_format_brl(value, expected):
    assert format_brl(value) == expected


def test_format_brl_parse_brl_round_trip():
    rng = random.Random(42)
    for _ in range(2000):
        value = from_cents(rng.randint(-(10**12), 10**12))
        assert parse_brl(format_brl(value)) == value


def test_format_percent_and_decimal():
    assert format_percent(Decimal("1.85")) == "1,85%"
    assert format_percent(Decimal("1.8"), places=3) == "1,800%"
    assert format_percent(Decimal("1234.5")) == "1.234,50%"
    assert format_decimal_br(Decimal("1234.5"), 1, grouping=False) == "1234,5"


def test_split_simple_cases():
    assert split_largest_remainder(Decimal("100.00"), [Decimal(1)] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]
    assert split_largest_remainder(Decimal("-100.00"), [Decimal(1)] * 3) == [
        Decimal("-33.34"),
        Decimal("-33.33"),
        Decimal("-33.33"),
    ]
    assert split_largest_remainder(Decimal("10.00"), [Decimal("0"), Decimal("1")]) == [
        Decimal("0.00"),
        Decimal("10.00"),
    ]
    # Largest remainder wins, not the first index: quotas 3.25 / 1.00 / 0.75 centavos.
    assert split_largest_remainder(Decimal("0.05"), [65, 20, 15]) == [
        Decimal("0.03"),
        Decimal("0.01"),
        Decimal("0.01"),
    ]
    # Equal remainders (0.5 and 0.5): the lowest index gets the centavo.
    assert split_largest_remainder(Decimal("0.05"), [10, 20, 70]) == [
        Decimal("0.01"),
        Decimal("0.01"),
        Decimal("0.03"),
    ]


def test_split_rejects_bad_weights():
    with pytest.raises(ValueError, match="zero"):
        split_largest_remainder(Decimal("10"), [Decimal(0), Decimal(0)])
    with pytest.raises(ValueError):
        split_largest_remainder(Decimal("10"), [])
    with pytest.raises(ValueError, match="negativos"):
        split_largest_remainder(Decimal("10"), [Decimal(1), Decimal(-1)])
    with pytest.raises(ValueError, match="casas decimais"):
        split_largest_remainder(Decimal("10.001"), [Decimal(1)])


def test_split_always_adds_up_to_the_total():
    rng = random.Random(1234)
    for _ in range(3000):
        total = from_cents(rng.randint(-10_000_000, 10_000_000))
        count = rng.randint(1, 12)
        weights = [
            Decimal(rng.choice([0, rng.randint(1, 1000)])) / Decimal(rng.choice([1, 3, 7, 100]))
            for _ in range(count)
        ]
        if not any(weights):
            weights[rng.randrange(count)] = Decimal(1)
        parts = split_largest_remainder(total, weights)
        assert len(parts) == count
        assert sum(parts, Decimal(0)) == total
        weight_sum = sum(weights)
        for part, weight in zip(parts, weights, strict=True):
            exact = total * weight / weight_sum
            assert abs(part - exact) < Decimal("0.01")  # never off by a whole centavo
            if weight == 0:
                assert part == 0
            assert part == part.quantize(Decimal("0.01"))
