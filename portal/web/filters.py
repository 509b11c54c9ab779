"""Jinja filters: the pt-BR formats of portal.core.formats, applied only at the edge
(pages and PDFs share them)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from flask import Flask
from markupsafe import Markup, escape

from portal.core import documents, formats

LOCAL_TZ = formats.TIMEZONE


def local_today() -> date:
    """Today in São Paulo (what "overdue" means to the people using the portal)."""
    return datetime.now(LOCAL_TZ).date()


def date_br(value: date | datetime | None) -> str:
    return "" if value is None else formats.day(value)


def datetime_br(value: datetime | None) -> str:
    return "" if value is None else formats.date_time(value)


def brl(value: Decimal | int | None) -> str:
    """Money kept on one line with its "R$" (class `money`: white-space nowrap)."""
    if value is None:
        return ""
    # `%` escapes the text like `.format`, at about half the cost (50 amounts on a list page).
    return Markup('<span class="money">%s</span>') % formats.money(Decimal(value))


def when_br(value: str | date | datetime | None) -> str:
    """A day or a moment, also as the ISO text of the data-subject report, in pt-BR and
    São Paulo time ("2025-01-02T03:04:00+00:00" → "02/01/2025 00:04")."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return formats.date_time(value)
    return formats.day(value)


def options(choices: Iterable[tuple[object, object]], selected: object = None) -> Markup:
    """`<option>`s of (value, label) pairs, `selected` marked: built here rather than in a
    template loop because filter selects list hundreds of agents on every list page."""
    parts = []
    for value, label in choices:
        mark = " selected" if value == selected else ""
        parts.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    # Safe: each value and label went through escape() above; Markup.format would cost 5×.
    return Markup("".join(parts))  # noqa: S704


def register_filters(app: Flask) -> None:
    app.jinja_env.filters.update(
        date_br=date_br,
        datetime_br=datetime_br,
        when_br=when_br,
        brl=brl,
        options=options,
        brl_text=lambda v: "" if v is None else formats.money(Decimal(v)),
        number_br=lambda v, places=2: "" if v is None else formats.number(v, places),
        percent=lambda v, places=2: "" if v is None else formats.percent(Decimal(v), places),
        seconds=lambda v: "" if v is None else formats.seconds(v),
        file_size=lambda v: "" if v is None else formats.file_size(int(v)),
        cpf=lambda v: documents.format_cpf(v) if v else "",
        cnpj=lambda v: documents.format_cnpj(v) if v else "",
        mask_cpf=lambda v: documents.mask_cpf(v) if v else "",
        phone=lambda v: documents.format_phone(v) if v else "",
        mask_phone=lambda v: documents.mask_phone(v) if v else "",
    )
