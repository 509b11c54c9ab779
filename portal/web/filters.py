"""Jinja filters: Brazilian formats applied only at the edge."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask

from portal.core import documents, money

LOCAL_TZ = ZoneInfo("America/Sao_Paulo")


def local_today() -> date:
    """Today in São Paulo (what "overdue" means to the people using the portal)."""
    return datetime.now(LOCAL_TZ).date()


def date_br(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


def datetime_br(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def brl(value: Decimal | int | None) -> str:
    return "" if value is None else money.format_brl(Decimal(value))


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        date_br=date_br,
        datetime_br=datetime_br,
        brl=brl,
        percent=lambda v, places=2: "" if v is None else money.format_percent(Decimal(v), places),
        cpf=lambda v: documents.format_cpf(v) if v else "",
        cnpj=lambda v: documents.format_cnpj(v) if v else "",
        mask_cpf=lambda v: documents.mask_cpf(v) if v else "",
        phone=lambda v: documents.format_phone(v) if v else "",
        mask_phone=lambda v: documents.mask_phone(v) if v else "",
    )
