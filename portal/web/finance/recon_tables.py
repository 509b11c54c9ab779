"""The reconciliation pages' tables as (headers, rows): the page renders exactly these rows
and the export writes exactly them, so an export always holds what the page shows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from portal.commissions.reconciliation.matching import COMPONENT_LABELS, OUTCOME_LABELS, ItemKey, Outcome
from portal.commissions.reconciliation.models import ReceivedPayment
from portal.commissions.reconciliation.overview import BUCKETS, AgingRow, ContractDetail, Exposure
from portal.commissions.reconciliation.service import BankPeriod, ItemView


@dataclass
class Grid:
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # per row: url arguments for actions


def rollup_grid(rows: Iterable[BankPeriod], names: dict[str, str]) -> Grid:
    grid = Grid(
        [
            "Banco",
            "Período",
            "Esperado",
            "Reportado",
            "Recebido",
            "Reportado − esperado",
            "Recebido − reportado",
            "Ajustes aceitos",
            "Itens em aberto",
            "Diferença em aberto",
        ]
    )
    for r in rows:
        grid.rows.append(
            [
                names.get(r.bank, r.bank),
                r.period,
                r.expected,
                r.reported,
                r.received,
                r.reported_minus_expected,
                r.received_minus_reported,
                r.adjustments,
                r.open_items,
                r.open_difference,
            ]
        )
        grid.links.append({"bank": r.bank, "period": r.period})
    return grid


def item_args(key: ItemKey) -> dict[str, Any]:
    """The query string that names one divergence on the item page."""
    return {
        "bank": key.bank,
        "period": key.period,
        "contract": key.contract,
        "component": key.component,
        "dup": "1" if key.duplicate else "",
    }


def items_grid(views: Iterable[ItemView], names: dict[str, str]) -> Grid:
    grid = Grid(
        [
            "Banco",
            "Período",
            "Contrato",
            "Contrato no banco",
            "Componente",
            "Situação",
            "Esperado",
            "Reportado",
            "Diferença",
            "Aceito",
            "Em aberto",
            "Status",
            "Dias",
        ]
    )
    for v in views:
        k = v.key
        component = COMPONENT_LABELS.get(k.component, k.component) + (" (duplicado)" if k.duplicate else "")
        grid.rows.append(
            [
                names.get(k.bank, k.bank),
                k.period,
                k.contract,
                v.item.reported_contract,
                component,
                v.item.outcome.label,
                v.item.expected,
                v.item.reported,
                v.item.difference,
                v.accepted,
                v.open_difference,
                v.status_label,
                v.age_days,
            ]
        )
        grid.links.append(item_args(k))
    return grid


def aging_grid(rows: Iterable[AgingRow], names: dict[str, str]) -> Grid:
    grid = Grid(
        [
            "Banco",
            *[f"{label} (itens)" for _, label, *_ in BUCKETS],
            *[f"{label} (valor)" for _, label, *_ in BUCKETS],
            "Total de itens",
            "Valor total",
        ]
    )
    for r in rows:
        codes = [code for code, *_ in BUCKETS]
        grid.rows.append(
            [
                names.get(r.bank, r.bank),
                *[r.counts.get(c, 0) for c in codes],
                *[r.amounts.get(c, Decimal("0.00")) for c in codes],
                r.total_count,
                r.total_amount,
            ]
        )
        grid.links.append({"bank": r.bank})
    return grid


def exposure_grid(rows: Iterable[Exposure]) -> Grid:
    grid = Grid(["Banco", "Situação do banco", "Diferido a receber", "Já reportado", "Exposição"])
    for r in rows:
        state = "Em liquidação extrajudicial" if r.under_liquidation else "Normal"
        grid.rows.append([r.name, state, r.deferred_owed, r.reported, r.exposure])
        grid.links.append({"bank": r.bank})
    return grid


def contract_grid(detail: ContractDetail) -> Grid:
    grid = Grid(["Lado", "Competência / data", "Componente", "Parcela", "Valor", "Detalhe"])
    for e in detail.expected:
        grid.rows.append(["Esperado (razão)", e.competence, e.kind_label, "", e.amount, e.explanation])
    for r in detail.reported:
        label = COMPONENT_LABELS.get(r.component, r.component)
        grid.rows.append(
            [
                "Reportado (banco)",
                r.line_date,
                label,
                r.installment or "",
                r.amount,
                f"Contrato no banco {r.contract}",
            ]
        )
    for e in detail.adjustments:
        grid.rows.append(["Ajuste (conciliação)", e.competence, e.kind_label, "", e.amount, e.reason or ""])
    return grid


def received_grid(rows: Iterable[ReceivedPayment], names: dict[str, str]) -> Grid:
    grid = Grid(["Data", "Banco", "Período", "Valor", "Referência", "Histórico", "Origem", "Registrado por"])
    for r in rows:
        grid.rows.append(
            [
                r.received_on,
                names.get(r.bank_code, r.bank_code),
                r.period,
                r.amount,
                r.reference,
                r.memo,
                r.source_label,
                r.created_by_label,
            ]
        )
    return grid


OUTCOME_CHOICES = [(o.value, OUTCOME_LABELS[o]) for o in Outcome if o.divergent]
