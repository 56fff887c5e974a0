"""Diagnosis: rules that find the month's problems in a KPI report (the 001 operating model).

Each rule reads the report and the thresholds and returns findings: what is wrong, the
numbers that show it, and an estimated GMV impact, so that the plan can rank them. The
rules are a lookup table; thresholds come from the config (defaults in templates/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shopreport.config import Thresholds
from shopreport.metrics import KpiReport
from shopreport.metrics import schema as S
from shopreport.metrics.campaign import CampaignReport


@dataclass
class Finding:
    """One problem: rule, subject, evidence numbers and estimated GMV impact.

    `impact_kind` says what the amount is: lost (sales missed), shortfall (against a
    target), at_risk (sales exposed) or tied_up (money held in stock).
    """

    rule: str
    subject: str
    impact: float
    impact_kind: str
    evidence: dict[str, Any] = field(default_factory=dict)


# refund reasons as exports write them → the kind of action they call for
REASON_KINDS = {
    "尺码不合适": "size",
    "尺码不符": "size",
    "尺寸不合适": "size",
    "size": "size",
    "wrong size": "size",
    "质量问题": "quality",
    "做工问题": "quality",
    "quality": "quality",
    "defective": "quality",
    "物流破损": "damage",
    "包装破损": "damage",
    "damaged": "damage",
    "damaged in transit": "damage",
}


def conversion_drop(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Sources whose conversion fell by at least the threshold against the previous month."""
    out = []
    for row in report.rows(S.BY_SOURCE):
        visitors, before_visitors = row["visitors"], row["previous_visitors"]
        buyers, before_buyers = row["buyers"], row["previous_buyers"]
        if not visitors or not before_visitors or before_buyers is None or buyers is None:
            continue
        now, before = buyers / visitors, before_buyers / before_visitors
        if before - now >= t.conversion_drop_pp:
            aov = row["gmv"] / buyers if buyers else 0
            out.append(
                Finding(
                    "conversion_drop",
                    row["source"],
                    (before - now) * visitors * aov,
                    "lost",
                    {"now": now, "before": before, "drop": now - before, "visitors": visitors},
                )
            )
    return out


