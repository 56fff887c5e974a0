"""Diagnosis: rules that find the month's problems in a KPI report (the 001 operating model).

Each rule reads the report and the thresholds and returns findings: what is wrong, the
numbers that show it, and an estimated GMV impact, so that the plan can rank them. The
rules are a lookup table; thresholds come from the config (defaults in templates/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from shopreport.config import Thresholds
from shopreport.metrics import KpiReport


@dataclass
class Finding:
    """One problem: rule, section, subject, evidence numbers and estimated GMV impact.

    `impact_kind` says what the amount is: lost (sales missed), shortfall (against a
    target), at_risk (sales exposed) or tied_up (money held in stock).
    """

    rule: str
    section: str
    subject: str
    impact: float
    impact_kind: str
    evidence: dict[str, Any] = field(default_factory=dict)


# refund reasons as exports write them → the kind of action they call for
REASON_KINDS = {
    "尺码不合适": "size", "尺码不符": "size", "尺寸不合适": "size", "size": "size", "wrong size": "size",
    "质量问题": "quality", "做工问题": "quality", "quality": "quality", "defective": "quality",
    "物流破损": "damage", "包装破损": "damage", "damaged": "damage", "damaged in transit": "damage",
}


def _rows(report: KpiReport, name: str) -> list[dict]:
    """A breakdown's records ([] when absent)."""
    frame = report.breakdowns.get(name)
    return frame.to_dicts() if isinstance(frame, pl.DataFrame) else []


def conversion_drop(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Sources whose conversion fell by at least the threshold against the previous month."""
    out = []
    for row in _rows(report, "by_source"):
        visitors, before_visitors = row.get("visitors"), row.get("previous_visitors")
        buyers, before_buyers = row.get("buyers"), row.get("previous_buyers")
        if not visitors or not before_visitors or before_buyers is None or buyers is None:
            continue
        now, before = buyers / visitors, before_buyers / before_visitors
        if before - now >= t.conversion_drop_pp:
            aov = row["gmv"] / buyers if buyers else 0
            out.append(Finding("conversion_drop", "traffic", row["source"], (before - now) * visitors * aov,
                               "lost", {"now": now, "before": before, "drop": now - before, "visitors": visitors}))
    return out


def refund_rise(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Categories whose refund rate (refunds ÷ GMV) rose by at least the threshold."""
    gmv = {r["category"]: r for r in _rows(report, "by_category")}
    now = {r["category"]: r["amount"] for r in _rows(report, "refunds_by_category")}
    before = {r["category"]: r["amount"] for r in _rows(report, "previous_refunds_by_category")}
    reasons: dict[str, tuple[str, float]] = {}
    for r in _rows(report, "refund_reasons_by_category"):
        if r["category"] not in reasons:  # sorted by amount: the first is the top reason
            reasons[r["category"]] = (r["reason"], r["amount"])
    out = []
    for category, row in gmv.items():
        if category is None or (row.get("share") or 0) < t.min_category_gmv_share:
            continue
        if not row["gmv"] or not row.get("previous_gmv") or category not in now:
            continue
        rate, rate_before = now[category] / row["gmv"], before.get(category, 0.0) / row["previous_gmv"]
        if rate - rate_before >= t.refund_rate_rise_pp:
            reason, amount = reasons.get(category, (None, 0.0))
            out.append(Finding("refund_rise", "service", category, (rate - rate_before) * row["gmv"], "lost", {
                "rate": rate, "before": rate_before, "rise": rate - rate_before, "reason": reason,
                "reason_kind": REASON_KINDS.get(str(reason).strip().lower(), "other"),
                "reason_share": amount / now[category] if now[category] else None,
            }))
    return out


def stockouts(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Best sellers out of stock at the month end: sales lost until the next delivery."""
    out = []
    days = report.period.days
    for row in _rows(report, "stockouts"):
        if row.get("rank") is None or row["rank"] > t.stockout_top_n:
            continue
        daily = (row.get("gmv") or 0) / days
        out.append(Finding("stockout", "goods", row.get("name") or row["sku"], daily * row["lead_time"], "lost", {
            "sku": row["sku"], "rank": row["rank"], "daily_gmv": daily, "lead_time": row["lead_time"],
            "reorder": row.get("reorder_qty"),
        }))
    return out


def slow_movers(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Slow movers holding at least the threshold in stock value (one finding for all)."""
    rows = [r for r in _rows(report, "slow_movers") if (r.get("stock_value") or 0) >= t.slow_mover_min_stock_value]
    if not rows:
        return []
    value = sum(r["stock_value"] for r in rows)
    top = max(rows, key=lambda r: r["stock_value"])
    return [Finding("slow_movers", "goods", top.get("name") or top["sku"], value, "tied_up", {
        "skus": len(rows), "stock_value": value, "top_value": top["stock_value"],
        "top_days": top.get("days_since_sale"),
    })]


def low_roas(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Paid channels below the target ROAS: GMV short of what the spend should bring."""
    out = []
    for row in _rows(report, "marketing_by_channel"):
        roas, spend = row.get("roas"), row.get("spend") or 0
        if roas is not None and spend > 0 and roas < t.target_roas:
            out.append(Finding("low_roas", "traffic", row["channel"], (t.target_roas - roas) * spend, "shortfall",
                               {"roas": roas, "target": t.target_roas, "spend": spend}))
    return out


def slow_response(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Mean first response slower than the threshold; impact from lost inquiry conversion."""
    first = report.metrics["first_response_s"]
    if first.value is None or first.value <= t.first_response_slow_s:
        return []
    inquiry = report.metrics["inquiry_conversion"]
    sessions = report.metrics["service_sessions"].value or 0
    order_value = report.metrics["order_value"].value or 0
    drop = max(0.0, (inquiry.previous or 0) - (inquiry.value or 0)) if inquiry.value is not None else 0.0
    return [Finding("slow_response", "service", "", drop * sessions * order_value, "lost", {
        "mean": first.value, "p90": report.metrics["first_response_p90_s"].value, "threshold": t.first_response_slow_s,
        "inquiry": inquiry.value, "inquiry_before": inquiry.previous,
    })]


def bad_reviews(report: KpiReport, t: Thresholds) -> list[Finding]:
    """Bad reviews above the threshold, or concentrated on one product."""
    rate = report.metrics["bad_review_rate"].value
    skus = _rows(report, "reviews_by_sku")
    top = skus[0] if skus and skus[0]["bad"] else None
    concentrated = top is not None and (top.get("bad_share") or 0) >= 0.2 and top["reviews"] >= 10
    if (rate is None or rate <= t.bad_review_rate_max) and not concentrated:
        return []
    gmv = {r["sku"]: r["gmv"] for r in _rows(report, "products")}
    subject = (top.get("name") or top["sku"]) if concentrated else ""
    at_risk = gmv.get(top["sku"], 0.0) if concentrated else 0.0
    words = [r["word"] for r in _rows(report, "bad_review_words")[:3]]
    return [Finding("bad_reviews", "service", subject, at_risk, "at_risk", {
        "rate": rate, "threshold": t.bad_review_rate_max, "concentrated": concentrated,
        "sku_bad_rate": top.get("bad_rate") if top else None, "sku_share": top.get("bad_share") if top else None,
        "words": words,
    })]


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
    findings = [f for rule in RULES.values() for f in rule(report, thresholds)]
    return sorted(findings, key=lambda f: (-f.impact, f.rule, f.subject))
