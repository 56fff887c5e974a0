"""RFM segments and cohort retention against hand-worked examples."""

from __future__ import annotations

import pytest

from tests.conftest import kpis, write_shop

# R is days from the last order to 2026-11-01; medians over p, q, r, s: R 126, F 1.5, M 275.
#   p: 10-30, 10-20, 06-01 → R 2,   F 3, M 500 → R↑F↑M↑ 重要价值客户
#   q: 10-25              → R 7,   F 1, M 50  → R↑F↓M↓ 一般发展客户
#   r: 03-01, 02-01       → R 245, F 2, M 800 → R↓F↑M↑ 重要保持客户
#   s: 01-10              → R 295, F 1, M 20  → R↓F↓M↓ 一般挽留客户
#   t: 2025-10-15         → outside the 365-day window
# Cohorts (first paid month; 3 months shown): Aug u, v; Sep w; Oct q.
#   u pays again in Oct (k = 2), v in Sep (k = 1).
ORDERS = """
    order_id,customer_id,order_time,paid_amount
    1,p,2026-10-30 10:00:00,100
    2,p,2026-10-20 10:00:00,100
    3,p,2026-06-01 10:00:00,300
    4,q,2026-10-25 10:00:00,50
    5,r,2026-03-01 10:00:00,400
    6,r,2026-02-01 10:00:00,400
    7,s,2026-01-10 10:00:00,20
    8,t,2025-10-15 10:00:00,999
    9,u,2026-08-05 10:00:00,10
    10,u,2026-10-02 10:00:00,10
    11,v,2026-08-20 10:00:00,10
    12,v,2026-09-03 10:00:00,10
    13,w,2026-09-15 10:00:00,10
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rfm")
    config = write_shop(
        folder,
        {"orders.csv": ORDERS},
        {"orders": {"path": "orders.csv"}},
        metrics={"cohort_months": 3},
    )
    return kpis(config)


def test_rfm_segments(tmp_path):
    # only p, q, r, s: the cohort customers u, v, w would move the medians
    rows = "\n".join(
        line
        for line in ORDERS.splitlines()
        if line.strip()[:2] not in {"9,", "10", "11", "12", "13"}
    )
    config = write_shop(tmp_path, {"orders.csv": rows}, {"orders": {"path": "orders.csv"}})
    rfm = {r["segment"]: r for r in kpis(config).breakdowns["rfm"].to_dicts()}
    assert list(rfm) == [
        "important_value",
        "important_develop",
        "important_keep",
        "important_winback",
        "general_value",
        "general_develop",
        "general_keep",
        "general_winback",
    ]
    counts = {k: v["customers"] for k, v in rfm.items() if v["customers"]}
    assert counts == {
        "important_value": 1,
        "general_develop": 1,
        "important_keep": 1,
        "general_winback": 1,
    }
    assert rfm["important_value"]["segment_zh"] == "重要价值客户"
    assert rfm["important_value"]["monetary"] == 500
    assert rfm["important_value"]["avg_recency_days"] == 2
    assert rfm["important_keep"]["avg_recency_days"] == 245
    assert sum(v["share"] for v in rfm.values() if v["share"] is not None) == pytest.approx(1.0)


def test_cohort_retention(report):
    rows = {
        (r["cohort"], r["k"]): (r["size"], r["customers"], r["rate"])
        for r in report.breakdowns["cohorts"].to_dicts()
    }
    assert rows == {
        ("2026-08", 0): (2, 2, 1.0),
        ("2026-08", 1): (2, 1, 0.5),
        ("2026-08", 2): (2, 1, 0.5),
        ("2026-09", 0): (1, 1, 1.0),
        ("2026-09", 1): (1, 0, 0.0),
        ("2026-10", 0): (1, 1, 1.0),
    }


def test_repurchase_window_option(tmp_path):
    # JD's fixed window: buyers with ≥ 2 paid orders in the 90 days to the period end.
    # In 2026-08-03 … 2026-10-31: p (2 orders), q, u (2 orders: 08-05, 10-02), v (2), w → 3 of 5
    config = write_shop(
        tmp_path,
        {"orders.csv": ORDERS},
        {"orders": {"path": "orders.csv"}},
        metrics={"repurchase_window_days": 90},
    )
    report = kpis(config)
    assert report.metrics["repurchase_rate"].value == pytest.approx(3 / 5)
    assert "90 days" in report.metrics["repurchase_rate"].note
