"""A small, safe OFX reader: the statement transactions of OFX 1.x (SGML, closing tags
optional) and OFX 2.x (XML). No XML parser is used, so there is no entity expansion nor
external reference to exploit: the file is read as tag/text tokens, with a size limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from portal.core.errors import DomainError

MAX_BYTES = 5 * 1024 * 1024
_TOKEN = re.compile(r"<(/?)([A-Za-z0-9_.]+)[^>]*>([^<]*)")
_FIELDS = {"TRNTYPE", "DTPOSTED", "TRNAMT", "FITID", "NAME", "MEMO", "CHECKNUM", "REFNUM"}


@dataclass(frozen=True)
class OfxTransaction:
    fit_id: str
    posted: date
    amount: Decimal
    kind: str  # TRNTYPE: CREDIT, DEBIT, DEP, XFER…
    name: str
    memo: str
    reference: str


def _decode(data: bytes) -> str:
    head = data[:600].decode("ascii", "replace").upper()
    if "CHARSET:1252" in head or "WINDOWS-1252" in head or "ISO-8859-1" in head:
        return data.decode("cp1252", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _date(text: str) -> date:
    digits = text.strip()[:8]
    if len(digits) != 8 or not digits.isdigit():
        raise ValueError(text)
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))


def _amount(text: str) -> Decimal:
    value = text.strip().replace(" ", "")
    if "," in value and "." not in value:
        value = value.replace(",", ".")  # some Brazilian banks write a decimal comma
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return amount.quantize(Decimal("0.01"))


def read_ofx(data: bytes) -> list[OfxTransaction]:
    """Every STMTTRN of the file, or a DomainError in Portuguese."""
    if len(data) > MAX_BYTES:
        raise DomainError("Arquivo OFX grande demais (máximo de 5 MB).")
    text = _decode(data)
    if "<OFX>" not in text.upper():
        raise DomainError("O arquivo não é um extrato OFX (a marca <OFX> não foi encontrada).")
    found: list[OfxTransaction] = []
    current: dict[str, str] | None = None
    for closing, tag, body in _TOKEN.findall(text):
        tag = tag.upper()
        if tag == "STMTTRN":
            if closing and current is not None:
                found.append(_transaction(current, len(found) + 1))
                current = None
            elif not closing:
                if current is not None:  # SGML without </STMTTRN>
                    found.append(_transaction(current, len(found) + 1))
                current = {}
        elif current is not None and not closing and tag in _FIELDS:
            current[tag] = body.strip()
    if current is not None:
        found.append(_transaction(current, len(found) + 1))
    return found


def _transaction(fields: dict[str, str], number: int) -> OfxTransaction:
    try:
        posted = _date(fields.get("DTPOSTED", ""))
        amount = _amount(fields.get("TRNAMT", ""))
    except ValueError:
        raise DomainError(f"Transação {number} do OFX com data ou valor inválido.") from None
    return OfxTransaction(
        fit_id=fields.get("FITID", "")[:64],
        posted=posted,
        amount=amount,
        kind=fields.get("TRNTYPE", "").upper()[:10],
        name=fields.get("NAME", "")[:100],
        memo=fields.get("MEMO", "")[:300],
        reference=(fields.get("CHECKNUM") or fields.get("REFNUM") or "")[:100],
    )
