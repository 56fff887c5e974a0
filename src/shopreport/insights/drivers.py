"""Why each headline number moved (seed 000's "主要得益于…"): every driver is a computed
contribution to the change, never a guess.

Each function splits a metric's change against the previous period into parts that add up
(LMDI for products of factors, shift-share for rates over a mix), and returns them largest
first. A part names what moved (a factor, a source, a category, a product) and by how much.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

from shopreport.fmt import product_label
from shopreport.metrics import KpiReport
from shopreport.metrics import schema as S
from shopreport.metrics.decompose import log_mean


@dataclass(frozen=True)
class Driver:
    """One part of a metric's change: its kind (narrative key), the part it names, its
    contribution (in the metric's own unit: money, or a rate in fractions) and its share of the
    whole change; `evidence` holds the numbers a sentence states."""

    kind: str
    subject: str
    effect: float
    share: float | None
    evidence: dict[str, Any] = field(default_factory=dict)


def _ranked(parts: list[Driver], total: float) -> list[Driver]:
    """The parts, the one moving most with the total first (then against it)."""
    sign = 1 if total >= 0 else -1
    return sorted(parts, key=lambda d: (-d.effect * sign, d.kind, d.subject))


def _share(effect: float, total: float) -> float | None:
    """The part's share of the total change; None when it is not a share (over 100 % or
    against the total: other parts offset it, and "185 % of the change" explains nothing)."""
    share = effect / total if total else None
    if share is None or not 0 < share <= 1 + 1e-9:  # (rounding: a whole part is 1.0000000001)
        return None
    return min(share, 1.0)


PARTS = ("category", "region", "source", "product")
"""The parts of a GMV change a deck names, in the order it names them (region only for a shop of
one category: `gmv_drivers`)."""


def gmv_drivers(report: KpiReport) -> list[Driver]:
    """ΔGMV MoM: the category, the source and the product that changed most in the direction
    of the total (their own Δ), beside the LMDI factor effects of the bridge; a shop of one
    category has its regions instead."""
    total = _delta(report, "gmv")
    if total is None:
        return []
    parts = []
    split = report.decomposition.get("mom")
    if split:
        for factor, effect in split["effects"].items():
            parts.append(
                Driver(
                    f"factor_{factor}",
                    factor,
                    effect,
                    _share(effect, split["delta"]),
                    # a rate's change in points, as its card gives it (else relative)
                    {"change": report.metrics[factor].mom, "pp": report.metrics[factor].mom_pp},
                )
            )
    kinds: list[tuple[str, list, str]] = [
        ("category", report.rows(S.BY_CATEGORY), "category"),
        ("source", report.rows(S.BY_SOURCE), "source"),
    ]
    for kind, rows, key in kinds:
        known = [(r[key], r["delta_mom"]) for r in rows if r["delta_mom"] is not None]
        if len(known) < 2:  # one category (Online Retail's "All products") is the whole change
            if kind == "category":  # its regions then: the UK's +£386K, not a night light's
                kinds.append(("region", report.rows(S.BY_PROVINCE), "province"))
            continue
        parts += [Driver(kind, name or "", d, _share(d, total)) for name, d in known]
    parts += [
        Driver(
            "product",
            product_label(r),
            r["delta"],
            _share(r["delta"], total),
            {"gmv": r["gmv"], "previous": r["previous_gmv"]},
        )
        for r in report.rows(S.PRODUCT_MOVERS)
    ]
    return _ranked(parts, total)


def top(drivers: list[Driver], kind: str) -> Driver | None:
    """The first driver of a kind (kinds starting with `kind`)."""
    return next((d for d in drivers if d.kind.startswith(kind)), None)


def against(drivers: list[Driver], kind: str, total: float, floor: float = 0.5) -> list[Driver]:
    """Drivers of a kind that moved against the total, the largest first, when at least `floor`
    (half) the size of the largest that moved with it: named beside it, so that "美妆护肤 grew
    most" does not hide 家用电器 falling more. A floor of 0 names the largest of any size (the
    others' net change is said, and what made it: "其他渠道合计-¥23.7万，包括「搜索」…")."""
    lead = top(drivers, kind)
    if lead is None or lead.effect * total <= 0:
        return []
    other = [d for d in drivers if d.kind.startswith(kind) and d.effect * total < 0]
    return sorted(
        (d for d in other if abs(d.effect) >= abs(lead.effect) * floor),
        key=lambda d: (-abs(d.effect), d.kind, d.subject),
    )


