"""Property tests: random valid shops keep the invariants and agree with a naive recomputation
in plain Python; random damage to cells gives a clear error, never a crash."""

from __future__ import annotations

import csv
import io
import itertools
import math
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shopreport import api
from shopreport.config import read_config
from shopreport.errors import DataError, ShopreportError
from tests.conftest import write_shop

pytestmark = pytest.mark.slow  # each example computes a whole report

START = datetime(2025, 9, 1)  # orders fall in Sep–Nov 2025 (and one year before, for YoY)
MONTH_START, MONTH_END = datetime(2025, 10, 1), datetime(2025, 11, 1)
CATEGORIES = ["服装", "家居", "食品"]

order = st.fixed_dictionaries(
    {
        "customer": st.sampled_from("abcdefgh"),
        "minute": st.integers(0, 92 * 24 * 60 - 1),  # within Sep–Nov
        "last_year": st.booleans(),
        "amount": st.decimals(min_value=0, max_value=5000, places=2),
        "paid": st.booleans(),
        "category": st.sampled_from(CATEGORIES),
    }
)
shop = st.lists(order, min_size=1, max_size=40)
visitors = st.lists(st.integers(1, 500), min_size=92, max_size=92)


def csv_text(header: list[str], rows: list[list]) -> str:
    """Rows as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def materialise(orders: list[dict], daily_visitors: list[int]) -> tuple[list[dict], str, str, str]:
    """Concrete orders (id, times) and the CSV texts of orders, items and traffic."""
    rows = []
    for i, o in enumerate(orders):
        when = START + timedelta(minutes=o["minute"])
        if o["last_year"]:
            when = when.replace(year=2024)
        rows.append({**o, "id": f"o{i}", "time": when})
    order_csv = csv_text(
        ["order_id", "customer_id", "order_time", "pay_time", "paid_amount"],
        [
            [
                r["id"],
                r["customer"],
                f"{r['time']:%Y-%m-%d %H:%M:%S}",
                f"{r['time']:%Y-%m-%d %H:%M:%S}" if r["paid"] else "",
                str(r["amount"]),
            ]
            for r in rows
        ],
    )
    items_csv = csv_text(
        ["order_id", "sku", "quantity", "amount"],
        [[r["id"], r["category"], 1, str(r["amount"])] for r in rows],
    )
    traffic_csv = csv_text(
        ["date", "source", "visitors"],
        [
            [f"{START + timedelta(days=d):%Y-%m-%d}", "搜索", v]
            for d, v in enumerate(daily_visitors)
        ],
    )
    return rows, order_csv, items_csv, traffic_csv


def naive(rows: list[dict], start: datetime, end: datetime) -> dict:
    """The core metrics of [start, end) in plain Python."""
    paid = [r for r in rows if r["paid"] and start <= r["time"] < end]
    buyers = {r["customer"] for r in paid}
    before = {
        r["customer"]
        for r in rows
        if r["paid"] and start - timedelta(days=365) <= r["time"] < start
    }
    counts = {c: sum(1 for r in paid if r["customer"] == c) for c in buyers}
    return {
        "gmv": float(sum(r["amount"] for r in paid)),
        "paid_orders": len(paid),
        "buyers": len(buyers),
        "returning_buyers": len(buyers & before),
        "repurchase_rate": (sum(1 for n in counts.values() if n >= 2) / len(buyers))
        if buyers
        else None,
    }


def previous_end(rows: list[dict]) -> datetime:
    """End of September as October is compared with it. When the orders stop inside October
    and the days left exceed its longest run of days without orders (an export taken
    mid-month), the same first days of September are compared (README, "Partial periods")."""
    last = max(r["time"] for r in rows).date()
    if not MONTH_START.date() <= last < (MONTH_END - timedelta(days=1)).date():
        return MONTH_START
    days = sorted({r["time"].date() for r in rows if r["time"] >= MONTH_START})
    quiet = max([(b - a).days - 1 for a, b in itertools.pairwise(days)], default=0)
    if ((MONTH_END - timedelta(days=1)).date() - last).days <= quiet:
        return MONTH_START
    covered = (last - MONTH_START.date()).days + 1
    return datetime(2025, 9, 1) + timedelta(days=covered)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shop, visitors)
def test_metrics_equal_a_naive_recomputation(orders, daily_visitors):
    rows, order_csv, items_csv, traffic_csv = materialise(orders, daily_visitors)
    with tempfile.TemporaryDirectory() as folder:
        config = write_shop(
            Path(folder),
            {
                "orders.csv": order_csv,
                "items.csv": items_csv,
                "products.csv": csv_text(["sku", "category"], [[c, c] for c in CATEGORIES]),
                "traffic.csv": traffic_csv,
            },
            {
                "orders": {"path": "orders.csv"},
                "order_items": {"path": "items.csv"},
                "products": {"path": "products.csv"},
                "traffic": {"path": "traffic.csv"},
            },
        )
        first, last = min(r["time"] for r in rows), max(r["time"] for r in rows)
        if last < MONTH_START or first >= MONTH_END:
            # October outside the data: unknown, not zeros, even with allow_empty
            with pytest.raises(DataError, match="the data (ends|begins)"):
                api.compute_kpis(read_config(config), "2025-10", allow_empty=True)
            return
        report = api.compute_kpis(read_config(config), "2025-10", allow_empty=True)
    expected = naive(rows, MONTH_START, MONTH_END)
    for metric, value in expected.items():
        got = report.metrics[metric].value
        assert (got is None and value is None) or got == pytest.approx(value, abs=1e-6), metric
    previous = naive(rows, datetime(2025, 9, 1), previous_end(rows))
    assert report.metrics["gmv"].previous in (None, pytest.approx(previous["gmv"], abs=1e-6))

    categories = report.breakdowns.get("by_category")
    if expected["gmv"] > 0:
        assert categories["share"].sum() == pytest.approx(1.0)
        assert categories["gmv"].sum() == pytest.approx(expected["gmv"])
        delta = expected["gmv"] - previous["gmv"]
        if abs(delta) > 1e-6 and report.metrics["gmv"].previous is not None:
            assert categories["contribution_mom"].sum() == pytest.approx(1.0)
    lmdi = report.decomposition["mom"]
    if lmdi is not None:
        assert sum(lmdi["effects"].values()) == pytest.approx(lmdi["delta"], rel=1e-9, abs=1e-6)
        assert lmdi["after"] == pytest.approx(expected["gmv"])


damage = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "-",
            "—",
            "abc",
            "1e999",
            "NaN",
            "∞",
            "¥",
            "12元5",
            "2026-13-45",
            "\x00",
            '"',
            "\n",
            "{{ x }}",
            "1,2,3",
            "-5",
            "99999999999999999999999",
        ]
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4), st.integers(0, 4), damage)
def test_damaged_cells_give_clear_errors_never_crashes(row, column, value):
    text = csv_text(
        ["order_id", "customer_id", "order_time", "pay_time", "paid_amount"],
        [
            [
                f"o{i}",
                "abc"[i % 3],
                f"2025-10-0{i + 1} 10:00:00",
                f"2025-10-0{i + 1} 10:05:00",
                "100",
            ]
            for i in range(4)
        ],
    )
    lines = text.splitlines()
    cells = next(csv.reader([lines[row]]))
    cells[column] = value
    lines[row] = csv_text(["x"], [cells]).split("\n", 1)[1].rstrip("\n")
    with tempfile.TemporaryDirectory() as folder:
        config = write_shop(
            Path(folder),
            {"orders.csv": "\n".join(lines) + "\n"},
            {"orders": {"path": "orders.csv"}},
        )
        try:
            report = api.compute_kpis(read_config(config), "2025-10", allow_empty=True)
        except ShopreportError as exc:
            assert exc.message and "Traceback" not in exc.message
            return
    gmv = report.metrics["gmv"].value
    assert gmv is None or (math.isfinite(gmv) and gmv >= 0)
