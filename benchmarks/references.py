"""The references `shopreport kpis` is timed against: the same core metrics in DuckDB SQL and in
pandas, written the way an analyst would write them, over the same Parquet files.

    python benchmarks/references.py duckdb DATA_DIR --month 2026-10   # prints JSON
    python benchmarks/references.py pandas DATA_DIR --month 2026-10
    python benchmarks/references.py shopreport CONFIG --month 2026-10

Each prints the core set as one flat JSON object, so the benchmark can check that the three
agree before it times them. The core set, for the month (cur), the month before (prev) and the
same month last year (ly), by the definitions of `../shared/docs/metrics.md`:

- gmv, paid_orders, buyers: orders paid in the window (pay time set, in the window);
- returning_buyers: buyers of the window who also paid in the 365 days before it;
- refund_amount, refunded_orders: refunds dated in the window;
- visitors: the daily traffic rows of the window, summed;
- units: quantity of the lines of orders paid in the window;
- per category (cur, prev): GMV, each order's paid amount split over its lines in proportion to
  the line amounts (then quantities, then evenly), and units;
- per source (cur): GMV, paid orders and buyers by the order's channel.

A table is either `DATA_DIR/<table>.parquet` or a hive-partitioned folder
`DATA_DIR/<table>/month=YYYY-MM/*.parquet`.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

LOOKBACK_DAYS = 365


def windows(month: str) -> dict[str, tuple[date, date]]:
    """`[start, end)` of the month, the month before and the same month last year."""
    year, mon = map(int, month.split("-"))

    def span(y: int, m: int) -> tuple[date, date]:
        return date(y, m, 1), date(y + m // 12, m % 12 + 1, 1)

    return {
        "cur": span(year, mon),
        "prev": span(year - (mon == 1), (mon - 2) % 12 + 1),
        "ly": span(year - 1, mon),
    }


def source(folder: Path, table: str) -> tuple[str, bool]:
    """The Parquet glob of a table and whether it is hive-partitioned."""
    flat = folder / f"{table}.parquet"
    if flat.exists():
        return str(flat), False
    return str(folder / table / "**" / "*.parquet"), True


# ---------------------------------------------------------------------------------------- DuckDB


def duckdb_metrics(folder: Path, month: str) -> dict[str, float]:
    """The core set in DuckDB SQL: one query per group, all windows at once."""
    import duckdb

    con = duckdb.connect()
    for table in ("orders", "order_items", "refunds", "traffic", "products"):
        path, hive = source(folder, table)
        con.execute(
            f"create view {table} as select * from read_parquet('{path}'"
            + (", hive_partitioning = true)" if hive else ")")
        )
    wins = windows(month)
    values = ", ".join(
        f"('{name}', date '{start}', date '{end}')" for name, (start, end) in wins.items()
    )
    con.execute(
        f"create temp table w(name varchar, s timestamp, e timestamp);insert into w values {values}"
    )
    lo = min(s for s, _ in wins.values()) - timedelta(days=LOOKBACK_DAYS)
    hi = max(e for _, e in wins.values())
    out: dict[str, float] = {}
    con.execute(
        f"""create temp table paid as
        select order_id, customer_id, pay_time, paid_amount, channel from orders
        where pay_time >= timestamp '{lo}' and pay_time < timestamp '{hi}'"""
    )
    rows = con.execute(
        f"""select w.name, sum(p.paid_amount), count(*), count(distinct p.customer_id),
              count(distinct p.customer_id) filter (where exists (
                select 1 from paid q where q.customer_id = p.customer_id
                  and q.pay_time >= w.s - interval {LOOKBACK_DAYS} day and q.pay_time < w.s))
            from paid p join w on p.pay_time >= w.s and p.pay_time < w.e group by w.name"""
    ).fetchall()
    for name, gmv, n, buyers, returning in rows:
        out |= {
            f"gmv/{name}": gmv,
            f"paid_orders/{name}": n,
            f"buyers/{name}": buyers,
            f"returning_buyers/{name}": returning,
        }
    for name, amount, orders in con.execute(
        """select w.name, sum(r.amount), count(distinct r.order_id) from refunds r
           join w on r.refund_time >= w.s and r.refund_time < w.e group by w.name"""
    ).fetchall():
        out |= {f"refund_amount/{name}": amount, f"refunded_orders/{name}": orders}
    for name, visitors in con.execute(
        """select w.name, sum(t.visitors) from traffic t
           join w on t.date >= w.s and t.date < w.e group by w.name"""
    ).fetchall():
        out[f"visitors/{name}"] = visitors
    con.execute(
        f"""create temp table lines as
        with l as (
          select p.order_id, p.pay_time, p.paid_amount, i.sku, i.quantity,
                 coalesce(i.amount, i.unit_price * i.quantity) as value
          from order_items i join paid p using (order_id)
          where p.pay_time >= timestamp '{wins["prev"][0]}'
             or (p.pay_time >= timestamp '{wins["ly"][0]}'
                 and p.pay_time < timestamp '{wins["ly"][1]}')
        ), o as (
          select *, sum(value) over (partition by order_id) as ov,
                 sum(quantity) over (partition by order_id) as oq,
                 count(*) over (partition by order_id) as ol
          from l
        )
        select sku, quantity, pay_time,
               case when ov > 0 then paid_amount * coalesce(value, 0) / ov
                    when oq > 0 then paid_amount * quantity / oq
                    else paid_amount / ol end as line_gmv
        from o"""
    )
    for name, units in con.execute(
        """select w.name, sum(quantity) from lines join w on pay_time >= w.s and pay_time < w.e
           group by w.name"""
    ).fetchall():
        out[f"units/{name}"] = units
    for name, category, gmv, units in con.execute(
        """select w.name, p.category, sum(l.line_gmv), sum(l.quantity)
           from lines l join w on l.pay_time >= w.s and l.pay_time < w.e
           left join (select distinct on (sku) sku, category from products) p using (sku)
           where w.name in ('cur', 'prev') group by all"""
    ).fetchall():
        out |= {f"category_gmv/{category}/{name}": gmv, f"category_units/{category}/{name}": units}
    s, e = wins["cur"]
    for channel, gmv, n, buyers in con.execute(
        f"""select channel, sum(paid_amount), count(*), count(distinct customer_id) from paid
            where pay_time >= timestamp '{s}' and pay_time < timestamp '{e}' group by channel"""
    ).fetchall():
        out |= {
            f"source_gmv/{channel}": gmv,
            f"source_orders/{channel}": n,
            f"source_buyers/{channel}": buyers,
        }
    return {k: float(v) for k, v in out.items()}


# ---------------------------------------------------------------------------------------- pandas


def pandas_metrics(folder: Path, month: str) -> dict[str, float]:
    """The core set in pandas: read the columns needed, filter, group."""
    import pandas as pd

    def read(table: str, columns: list[str], filters=None) -> pd.DataFrame:
        path, hive = source(folder, table)
        target = Path(path) if not hive else folder / table
        return pd.read_parquet(target, columns=columns, filters=filters)

    wins = windows(month)
    lo = pd.Timestamp(min(s for s, _ in wins.values()) - timedelta(days=LOOKBACK_DAYS))
    hi = pd.Timestamp(max(e for _, e in wins.values()))
    paid = read(
        "orders",
        ["order_id", "customer_id", "pay_time", "paid_amount", "channel"],
        [("pay_time", ">=", lo), ("pay_time", "<", hi)],
    )
    out: dict[str, float] = {}
    for name, (start, end) in wins.items():
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        w = paid[(paid.pay_time >= s) & (paid.pay_time < e)]
        before = paid[(paid.pay_time >= s - pd.Timedelta(days=LOOKBACK_DAYS)) & (paid.pay_time < s)]
        buyers = w.customer_id.unique()
        out |= {
            f"gmv/{name}": w.paid_amount.sum(),
            f"paid_orders/{name}": len(w),
            f"buyers/{name}": len(buyers),
            f"returning_buyers/{name}": pd.Index(buyers).isin(before.customer_id.unique()).sum(),
        }
    refunds = read("refunds", ["order_id", "refund_time", "amount"])
    traffic = read("traffic", ["date", "visitors"])
    traffic["date"] = pd.to_datetime(traffic["date"])
    for name, (start, end) in wins.items():
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        r = refunds[(refunds.refund_time >= s) & (refunds.refund_time < e)]
        out |= {
            f"refund_amount/{name}": r.amount.sum(),
            f"refunded_orders/{name}": r.order_id.nunique(),
        }
        out[f"visitors/{name}"] = traffic.visitors[(traffic.date >= s) & (traffic.date < e)].sum()
    wanted = paid[
        (paid.pay_time >= pd.Timestamp(wins["prev"][0]))
        | (
            (paid.pay_time >= pd.Timestamp(wins["ly"][0]))
            & (paid.pay_time < pd.Timestamp(wins["ly"][1]))
        )
    ]
    items = read("order_items", ["order_id", "sku", "quantity", "unit_price", "amount"])
    lines = items.merge(wanted[["order_id", "pay_time", "paid_amount"]], on="order_id")
    lines["value"] = lines.amount.fillna(lines.unit_price * lines.quantity)
    by_order = lines.groupby("order_id")
    ov, oq = by_order.value.transform("sum"), by_order.quantity.transform("sum")
    ol = by_order.quantity.transform("size")
    lines["line_gmv"] = (lines.paid_amount / ol).where(
        oq <= 0, lines.paid_amount * lines.quantity / oq
    )
    lines["line_gmv"] = lines.line_gmv.where(
        ov <= 0, lines.paid_amount * lines.value.fillna(0) / ov
    )
    products = read("products", ["sku", "category"]).drop_duplicates("sku")
    lines = lines.merge(products, on="sku", how="left")
    for name, (start, end) in wins.items():
        s, e = pd.Timestamp(start), pd.Timestamp(end)
        w = lines[(lines.pay_time >= s) & (lines.pay_time < e)]
        out[f"units/{name}"] = w.quantity.sum()
        if name != "ly":
            for category, g in w.groupby("category"):
                out[f"category_gmv/{category}/{name}"] = g.line_gmv.sum()
                out[f"category_units/{category}/{name}"] = g.quantity.sum()
    s, e = map(pd.Timestamp, wins["cur"])
    cur = paid[(paid.pay_time >= s) & (paid.pay_time < e)]
    for channel, g in cur.groupby("channel"):
        out |= {
            f"source_gmv/{channel}": g.paid_amount.sum(),
            f"source_orders/{channel}": len(g),
            f"source_buyers/{channel}": g.customer_id.nunique(),
        }
    return {k: float(v) for k, v in out.items()}


# ------------------------------------------------------------------------------------ shopreport


def shopreport_metrics(
    config: Path, month: str, extra: list[str] | None = None
) -> dict[str, float]:
    """The core set read from `shopreport kpis --format json`."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "shopreport",
            "kpis",
            "--config",
            str(config),
            "--month",
            month,
            "--format",
            "json",
            *(extra or []),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return from_report(json.loads(proc.stdout))