def conversion_drivers(report: KpiReport) -> list[Driver]:
    """Δconversion MoM by source, shift-share: a source's rate effect (its own conversion moved,
    at last month's visitor share) and mix effect (its visitor share moved, at this month's
    conversion). The parts add up to the change of the source-attributed conversion."""
    rows = [r for r in report.rows(S.BY_SOURCE) if r["visitors"] and r["previous_visitors"]]
    v1, v0 = sum(r["visitors"] or 0 for r in rows), sum(r["previous_visitors"] or 0 for r in rows)
    if not rows or not v1 or not v0:
        return []
    parts = []
    # a source's share moving counts at its rate against the shop's (centred): more visitors
    # to a source converting below the shop lowers conversion; the parts still add up, since
    # the shares' changes sum to 0
    mean = sum((r["buyers"] or 0) for r in rows) / v1
    for r in rows:
        w1, w0 = (r["visitors"] or 0) / v1, (r["previous_visitors"] or 0) / v0
        c1 = (r["buyers"] or 0) / (r["visitors"] or 1)
        c0 = (r["previous_buyers"] or 0) / (r["previous_visitors"] or 1)
        evidence = {"now": c1, "before": c0, "share": w1, "share_before": w0}
        parts.append(Driver("source_rate", r["source"] or "", w0 * (c1 - c0), None, evidence))
        parts.append(
            Driver("source_mix", r["source"] or "", (w1 - w0) * (c1 - mean), None, evidence)
        )
    total = sum(p.effect for p in parts)
    return _ranked(
        [Driver(p.kind, p.subject, p.effect, _share(p.effect, total), p.evidence) for p in parts],
        total,
    )


def aov_drivers(report: KpiReport) -> list[Driver]:
    """ΔAOV MoM, LMDI over AOV = orders per buyer × units per order × GMV per unit; the GMV
    per unit further split by category mix (the share of units moving between categories at
    this month's prices) and price (each category's GMV per unit moving)."""
    m = report.metrics
    names = ("paid_orders", "buyers", "units", "gmv")
    now, before = [m[n].value for n in names], [m[n].previous for n in names]
    if any(not x for x in now + before):
        return []
    factors = {
        "orders_per_buyer": (before[0] / before[1], now[0] / now[1]),
        "units_per_order": (before[2] / before[0], now[2] / now[0]),
        "price_per_unit": (before[3] / before[2], now[3] / now[2]),
    }
    a0, a1 = before[3] / before[1], now[3] / now[1]
    weight = log_mean(a1, a0)
    parts = [
        Driver(
            name,
            name,
            weight * math.log(x1 / x0),
            _share(weight * math.log(x1 / x0), a1 - a0),
            {"now": x1, "before": x0},
        )
        for name, (x0, x1) in factors.items()
    ]
    mix = category_mix(report)
    if mix is not None:
        parts.append(mix)
    return _ranked(parts, a1 - a0)


def category_mix(report: KpiReport) -> Driver | None:
    """How much of the change of GMV per unit came from units moving between categories."""
    rows = [r for r in report.rows(S.BY_CATEGORY) if r["units"] and r["previous_units"]]
    u1, u0 = sum(r["units"] or 0 for r in rows), sum(r["previous_units"] or 0 for r in rows)
    if len(rows) < 2 or not u1 or not u0:
        return None
    shares = [
        ((r["units"] or 0) / u1, (r["previous_units"] or 0) / u0, r["gmv"] / (r["units"] or 1))
        for r in rows
    ]
    mix = sum((w1 - w0) * p1 for w1, w0, p1 in shares)
    # the category that moved it most: its change of share × its price against the average
    # (the shares' changes add up to 0, so these parts add up to the mix effect): units moving
    # to a category priced like the average move nothing
    average = sum(w1 * p1 for w1, _, p1 in shares)
    parts = [
        ((w1 - w0) * (p1 - average), w1 - w0, r)
        for (w1, w0, p1), r in zip(shares, rows, strict=True)
    ]
    _, change, row = max(parts, key=lambda p: p[0] * (1 if mix >= 0 else -1))
    return Driver("category_mix", row["category"] or "", mix, None, {"share_change": change})


