"""Money and Rate are exact on the database under test, sums included."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, func, insert, select, text

from portal.core.db import Money, Rate, money_sum

meta = MetaData()
amounts = Table(
    "tmp_amounts",
    meta,
    Column("id", Integer, primary_key=True),
    Column("amount", Money),
    Column("rate", Rate),
)


@pytest.fixture
def table(db):
    meta.create_all(db.connection())
    yield amounts
    meta.drop_all(db.connection())


def test_money_round_trips_exactly(db, table):
    values = [Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89"), Decimal("-0.01")]
    for v in values:
        db.execute(insert(table).values(amount=v))
    stored = db.scalars(select(table.c.amount).order_by(table.c.id)).all()
    assert stored == values and all(isinstance(v, Decimal) for v in stored)
    raw = db.execute(text("SELECT amount FROM tmp_amounts ORDER BY id")).scalars().all()
    assert raw == [10, 20, 123456789, -1]  # integer centavos in the database


def test_money_sum_is_exact_where_floats_drift(db, table):
    for _ in range(10):
        db.execute(insert(table).values(amount=Decimal("0.10")))
    assert db.scalar(select(money_sum(table.c.amount))) == Decimal("1.00")
    assert sum(0.1 for _ in range(10)) != 1.0  # what this type protects against
    assert db.scalar(select(money_sum(table.c.amount)).where(table.c.id < 0)) == Decimal("0.00")


def test_money_refuses_fractions_of_a_centavo(db, table):
    with pytest.raises(Exception, match="duas casas decimais"):
        db.execute(insert(table).values(amount=Decimal("1.005")))


def test_rate_is_exact_and_sums(db, table):
    db.execute(insert(table).values(rate=Decimal("1.85")))
    db.execute(insert(table).values(rate=Decimal("2.46")))
    db.execute(insert(table).values(rate=Decimal("0.000001")))
    rates = db.scalars(select(table.c.rate).order_by(table.c.id)).all()
    assert rates == [Decimal("1.85"), Decimal("2.46"), Decimal("0.000001")]
    assert db.scalar(select(func.sum(table.c.rate))) == Decimal("4.310001")
    with pytest.raises(Exception, match="seis casas"):
        db.execute(insert(table).values(rate=Decimal("1.0000001")))


@pytest.mark.parametrize(
    "value",
    [99, 9900, 99.0, "99.00", True],
    ids=["int-reais-or-centavos", "int-centavos", "float", "text", "bool"],
)
def test_money_refuses_anything_but_decimal(db, table, value):
    # A bare int was once read as centavos while Decimal(99) meant R$ 99,00: one rule now.
    with pytest.raises(Exception, match="deve ser Decimal"):
        db.execute(insert(table).values(amount=value))
    assert db.scalar(select(func.count()).select_from(table)) == 0


def test_money_refuses_infinity_and_nan(db, table):
    for value in (Decimal("Infinity"), Decimal("NaN")):
        with pytest.raises(Exception, match="inválido"):
            db.execute(insert(table).values(amount=value))


def test_money_decimal_of_an_int_means_reais(db, table):
    db.execute(insert(table).values(amount=Decimal(99)))
    assert db.scalar(select(table.c.amount)) == Decimal("99.00")
    assert db.execute(text("SELECT amount FROM tmp_amounts")).scalar() == 9900


def test_rate_refuses_float(db, table):
    with pytest.raises(Exception, match="deve ser Decimal"):
        db.execute(insert(table).values(rate=1.85))
