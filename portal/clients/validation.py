"""Input cleaning for the client registry: every check raises `DomainError(message, field)`
with a Portuguese message, before anything is written."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

from portal.core import documents, money
from portal.core.cep import state_of_cep
from portal.core.errors import DomainError
from portal.people.validation import email, phone  # noqa: F401  (one rule for clients and people)

_AGREEMENT = re.compile(r"INSS|SIAPE|CLT|FGTS|GOV-[A-Z]{2}|PREF-[A-Z0-9][A-Z0-9-]{1,30}")
_BENEFIT = re.compile(r"[0-9A-Z]{1,20}")
_BANK = re.compile(r"\d{3}")
_AGENCY = re.compile(r"\d{1,5}(-[0-9Xx])?")
_ACCOUNT = re.compile(r"\d{1,15}(-[0-9Xx])?")
_CONTROL = documents.CONTROL_CHARACTERS


def name_key(value: str) -> str:
    """Search form of a name: lower case, no accents, letters/digits/single spaces.

    ``"D'Ávila Conceição"`` → ``"davila conceicao"``; used for the indexed prefix search.
    """
    decomposed = unicodedata.normalize("NFKD", value or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("'", "").replace("’", "")
    plain = re.sub(r"[^0-9a-z]+", " ", plain)
    return " ".join(plain.split())


def text(raw: str | None, field: str, label: str, max_len: int, required: bool = False) -> str | None:
    """Trimmed text (inner whitespace runs collapsed), length-checked; None when empty."""
    value = " ".join((raw or "").split())
    if _CONTROL.search(value):
        raise DomainError(f"{label}: caracteres inválidos.", field=field)
    if not value:
        if required:
            raise DomainError(f"{label}: campo obrigatório.", field=field)
        return None
    if len(value) > max_len:
        raise DomainError(f"{label}: máximo de {max_len} caracteres.", field=field)
    return value


def cpf(raw: str | None) -> str:
    value = (raw or "").strip()
    if not value:
        raise DomainError("Informe o CPF.", field="cpf")
    if len(value) > 20 or not documents.is_valid_cpf(value) or re.search(r"[^\d.\-\s]", value):
        raise DomainError("CPF inválido: confira os dígitos.", field="cpf")
    return documents.normalize_cpf(value)


def name(raw: str | None) -> str:
    value = text(raw, "name", "Nome", 120, required=True)
    assert value is not None
    if not re.search(r"[^\W\d_]", value):
        raise DomainError("Nome inválido: use letras.", field="name")
    return value


def birth_date(raw: str | date | None, today: date) -> date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, date):
        value = raw
    else:
        raw = raw.strip()
        try:
            if re.fullmatch(r"\d{2}/\d{2}/\d{4}", raw):
                day, month, year = raw.split("/")
                value = date(int(year), int(month), int(day))
            else:
                value = date.fromisoformat(raw)
        except ValueError:
            raise DomainError("Data de nascimento inválida (use dd/mm/aaaa).", field="birth_date") from None
    if value > today or value.year < 1900:
        raise DomainError("Data de nascimento fora do intervalo válido.", field="birth_date")
    if _age(value, today) < ADULT_AGE:
        raise DomainError(
            "Data de nascimento: o cliente precisa ter 18 anos ou mais para contratar crédito.",
            field="birth_date",
        )
    return value


ADULT_AGE = 18


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def cep(raw: str | None) -> str | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > 10 or re.search(r"[^\d.\-\s]", value) or not documents.is_valid_cep(value):
        raise DomainError("CEP inválido: informe 8 dígitos.", field="cep")
    return documents.normalize_cep(value)


def state(raw: str | None) -> str | None:
    value = (raw or "").strip().upper()
    if not value:
        return None
    if value not in documents.BRAZILIAN_STATES:
        raise DomainError("UF inválida.", field="state")
    return value


def cep_in_state(cep_digits: str | None, uf: str | None) -> None:
    """A CEP must fall in the chosen UF's range (Correios table)."""
    if not cep_digits or not uf:
        return
    actual = state_of_cep(cep_digits)
    if actual != uf:
        where = f"é de {actual}" if actual else "não pertence a nenhuma UF"
        raise DomainError(f"CEP {cep_digits[:5]}-{cep_digits[5:]} {where}, não de {uf}.", field="cep")


def agreement(raw: str | None) -> str:
    value = (raw or "").strip().upper()
    if not value:
        raise DomainError("Informe o convênio.", field="agreement")
    if len(value) > 40 or not _AGREEMENT.fullmatch(value):
        raise DomainError(
            "Convênio inválido: use INSS, SIAPE, GOV-UF (ex.: GOV-SP), PREF-CIDADE, CLT ou FGTS.",
            field="agreement",
        )
    return value


def benefit_number(raw: str | None) -> str:
    """Benefit (NB) or registration number: letters/digits only, punctuation dropped."""
    value = re.sub(r"[\s.\-/]", "", (raw or "")).upper()
    if not value:
        raise DomainError("Informe o número do benefício ou matrícula.", field="benefit_number")
    if not _BENEFIT.fullmatch(value):
        raise DomainError(
            "Número do benefício/matrícula inválido: até 20 letras ou dígitos.", field="benefit_number"
        )
    return value


def income(raw: str | None) -> Decimal | None:
    value = (raw or "").strip()
    if not value:
        return None
    if len(value) > 30:
        raise DomainError("Renda: valor muito longo.", field="monthly_income")
    try:
        amount = money.parse_brl(value)
    except ValueError as error:
        raise DomainError(str(error), field="monthly_income") from None
    if amount < 0 or amount > Decimal("10000000"):
        raise DomainError("Renda fora do intervalo válido.", field="monthly_income")
    return amount


def bank_account(bank: str | None, agency: str | None, account: str | None) -> tuple[str | None, ...]:
    bank, agency, account = ((v or "").strip() for v in (bank, agency, account))
    if not (bank or agency or account):
        return None, None, None
    if not _BANK.fullmatch(bank):
        raise DomainError("Banco: informe o código de 3 dígitos (ex.: 001).", field="payout_bank")
    if not _AGENCY.fullmatch(agency):
        raise DomainError("Agência inválida (ex.: 1234 ou 1234-5).", field="payout_agency")
    if not _ACCOUNT.fullmatch(account):
        raise DomainError("Conta inválida (ex.: 123456-7).", field="payout_account")
    return bank, agency, account.upper()