def refund_drivers(report: KpiReport) -> list[Driver]:
    """Δrefund rate MoM by category: each category's refunds ÷ shop GMV now minus then; the
    parts add up to the change of the refund rate (of refunds with a category)."""
    gmv, gmv_before = report.metrics["gmv"].value, report.metrics["gmv"].previous
    if not gmv or not gmv_before:
        return []
    now = {r["category"]: r["amount"] for r in report.rows(S.REFUNDS_BY_CATEGORY)}
    before = {r["category"]: r["amount"] for r in report.rows(S.PREVIOUS_REFUNDS_BY_CATEGORY)}
    reasons: dict[str | None, tuple[str | None, float]] = {}
    for r in report.rows(S.REFUND_REASONS_BY_CATEGORY):
        reasons.setdefault(r["category"], (r["reason"], r["amount"]))
    if len({r["category"] for r in report.rows(S.BY_CATEGORY)}) < 2:  # a shop of one category
        return []
    parts = []
    for category in set(now) | set(before):
        effect = now.get(category, 0.0) / gmv - before.get(category, 0.0) / gmv_before
        reason, amount = reasons.get(category, (None, 0.0))
        parts.append(
            Driver(
                "category",
                category or "",
                effect,
                None,
                {
                    "amount": now.get(category, 0.0),
                    "before": before.get(category, 0.0),
                    "reason": reason,
                    "reason_share": amount / now[category] if now.get(category) else None,
                },
            )
        )
    total = sum(p.effect for p in parts)
    return _ranked(
        [Driver(p.kind, p.subject, p.effect, _share(p.effect, total), p.evidence) for p in parts],
        total,
    )


def short_lookback(report: KpiReport) -> set[str]:
    """The comparisons ("mom", "yoy") whose returning buyers are not like for like: the period
    itself or the compared one has less than the look-back's year of data before it (Online
    Retail's November "returning share ▲7.3 pp" was 335 days of look-back against 304)."""
    for note in report.notes:
        if note.code == "short_history":
            return {"mom", "yoy"}
        if note.code == "short_history_compared":
            latest = note.params.get("period")
            return {"mom", "yoy"} if latest == report.previous.label else {"yoy"}
    return set()


def returning_drivers(report: KpiReport) -> list[Driver]:
    """Δreturning share MoM: how much came from the returning buyers' count and how much from
    the new buyers' (share = 1 ÷ (1 + new ÷ returning); its change is split in proportion to
    the log changes of the two counts, so the parts add up)."""
    r1, r0 = report.metrics["returning_buyers"].value, report.metrics["returning_buyers"].previous
    n1, n0 = report.metrics["new_buyers"].value, report.metrics["new_buyers"].previous
    if not (r1 and r0 and n1 and n0) or "mom" in short_lookback(report):
        return []
    total = r1 / (r1 + n1) - r0 / (r0 + n0)
    log_q = math.log(n1 / n0) - math.log(r1 / r0)
    parts = []
    for kind, log_part, now, before in (
        ("returning", -math.log(r1 / r0), r1, r0),
        ("new", math.log(n1 / n0), n1, n0),
    ):
        effect = total * log_part / log_q if log_q else 0.0
        parts.append(
            Driver(
                kind,
                kind,
                effect,
                _share(effect, total),
                {"now": now, "before": before, "change": now / before - 1},
            )
        )
    return _ranked(parts, total)


