"""Regulatory checks made before a bank is called, from effective-dated parameters.

Numbers that regulation changes over time (INSS margin split, CNPS rate caps, maximum term,
the block of new benefits) live in `RegulatoryParameter` rows with validity periods; this
module reads the version valid on a given day and applies it. Admins add new versions; a
version already in force is never edited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.banks.models import RegulatoryParameter
from portal.banks.types import Product
from portal.core import audit
from portal.core.audit import Actor
from portal.core.errors import DomainError
from portal.core.money import format_brl, format_decimal_br


@dataclass(frozen=True)
class ParameterSpec:
    label: str
    unit: str  # "%", "% a.m.", "meses", "dias"
    integer: bool = False


PARAMETERS: dict[str, ParameterSpec] = {
    "inss_margin_loans_pct": ParameterSpec("Margem INSS para empréstimos", "%"),
    "inss_margin_rmc_pct": ParameterSpec("Margem INSS para cartão consignado (RMC)", "%"),
    "inss_margin_rcc_pct": ParameterSpec("Margem INSS para cartão benefício (RCC)", "%"),
    "max_rate_loan_monthly": ParameterSpec("Teto de juros INSS, empréstimo", "% a.m."),
    "max_rate_card_monthly": ParameterSpec("Teto de juros INSS, cartão", "% a.m."),
    "max_term_months": ParameterSpec("Prazo máximo INSS", "meses", integer=True),
    "new_benefit_block_days": ParameterSpec("Bloqueio de benefícios novos", "dias", integer=True),
    # Upfront commission cap (flat + bonus) on the base, checked when a table is approved.
    "commission_upfront_cap_pct": ParameterSpec("Teto da comissão à vista (flat + bônus)", "%"),
    "commission_upfront_cap_portability_pct": ParameterSpec(
        "Teto da comissão à vista na portabilidade (flat + bônus)", "%"
    ),
    # IOF on loans to individuals (Decreto 6.306/2007), financed into the gross and in the CET.
    "iof_daily_pct": ParameterSpec("IOF pessoa física, alíquota diária", "% ao dia"),
    "iof_flat_pct": ParameterSpec("IOF adicional, sobre o valor", "%"),
}

# Values in force for the demo and a first installation (IN 138/2022; CNPS 25/03/2025).
DEFAULTS: list[tuple[str, str, date]] = [
    ("inss_margin_loans_pct", "35", date(2022, 11, 10)),
    ("inss_margin_rmc_pct", "5", date(2022, 11, 10)),
    ("inss_margin_rcc_pct", "5", date(2022, 11, 10)),
    ("max_rate_loan_monthly", "1.85", date(2025, 3, 25)),
    ("max_rate_card_monthly", "2.46", date(2025, 3, 25)),
    ("max_term_months", "84", date(2022, 11, 10)),
    ("new_benefit_block_days", "90", date(2022, 11, 10)),
    ("commission_upfront_cap_pct", "6", date(2022, 1, 3)),  # Res. CMN 4.935/2021
    ("commission_upfront_cap_portability_pct", "3", date(2022, 1, 3)),
    ("iof_daily_pct", "0.0082", date(2008, 1, 3)),  # Decreto 6.339/2008
    ("iof_flat_pct", "0.38", date(2008, 1, 3)),
]


def default_value(name: str) -> Decimal:
    """The value of `name` in DEFAULTS (for code with no database, like the sandbox bank)."""
    return next(Decimal(value) for key, value, _ in DEFAULTS if key == name)


def iof_rates(session: Session, on: date) -> tuple[Decimal, Decimal]:
    """(daily %, flat %) of the IOF on a loan released on `on`."""
    return parameter(session, "iof_daily_pct", on), parameter(session, "iof_flat_pct", on)

LOAN_PRODUCTS = frozenset({Product.NEW, Product.REFIN, Product.PORTABILITY})
CENT = Decimal("0.01")


def _label(name: str) -> str:
    spec = PARAMETERS.get(name)
    return spec.label if spec else name


def format_value(name: str, value: Decimal) -> str:
    """`Decimal("1.85")` of a rate cap -> "1,85% a.m."; 84 of the term -> "84 meses"."""
    spec = PARAMETERS[name]
    if spec.integer:
        return f"{int(value)} {spec.unit}"
    # Two places as usual, more when the decree has them (IOF: 0,0082% ao dia).
    places = 0 if value == value.to_integral_value() else max(2, -int(value.normalize().as_tuple().exponent))
    number = format_decimal_br(value, places)
    return f"{number}%" if spec.unit == "%" else f"{number}{spec.unit}"


def version_on(session: Session, name: str, on: date) -> RegulatoryParameter | None:
    """The version of `name` valid on day `on` (valid_to exclusive), or None."""
    return session.scalar(
        select(RegulatoryParameter)
        .where(
            RegulatoryParameter.name == name,
            RegulatoryParameter.valid_from <= on,
            or_(RegulatoryParameter.valid_to.is_(None), RegulatoryParameter.valid_to > on),
        )
        .limit(1)
    )


def parameter(session: Session, name: str, on: date) -> Decimal:
    """The value of `name` on day `on`; a DomainError when no version covers that day."""
    version = version_on(session, name, on)
    if version is None:
        raise DomainError(
            f"Parâmetro regulatório “{_label(name)}” não definido para {on:%d/%m/%Y}. "
            "Peça ao administrador para cadastrá-lo."
        )
    return version.value


def add_version(
    session: Session,
    actor: Actor,
    name: str,
    value: Decimal,
    valid_from: date,
    note: str = "",
    today: date | None = None,
) -> RegulatoryParameter:
    """Add a new version starting on `valid_from`; the current version ends that day.

    A version may only start after the latest one: history is never rewritten. Given
    `today` (the admin page), it may not start before today either.
    """
    if today is not None and valid_from < today:
        raise DomainError(
            f"A vigência deve começar hoje ({today:%d/%m/%Y}) ou depois: o passado não é alterado.",
            field="valid_from",
        )
    spec = PARAMETERS.get(name)
    if spec is None:
        raise DomainError("Parâmetro desconhecido.", field="name")
    if value <= 0:
        raise DomainError("Informe um valor maior que zero.", field="value")
    if spec.integer and value != value.to_integral_value():
        raise DomainError("Este parâmetro aceita apenas números inteiros.", field="value")
    latest = session.scalar(
        select(RegulatoryParameter)
        .where(RegulatoryParameter.name == name)
        .order_by(RegulatoryParameter.valid_from.desc())
        .limit(1)
    )
    if latest is not None and valid_from <= latest.valid_from:
        raise DomainError(
            f"Já existe versão vigente a partir de {latest.valid_from:%d/%m/%Y}: a nova versão "
            "deve começar depois dela (o histórico não é alterado).",
            field="valid_from",
        )
    if latest is not None and latest.valid_to is None:
        latest.valid_to = valid_from
    version = RegulatoryParameter(
        name=name,
        value=value,
        valid_from=valid_from,
        note=" ".join(note.split())[:200],
        created_by=actor.label,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "regulatory_parameter.add",
        f"parameter:{name}",
        {"value": str(value), "valid_from": valid_from.isoformat()},
    )
    return version


def ensure_defaults(session: Session, actor: Actor) -> None:
    """Create the default versions of parameters that have none (idempotent)."""
    for name, value, valid_from in DEFAULTS:
        exists = session.scalar(
            select(RegulatoryParameter.id).where(RegulatoryParameter.name == name).limit(1)
        )
        if exists is None:
            add_version(session, actor, name, Decimal(value), valid_from, "Valor inicial")


def _is_inss(agreement: str) -> bool:
    return agreement.strip().upper() == "INSS"


def check_simulation(
    session: Session,
    *,
    agreement: str,
    product: Product,
    term_months: int,
    on: date,
    installment: Decimal | None = None,
    benefit_amount: Decimal | None = None,
    benefit_granted_on: date | None = None,
) -> None:
    """Refuse, before any bank is called, what INSS rules forbid (DomainError in pt-BR)."""
    if not _is_inss(agreement):
        return
    max_term = int(parameter(session, "max_term_months", on))
    if term_months > max_term:
        raise DomainError(f"Prazo máximo para INSS é {max_term} meses", field="term_months")
    if benefit_granted_on is not None:
        days = int(parameter(session, "new_benefit_block_days", on))
        unblocks = benefit_granted_on + timedelta(days=days)
        if on < unblocks:
            raise DomainError(
                f"Benefício concedido há menos de {days} dias: bloqueado para consignado "
                f"até {unblocks:%d/%m/%Y}"
            )
    if installment is not None and benefit_amount is not None:
        margin = max_installment(session, product, benefit_amount, on)
        if margin is not None and installment > margin:
            raise DomainError(
                f"Parcela acima da margem consignável do INSS ({format_brl(margin)})",
                field="installment",
            )


def max_installment(session: Session, product: Product, benefit_amount: Decimal, on: date) -> Decimal | None:
    """The INSS margin for the product: 35% (loans) or 5% (card) of the benefit."""
    if product in LOAN_PRODUCTS:
        pct = parameter(session, "inss_margin_loans_pct", on)
    elif product is Product.CARD:
        pct = parameter(session, "inss_margin_rmc_pct", on)
    else:
        return None
    return margin_amount(benefit_amount, pct)


def margin_amount(benefit_amount: Decimal, pct: Decimal) -> Decimal:
    """`pct` % of the benefit (or salary), rounded down to the centavo: never above the margin."""
    return (benefit_amount * pct / 100).quantize(CENT, rounding=ROUND_DOWN)


def rate_problem(
    session: Session, *, agreement: str, product: Product, monthly_rate: Decimal, on: date
) -> str | None:
    """Why an offered rate may not be sold (above the INSS cap), or None when it may."""
    if not _is_inss(agreement):
        return None
    if product in LOAN_PRODUCTS:
        name = "max_rate_loan_monthly"
    elif product is Product.CARD:
        name = "max_rate_card_monthly"
    else:
        return None
    cap = parameter(session, name, on)
    if monthly_rate > cap:
        return f"Taxa acima do teto do INSS ({format_value(name, cap)})"
    return None


def recent_versions(session: Session, limit: int = 50) -> list[RegulatoryParameter]:
    """The latest regulatory parameter versions, newest start first (history pages)."""
    stmt = select(RegulatoryParameter).order_by(RegulatoryParameter.valid_from.desc()).limit(limit)
    return list(session.scalars(stmt))