def refund_rise(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Categories whose refund rate (refunds ÷ GMV) rose by at least the threshold."""
    gmv = {r["category"]: r for r in report.rows(S.BY_CATEGORY)}
    now = {r["category"]: r["amount"] for r in report.rows(S.REFUNDS_BY_CATEGORY)}
    before = {r["category"]: r["amount"] for r in report.rows(S.PREVIOUS_REFUNDS_BY_CATEGORY)}
    reasons: dict[str, tuple[str, float]] = {}
    for r in report.rows(S.REFUND_REASONS_BY_CATEGORY):
        if r["category"] not in reasons:  # sorted by amount: the first is the top reason
            reasons[r["category"]] = (r["reason"], r["amount"])
    out = []
    for category, row in gmv.items():
        if category is None or (row["share"] or 0) < t.min_category_gmv_share:
            continue
        if not row["gmv"] or not row["previous_gmv"] or category not in now:
            continue
        rate, rate_before = (
            now[category] / row["gmv"],
            before.get(category, 0.0) / row["previous_gmv"],
        )
        if rate - rate_before >= t.refund_rate_rise_pp:
            reason, amount = reasons.get(category, (None, 0.0))
            out.append(
                Finding(
                    "refund_rise",
                    category,
                    (rate - rate_before) * row["gmv"],
                    "lost",
                    {
                        "rate": rate,
                        "before": rate_before,
                        "rise": rate - rate_before,
                        "reason": reason,
                        "reason_kind": REASON_KINDS.get(str(reason).strip().lower(), "other"),
                        "reason_share": amount / now[category] if now[category] else None,
                    },
                )
            )
    return out


def stockouts(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Best sellers out of stock at the month end: sales lost until the next delivery."""
    out = []
    days = report.period.days
    for row in report.rows(S.STOCKOUTS):
        if row["rank"] is None or row["rank"] > t.stockout_top_n:
            continue
        daily = (row["gmv"] or 0) / days
        out.append(
            Finding(
                "stockout",
                row["name"] or row["sku"],
                daily * row["lead_time"],
                "lost",
                {
                    "sku": row["sku"],
                    "rank": row["rank"],
                    "daily_gmv": daily,
                    "lead_time": row["lead_time"],
                    "reorder": row["reorder_qty"],
                },
            )
        )
    return out


def slow_movers(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Slow movers holding at least the threshold in stock value (one finding for all)."""
    rows = [
        r
        for r in report.rows(S.SLOW_MOVERS)
        if (r["stock_value"] or 0) >= t.slow_mover_min_stock_value
    ]
    if not rows:
        return []
    value = sum(r["stock_value"] for r in rows)
    top = max(rows, key=lambda r: r["stock_value"])
    return [
        Finding(
            "slow_movers",
            top["name"] or top["sku"],
            value,
            "tied_up",
            {
                "skus": len(rows),
                "stock_value": value,
                "top_value": top["stock_value"],
                "top_days": top["days_since_sale"],
            },
        )
    ]


def low_roas(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Paid channels below the target ROAS: GMV short of what the spend should bring."""
    out = []
    for row in report.rows(S.MARKETING_BY_CHANNEL):
        roas, spend = row["roas"], row["spend"] or 0
        if roas is not None and spend > 0 and roas < t.target_roas:
            out.append(
                Finding(
                    "low_roas",
                    row["channel"],
                    (t.target_roas - roas) * spend,
                    "shortfall",
                    {"roas": roas, "target": t.target_roas, "spend": spend},
                )
            )
    return out


def slow_response(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Mean first response slower than the threshold; impact from lost inquiry conversion."""
    first = report.metrics["first_response_s"]
    if first.value is None or first.value <= t.first_response_slow_s:
        return []
    inquiry = report.metrics["inquiry_conversion"]
    sessions = report.metrics["service_sessions"].value or 0
    order_value = report.metrics["order_value"].value or 0
    drop = (
        max(0.0, (inquiry.previous or 0) - (inquiry.value or 0))
        if inquiry.value is not None
        else 0.0
    )
    return [
        Finding(
            "slow_response",
            "",
            drop * sessions * order_value,
            "lost",
            {
                "mean": first.value,
                "p90": report.metrics["first_response_p90_s"].value,
                "threshold": t.first_response_slow_s,
                "inquiry": inquiry.value,
                "inquiry_before": inquiry.previous,
            },
        )
    ]


def bad_reviews(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Bad reviews above the threshold, or concentrated on one product."""
    rate = report.metrics["bad_review_rate"].value
    skus = report.rows(S.REVIEWS_BY_SKU)
    top = skus[0] if skus and skus[0]["bad"] else None
    concentrated = (
        top is not None
        and (top["bad_share"] or 0) >= t.bad_review_concentration_share
        and top["reviews"] >= t.bad_review_concentration_min_reviews
    )
    if (rate is None or rate <= t.bad_review_rate_max) and not concentrated:
        return []
    gmv = {r["sku"]: r["gmv"] for r in report.rows(S.PRODUCTS)}
    subject = (top["name"] or top["sku"]) if concentrated else ""
    at_risk = gmv.get(top["sku"], 0.0) if concentrated else 0.0
    words = [r["word"] for r in report.rows(S.BAD_REVIEW_WORDS)[:3]]
    return [
        Finding(
            "bad_reviews",
            subject,
            at_risk,
            "at_risk",
            {
                "rate": rate,
                "threshold": t.bad_review_rate_max,
                "concentrated": concentrated,
                "sku_bad_rate": top["bad_rate"] if top else None,
                "sku_share": top["bad_share"] if top else None,
                "words": words,
            },
        )
    ]


RULES: dict[str, Callable[[KpiReport, Thresholds], list[Finding]]] = {
    "conversion_drop": conversion_drop,
    "refund_rise": refund_rise,
    "stockout": stockouts,
    "slow_movers": slow_movers,
    "low_roas": low_roas,
    "slow_response": slow_response,
    "bad_reviews": bad_reviews,
}


def find_problems(report: KpiReport, thresholds: Thresholds) -> list[Finding]:
    """Every rule's findings, largest estimated impact first."""
    return _ranked([f for rule in RULES.values() for f in rule(report, thresholds)])


def _ranked(findings: list[Finding]) -> list[Finding]:
    """Largest estimated impact first (ties by rule and subject, for a stable order)."""
    return sorted(findings, key=lambda f: (-f.impact, f.rule, f.subject))


WINDOW_STOCKOUTS_SHOWN = 3


def find_campaign_problems(c: CampaignReport, t: Thresholds) -> list[Finding]:
    """The monthly rules on the campaign window (but the month-end stock rules), stockouts
    during the window with the GMV they likely lost, and service under the campaign's load."""
    findings = [f for f in find_problems(c.report, t) if f.rule not in ("stockout", "slow_movers")]
    for s in c.rows(S.WINDOW_STOCKOUTS)[:WINDOW_STOCKOUTS_SHOWN]:
        findings.append(
            Finding(
                "stockout_window",
                s["name"] or s["sku"],
                s["lost"],
                "lost",
                {"days_out": s["days_out"], "daily": s["baseline_daily"]},
            )
        )
    service = c.rows(S.SERVICE_DAYS)
    days = [s for s in service if s["date"] is not None]
    base = next((s for s in service if s["date"] is None), None)
    if days and base and base["first_response_s"]:
        worst = max(days, key=lambda s: s["first_response_s"] or 0)
        if (worst["first_response_s"] or 0) > t.service_load_factor * base["first_response_s"]:
            findings.append(
                Finding(
                    "service_load",
                    f"{worst['date']:%m-%d}",
                    0.0,
                    "at_risk",
                    {"value": worst["first_response_s"], "base": base["first_response_s"]},
                )
            )
    return _ranked(findings)