def repurchase_drivers(now: KpiReport, before: KpiReport) -> list[Driver]:
    """Δrepurchase rate between two periods, shift-share over new and returning buyers: each
    segment's own rate change (at the earlier buyer mix) and the mix effect (the returning
    share of buyers moved, at the later rates). The parts add up to the change."""
    rows = [{r["segment"]: r for r in report.rows(S.NEW_VS_RETURNING)} for report in (now, before)]
    totals = [sum(r["buyers"] for r in seg.values()) for seg in rows]
    if not all(totals):
        return []

    def weight_rate(i: int, segment: str) -> tuple[float, float]:
        row = rows[i].get(segment)
        return (row["buyers"] / totals[i], row["repurchase_rate"] or 0.0) if row else (0.0, 0.0)

    parts, total = [], 0.0
    mix = 0.0
    for segment in ("new", "returning"):
        (w1, r1), (w0, r0) = weight_rate(0, segment), weight_rate(1, segment)
        total += w1 * r1 - w0 * r0
        mix += (w1 - w0) * r1
        if w0:
            parts.append(
                Driver("segment_rate", segment, w0 * (r1 - r0), None, {"now": r1, "before": r0})
            )
    w1, w0 = weight_rate(0, "returning")[0], weight_rate(1, "returning")[0]
    parts.append(Driver("segment_mix", "returning", mix, None, {"share": w1, "share_before": w0}))
    return _ranked([replace(d, share=_share(d.effect, total)) for d in parts], total)


def response_drivers(report: KpiReport) -> list[Driver]:
    """Δ mean first response MoM by bot and human, shift-share over the responses: a handler's
    own speed moved (at last month's share) or its share of the responses moved (at this
    month's speed)."""
    groups = [
        (r["handled_by"], r["responses"], r["previous_responses"], r["mean_s"],
         r["previous_mean_s"])
        for r in report.rows(S.RESPONSE_BY_HANDLER)
    ]  # fmt: skip
    return _shift_share("handler", groups)


def late_drivers(report: KpiReport) -> list[Driver]:
    """Δ late-delivery rate MoM by shipping (within `ship_hours` or not), shift-share over the
    delivered orders: more orders shipped late (mix) or orders of a kind arriving late more
    often (rate: for orders shipped on time, the carrier)."""

    def rate(late: int | None, delivered: int | None) -> float | None:
        return late / delivered if delivered else None

    groups = [
        (r["shipping"], r["delivered"], r["previous_delivered"], rate(r["late"], r["delivered"]),
         rate(r["previous_late"], r["previous_delivered"]))
        for r in report.rows(S.LATE_BY_SHIPPING)
    ]  # fmt: skip
    # the delivered orders the shares are of (of 10,886 paid, 8,837 delivered): "已签收订单中未及时
    # 发货的占比13.6%" beside a shipped-on-time rate of 83.5 % of the shipped
    delivered = sum(g[1] for g in groups)
    return [
        replace(d, evidence={**d.evidence, "delivered": delivered})
        for d in _shift_share("shipping", groups)
    ]


def _shift_share(
    kind: str, groups: list[tuple[str, int, int | None, float | None, float | None]]
) -> list[Driver]:
    """A mean over groups (name, count now, count before, value now, value before) split into
    each group's own value moving at last period's weight (`{kind}_rate`; `_speed` for
    handlers) and, as one part, the weights moving (`{kind}_mix`, named after the group whose
    share rose most: with two groups, one's gain is the other's loss). A group present in one
    period only takes the other's value, so the parts add up to the change of the mean."""
    if any(g[2] is None for g in groups):  # the data does not reach the previous period
        return []
    n1, n0 = sum(g[1] for g in groups), sum(g[2] for g in groups)
    if not n1 or not n0:
        return []
    own = "speed" if kind == "handler" else "rate"
    parts, mix, gains = [], 0.0, []
    for name, c1, c0, v1, v0 in groups:
        v1, v0 = (v1 if v1 is not None else v0), (v0 if v0 is not None else v1)
        if v1 is None or v0 is None:
            continue
        w1, w0 = c1 / n1, c0 / n0
        evidence = {"now": v1, "before": v0, "share": w1, "share_before": w0}
        parts.append(Driver(f"{kind}_{own}", name, w0 * (v1 - v0), None, evidence))
        mix += (w1 - w0) * v1
        gains.append((w1 - w0, name, evidence))
    if gains:
        _, name, evidence = max(gains, key=lambda g: (g[0], g[1]))
        parts.append(Driver(f"{kind}_mix", name, mix, None, evidence))
    total = sum(p.effect for p in parts)
    return _ranked(
        [Driver(p.kind, p.subject, p.effect, _share(p.effect, total), p.evidence) for p in parts],
        total,
    )


def _delta(report: KpiReport, metric: str) -> float | None:
    m = report.metrics[metric]
    return None if m.value is None or m.previous is None else m.value - m.previous