def from_report(report: dict) -> dict[str, float]:
    """The core set out of a kpis JSON report."""
    out: dict[str, float] = {}
    for mid in (
        "gmv",
        "paid_orders",
        "buyers",
        "returning_buyers",
        "refund_amount",
        "refunded_orders",
        "visitors",
        "units",
    ):
        metric = report["metrics"][mid]
        for window, key in (("cur", "value"), ("prev", "previous"), ("ly", "last_year")):
            out[f"{mid}/{window}"] = metric[key]
    for row in report["breakdowns"]["by_category"]:
        out[f"category_gmv/{row['category']}/cur"] = row["gmv"]
        out[f"category_units/{row['category']}/cur"] = row["units"]
        if row["previous_gmv"]:
            out[f"category_gmv/{row['category']}/prev"] = row["previous_gmv"]
            out[f"category_units/{row['category']}/prev"] = row["previous_units"]
    for row in report["breakdowns"]["by_source"]:
        if row["gmv"]:
            out |= {
                f"source_gmv/{row['source']}": row["gmv"],
                f"source_orders/{row['source']}": row["orders"],
                f"source_buyers/{row['source']}": row["buyers"],
            }
    return {k: float(v) for k, v in out.items() if v is not None}


def disagreements(a: dict[str, float], b: dict[str, float], rel: float = 1e-6) -> list[str]:
    """Keys missing on one side or values differing by more than `rel`."""
    out = [f"{k}: only in one" for k in sorted(set(a) ^ set(b))]
    for k in sorted(set(a) & set(b)):
        if abs(a[k] - b[k]) > rel * max(abs(a[k]), abs(b[k]), 1.0):
            out.append(f"{k}: {a[k]!r} != {b[k]!r}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["duckdb", "pandas", "shopreport"])
    parser.add_argument("path", type=Path, help="data folder (duckdb, pandas) or config")
    parser.add_argument("--month", required=True)
    args = parser.parse_args()
    run = {"duckdb": duckdb_metrics, "pandas": pandas_metrics, "shopreport": shopreport_metrics}
    json.dump(
        run[args.engine](args.path, args.month), sys.stdout, ensure_ascii=False, sort_keys=True
    )


if __name__ == "__main__":
    main()
