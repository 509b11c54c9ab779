"""Targets (metas): the extra repasse a payee earns when a period's production reaches a tier.

How the ledger calls it — at period close, before the payees' totals are snapshotted:
for each payee whose plan (the one in force on the period's last day) has tiers, pass

- ``production``: the sum of the bases of the contracts the payee sold that were paid in
  the period (the same base the engine used for each contract, cancelled ones included:
  their clawback already reverses what they earned);
- ``payout_lines``: the payee's lines of the period (the function keeps the ``repasse``
  lines mirroring company lines, which it needs for commission-based plans);

and post the returned lines in the period being closed. Recalculation treats them like
any engine line (key: empty contract, payee, ``repasse``, period).

The extra rate is the reached tier's percent minus the plan's percent. For a
``producao`` plan it applies to the production; for a ``comissao`` plan to the company
commission the plan mirrored in the period (the bases of its repasse lines). With
:attr:`TierMode.WHOLE` it applies to all of it; with :attr:`TierMode.ABOVE` only to the
production above the threshold (for a commission plan: the same share of the commission).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from portal.commissions.resolution import fraction_of, percent_of
from portal.commissions.types import Line, LineKind, Plan, PlanBasis, Tier, TierMode
from portal.core.money import format_brl, format_percent

__all__ = ["TARGET_CONTRACT", "reached_tier", "target_lines"]

#: Target lines belong to no contract.
TARGET_CONTRACT = ""

_COMPANY_KINDS = frozenset({LineKind.FLAT, LineKind.DEFERRED, LineKind.BONUS, LineKind.FIXED})


def reached_tier(plan: Plan, production: Decimal) -> Tier | None:
    """The highest tier whose threshold the production reaches, if any."""
    reached = [t for t in plan.tiers if t.threshold <= production]
    return max(reached, key=lambda t: t.threshold) if reached else None


def target_lines(
    payee: str, period: str, production: Decimal, plan: Plan, payout_lines: Sequence[Line]
) -> list[Line]:
    """The extra ``repasse`` line of a reached target, or nothing."""
    tier = reached_tier(plan, production)
    if tier is None or tier.percent <= plan.percent or production <= 0:
        return []
    extra = tier.percent - plan.percent
    above = production - tier.threshold
    whole = plan.tier_mode is TierMode.WHOLE
    reached = (
        f"meta atingida: produção de {format_brl(production)} em {period} "
        f"≥ {format_brl(tier.threshold)}; +{format_percent(extra)} "
        f"(faixa de {format_percent(tier.percent)} − plano de {format_percent(plan.percent)})"
    )
    if plan.basis is PlanBasis.PRODUCTION:
        base = production if whole else above
        scope = "toda a produção" if whole else "a produção acima da meta"
    else:
        commission = sum(
            (
                line.base
                for line in payout_lines
                if line.payee == payee
                and line.period == period
                and line.kind is LineKind.PAYOUT
                and line.source_kind in _COMPANY_KINDS
            ),
            Decimal("0.00"),
        )
        if whole:
            base, scope = commission, "toda a comissão repassável do período"
        else:
            # The share of the commission that matches the production above the threshold.
            base = fraction_of(commission, int(above * 100), int(production * 100))
            scope = (
                f"a parte da comissão repassável ({format_brl(commission)}) proporcional à "
                f"produção acima da meta ({format_brl(above)} de {format_brl(production)})"
            )
    amount = percent_of(base, extra)
    if not amount:
        return []
    text = f"{reached}, sobre {scope}: {format_brl(base)}, plano de {payee}"
    return [Line(TARGET_CONTRACT, payee, LineKind.PAYOUT, period, base, extra, amount, text)]
