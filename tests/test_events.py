"""Visitors from an event log are truly distinct, unlike sums of daily UV."""

from __future__ import annotations

import pytest

from tests.conftest import kpis, write_shop


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("events")
    config = write_shop(
        folder,
        {
            "orders.csv": """
            order_id,customer_id,order_time,paid_amount,channel
            1,v2,2026-10-03 11:05:00,99,直播
        """,
            # v1 visits on two days: daily sums would count 4 visitors, the log has 3
            "events.csv": """
            time,visitor_id,event,source
            2026-10-02 10:00:00,v1,pv,搜索
            2026-10-02 10:01:00,v1,cart,搜索
            2026-10-02 11:00:00,v2,pv,直播
            2026-10-02 11:05:00,v2,buy,直播
            2026-10-03 09:00:00,v1,pv,搜索
            2026-10-03 09:30:00,v3,浏览,推荐
            2026-09-30 23:59:59,v9,pv,搜索
        """,
        },
        {"orders": {"path": "orders.csv"}, "events": {"path": "events.csv"}},
    )
    return kpis(config)


def test_distinct_visitors(report):
    assert report.metrics["visitors"].value == 3
    assert report.metrics["cart_visitors"].value == 1
    assert report.metrics["conversion"].value == pytest.approx(1 / 3)
    assert report.metrics["visitors"].note is None


def test_funnel_from_events(report):
    steps = {r["step"]: r["count"] for r in report.breakdowns["funnel"].to_dicts()}
    # "buy" is the pay step; the log has no order events, so that step is not shown as 0
    assert steps == {"view": 3, "cart": 1, "pay": 1}


def test_visitors_by_source(report):
    rows = {r["source"]: r for r in report.breakdowns["by_source"].to_dicts()}
    assert rows["直播"]["visitors"] == 1  # v2
    assert rows["直播"]["conversion"] == pytest.approx(1.0)
    # sources with visitors and no orders are listed with zero conversion
    assert rows["搜索"]["visitors"] == 1 and rows["搜索"]["gmv"] == 0
    assert rows["搜索"]["conversion"] == 0
    assert list(rows) == ["直播", "推荐", "搜索"]  # by GMV, then by name


def test_the_funnel_heading_names_the_steps_the_data_has(tmp_path):
    """A log without order events has three steps: the heading said "访客 → 加购 → 下单 → 支付"
    over three bars (the Taobao behaviour sample)."""
    from datetime import date

    from shopreport import api
    from tests.deckcheck import slides_text

    config = write_shop(
        tmp_path,
        {
            "orders.csv": """
            order_id,customer_id,order_time,paid_amount
            1,v2,2026-10-03 11:05:00,99
        """,
            "events.csv": """
            time,visitor_id,event
            2026-10-02 10:00:00,v1,pv
            2026-10-02 10:01:00,v1,cart
            2026-10-03 11:00:00,v2,pv
            2026-10-03 11:05:00,v2,buy
        """,
        },
        {"orders": {"path": "orders.csv"}, "events": {"path": "events.csv"}},
    )
    built = api.build_deck(
        config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=date(2026, 11, 3)
    )
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "按人数：访客 → 加购 → 支付" in text
    assert "下单" not in text.split("按人数：")[1][:12]
