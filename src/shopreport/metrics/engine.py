"""The metric engine: every metric of a period with MoM, YoY, targets, and the breakdowns.

Three stages: one scan of orders and lines for the whole span (`read_base`); every
metric and breakdown query of every period collected together (`pl.collect_all`);
then plain arithmetic on the numbers (derived metrics, changes, LMDI).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from shopreport.metrics import breakdowns as bd
from shopreport.metrics.base import ENGINE, fsum, read_base
from shopreport.metrics.customers import cohorts, rfm_segments
from shopreport.metrics.decompose import lmdi
from shopreport.metrics.measures import MEASURES, Context
from shopreport.metrics.period import (
    Period,
    month_holes,
    month_period,
    shop_today,
    year_period,
)
from shopreport.metrics.report import KpiReport, MetricValue, clean
from shopreport.metrics.schema import BREAKDOWNS, conform_all
from shopreport.metrics.words import recurring_words
from shopreport.notes import Note
from shopreport.sources.dataset import Dataset
from shopreport.vocab.contract import TABLES
from shopreport.vocab.metrics import METRICS, RETURNING, group_ids

WINDOWS = ("cur", "prev", "ly")
BY_BUYER = ("orders",)
"""Measures that group the paid orders by buyer (buyers, returning buyers): on the streaming
engine, with the report's other per-buyer queries (RFM, cohorts, member tiers, new and
returning), where grouping millions of rows by buyer takes half the time (10M order lines,
buyers by their text id: the batch 5.79 -> 4.77 s, medians of 4 alternated runs; by their
hash, each of these queries alone 1.2-2 x faster there)."""


class Batch:
    """Queries collected together so that Polars shares their scans."""

    def __init__(self) -> None:
        self.keys: list[Any] = []
        self.queries: list[pl.LazyFrame] = []
        self.streamed: dict[Any, pl.LazyFrame] = {}

    def add(self, key: Any, query: pl.LazyFrame | None, streaming: bool = False) -> None:
        """Queue a query under `key` (None is skipped). `streaming`: a query run on Polars'
        streaming engine after the batch, with the other such queries: those that group
        millions of rows by buyer, faster and in less memory there (cohorts at 10M order
        lines: 1.9 → 1.35 s)."""
        if query is None:
            return
        if streaming:
            self.streamed[key] = query
        else:
            self.keys.append(key)
            self.queries.append(query)

    def collect(self) -> dict[Any, pl.DataFrame]:
        """Run every queued query: all at once on the engine of `ENGINE`, then the streamed."""
        results = dict(zip(self.keys, pl.collect_all(self.queries, engine=ENGINE), strict=True))
        if self.streamed:
            frames = pl.collect_all(list(self.streamed.values()), engine="streaming")
            results.update(zip(self.streamed, frames, strict=True))
        return results


def report_span(period: Period, ctx_opts) -> tuple[date, date]:
    """`[start, end)` of the days whose orders a report on `period` needs."""
    opts = ctx_opts
    windows = [period, period.previous(), period.last_year()]
    lookback = max(
        opts.returning_lookback_days, opts.rfm_lookback_days, opts.repurchase_window_days or 0
    )
    starts = [min(w.start for w in windows) - timedelta(days=lookback)]
    last_month = month_period(period.last_day.year, period.last_day.month)
    starts += [
        last_month.shift_months(-(opts.cohort_months - 1)).start,
        period.shift_months(-3).start,
    ]
    return min(starts), period.end


READ_MARGIN_DAYS = 35
"""Days read beyond a period's end (a campaign's 30 follow-up days) and before its range (time
zones): rows a database need not send are a margin, rows it must are not."""


def read_span(periods: list[Period], opts) -> tuple[datetime, datetime]:
    """The time range reports on `periods` read, with a margin: what a database sends."""
    lo = min(report_span(p, opts)[0] for p in periods) - timedelta(days=READ_MARGIN_DAYS)
    hi = max(p.end for p in periods) + timedelta(days=READ_MARGIN_DAYS)
    return datetime.combine(lo, datetime.min.time()), datetime.combine(hi, datetime.min.time())


def compute_kpis(
    ds: Dataset, period: Period, today: date | None = None, targets: dict[str, float] | None = None
) -> KpiReport:
    """Every metric of `period` with MoM, YoY and target attainment, plus the breakdowns.

    Targets come from the config by the period's label, unless given (a campaign's).
    """
    config, opts = ds.config, ds.config.metrics
    today = today or shop_today(config.timezone)
    progress = time_progress(period, today)
    windows = {"cur": period, "prev": period.previous(), "ly": period.last_year()}
    covered_until = _covered_until(ds, period, progress, today)
    if progress is not None and covered_until is not None:
        # a period still running whose exports stop before yesterday: its time progress is the
        # data's (a year to date on 23 November over exports to 31 October)
        whole = year_period(period.start.year).days if period.kind == "ytd" else period.days
        progress = ((covered_until - period.start).days + 1) / whole
    if covered_until is not None:
        # the data stops inside the period (an export taken on the 28th): compare like with
        # like, the same first days of the previous period and of last year
        days = (covered_until - period.start).days + 1
        for name in ("prev", "ly"):
            other = windows[name]
            end = min(other.end, other.start + timedelta(days=days))
            # a label of dates says the days compared ("2025-01-01~2025-10-31"), a month's stays
            label = (
                f"{other.start}~{end - timedelta(days=1)}" if "~" in other.label else other.label
            )
            windows[name] = replace(other, end=end, label=label)
    start, end = report_span(period, opts)
    as_of = covered_until + timedelta(days=1) if covered_until else None
    if progress is not None:
        # a period still running: its days that are over, or up to where the data ends
        end_of_data = ds.data_end()
        as_of = min(today, end_of_data + timedelta(days=1)) if end_of_data else today
    cut = tables_until(ds, covered_until)
    ctx = Context(cut, read_base(ds, start, end), opts, covered_until, as_of)

    batch, missing = Batch(), {}
    for wname, window in windows.items():
        for group, measure in MEASURES.items():
            measured = measure(ctx, window)
            for i, query in enumerate(measured.queries):
                batch.add(("m", wname, group, i), query, streaming=group in BY_BUYER)
            missing.update(measured.missing)
    _queue_breakdowns(batch, ctx, windows)
    _queue_coverage(batch, ds)
    results = batch.collect()

    values = {w: _window_values(results, w) for w in WINDOWS}
    notes = _notes(ds, ctx, missing)
    first = ctx.base.first_payment
    uncovered: set[str] = set()
    for wname, window in windows.items():
        if first is not None and window.start < first.date() < window.end:
            notes["*"] = Note("data_starts", {"date": f"{first:%Y-%m-%d}", "period": window.label})
        if wname != "cur" and (first is None or window.start < first.date()):
            # the data does not cover that period (or only part of it): no comparison, not a wrong
            # one
            values[wname] = {}
            uncovered.add(wname)
    for wname in ("prev", "ly"):
        # no paid order in a compared period that visits, spend or service sessions show was
        # open, or in a month between months that sold: its orders export is missing ("no sales
        # last month", "buyers ▲368"); a week may sell nothing
        v = values[wname]
        if not v or v.get("paid_orders"):
            continue
        # a month in a short run without sales between months that sold (August's export left
        # out); not a dormant shop's months (`month_holes`, as `validate` says them)
        sold = set(results["monthly"].filter(pl.col("orders") > 0)["month"])
        hole = windows[wname].kind == "month" and f"{windows[wname].start:%Y-%m}" in month_holes(
            sold | {f"{period.start:%Y-%m}"}
        )
        open_ = any(v.get(k) for k in ACTIVITY)
        if hole or open_:
            values[wname] = {}
            uncovered.add(wname)
            code = "orders_gap" if open_ else "orders_hole"
            notes[f"gap:{wname}"] = Note(code, {"period": windows[wname].label})
    late_tables = _uncovered_tables(ds, results, windows, values, notes)
    for wname in ("prev", "ly"):
        _derived(values[wname])  # without the metrics of tables that do not reach it
    lookback = opts.returning_lookback_days
    if first is not None and (period.start - first.date()).days < lookback:
        history = Note("short_history", {"date": f"{first:%Y-%m-%d}", "days": lookback})
        for mid in RETURNING:
            notes[mid] = history
    elif first is not None:
        short = [
            w for n, w in windows.items() if values[n] and (w.start - first.date()).days < lookback
        ]
        if short:  # a comparison period's returning buyers are understated (last year's, often)
            latest = max(short, key=lambda w: w.start)
            compared = Note(
                "short_history_compared",
                {
                    "date": f"{first:%Y-%m-%d}",
                    "days": lookback,
                    "period": latest.label,
                    "before": max((latest.start - first.date()).days, 0),
                },
            )
            for mid in RETURNING:
                notes[mid] = compared
    reasons = _reasons(missing)
    if covered_until is not None:
        notes["*"] = Note(
            "data_ends", {"date": f"{covered_until:%Y-%m-%d}", "period": period.label}
        )
    targets = config.targets.get(period.label, {}) if targets is None else targets

    def value_of(mid: str, window: str) -> float | None:
        return None if mid in reasons else values[window].get(mid)  # unavailable: no value at all

    metrics = {
        mid: MetricValue(
            mid,
            value_of(mid, "cur"),
            value_of(mid, "prev"),
            value_of(mid, "ly"),
            targets.get(mid),
            progress,
            reasons.get(mid),
            notes[mid].text if mid in notes else None,
        )
        for mid in METRICS
    }
    return KpiReport(
        shop=config.shop,
        currency=config.currency,
        period=period,
        previous=windows["prev"],
        last_year=windows["ly"],
        time_progress=progress,
        metrics=metrics,
        decomposition={
            "mom": lmdi(values["prev"], values["cur"]),
            "yoy": lmdi(values["ly"], values["cur"]),
        },
        breakdowns=conform_all(
            _finish_breakdowns(
                results,
                uncovered,
                opts.top_n,
                late_tables,
                ctx.days_of(period),
                values["cur"].get("gmv"),
            ),
            BREAKDOWNS,
        ),
        coverage=_coverage(results, ds),
        # one of each (a note on three metrics is said once; one per table is said per table)
        notes=list({(n.code, repr(n.params)): n for n in notes.values()}.values()) + ds.warnings,
        covered_until=covered_until,
    )


ACTIVITY = ("visitors", "spend", "service_sessions")
"""Measures of the other tables that show a shop was open in a period (not refunds or reviews:
they follow earlier sales into a month that sold nothing)."""

LATE_TABLE_DAYS = 7
"""A table whose first row comes this many days or fewer after the orders' first day starts
with the data (a first refund on the 3rd); later, its export starts late."""

OWN_TABLE_GROUPS = ("refunds", "traffic", "inventory", "marketing", "service", "reviews")
"""Measured groups that read a table of their own name (traffic: `events` when there are
some), besides the orders, whose coverage is the report's."""


def _uncovered_tables(
    ds: Dataset,
    results: dict,
    windows: dict[str, Period],
    values: dict[str, dict[str, Any]],
    notes: dict[str, Note],
) -> dict[str, set[str]]:
    """Comparison windows a table's data does not reach (it starts after the window starts;
    inventory snapshots: after it ends): the table's metrics there are unknown, not 0 (a
    refunds export of this month only is no "refund rate +9 points" against last month).
    Returns {table: {window, …}} and notes each."""
    late: dict[str, set[str]] = {}
    first_order = _day(results[("coverage", "orders")]["first"][0])
    orders_first = date.fromisoformat(first_order) if first_order else None
    for group in OWN_TABLE_GROUPS:
        table = "events" if group == "traffic" and ds.has("events") else group
        if not ds.has(table) or ("coverage", table) not in results:
            continue
        if set(ds.tables[table].files) & set(ds.tables["orders"].files):
            continue  # read from the orders' export (Shopify's refunds): it covers what they do
        first = _day(results[("coverage", table)]["first"][0])
        if first is None:
            continue
        start = date.fromisoformat(first)
        # a sparse table's first row (a refund on the 3rd) is not where its export starts: it
        # starts late when its first row comes more than a week after the orders' first day
        late_export = orders_first is not None and (start - orders_first).days > LATE_TABLE_DAYS
        for wname in ("prev", "ly"):
            window = windows[wname]
            if group == "inventory":
                reached = window.end > start
            else:
                reached = window.start >= start or (start < window.end and not late_export)
            if reached or not values[wname]:
                continue
            late.setdefault(table, set()).add(wname)
            for mid in group_ids(group):
                values[wname].pop(mid, None)
        if table in late:
            # the latest period it misses: the earlier ones it misses too
            label = max((windows[w] for w in late[table]), key=lambda w: w.start).label
            notes[f"starts:{table}"] = Note(
                "table_starts", {"table": table, "date": first, "period": label}
            )
    return late


CUT_WITH_ORDERS = ("traffic", "events", "refunds", "marketing", "service", "reviews", "dsr")
"""Tables whose rows after the orders' last day are left out when the orders stop inside the
period (inventory is taken as of that day already)."""


def tables_until(ds: Dataset, covered_until: date | None) -> Dataset:
    """The dataset without the rows of `CUT_WITH_ORDERS` after the day the orders stop inside
    the period: traffic, refunds or spend exported to the month's end beside orders to the
    20th made a 20-day GMV over 31 days' visitors (conversion 1.1 % against 1.9 %)."""
    if covered_until is None:
        return ds
    tables = dict(ds.tables)
    for name in CUT_WITH_ORDERS:
        column = TABLES[name].time
        if name in tables and column in ds.columns(name):
            source = tables[name]
            kept = pl.col(column).cast(pl.Date) <= covered_until
            whole = source.whole.filter(kept) if source.whole is not None else None
            tables[name] = replace(source, frame=source.frame.filter(kept), whole=whole)
    return replace(ds, tables=tables)


def _covered_until(ds: Dataset, period: Period, progress: float | None, today: date) -> date | None:
    """The orders' last day when the data stops inside the period (an export taken on the
    28th; for a period still running, before yesterday: a year to date on 23 November over
    exports to 31 October compared 2026 to October with 2025 to 23 November), else None.

    The days after the last order count as "no data" only when they are more than the longest
    run of days without orders inside the period: a shop that sells every day and stops on
    the 28th was exported then; a shop with an order a fortnight did not stop.
    """
    end = ds.data_end()
    last = period.last_day if progress is None else min(period.last_day, today - timedelta(days=1))
    if end is None or not period.start <= end < last:
        return None
    days = (
        ds.frame("orders")
        .filter(pl.col("order_time") >= period.start_dt)
        .select(pl.col("order_time").dt.date().unique().sort().alias("day"))
        .filter(pl.col("day") <= end)  # an order misdated into the future is no quiet run
        .collect(engine=ENGINE)["day"]
    )
    longest_quiet = int((days.diff().dt.total_days() - 1).max() or 0)  # type: ignore[arg-type]
    return end if (last - end).days > longest_quiet else None


def time_progress(period: Period, today: date) -> float | None:
    """Share of a period still running that is over (时间进度); a year to date counts against the
    whole year; None for a period that is over."""
    if period.kind == "ytd":
        return period.days / year_period(period.start.year).days
    if period.start <= today < period.end:
        return period.elapsed_days(today) / period.days
    return None


def _window_values(results: dict, window: str) -> dict[str, float | None]:
    """Measured values of one window, then the derived ones in registry order."""
    values: dict[str, float | None] = {}
    for key, frame in results.items():
        if key[0] == "m" and key[1] == window and frame.height:
            values.update({k: _number(v) for k, v in frame.row(0, named=True).items()})
    return _derived(values)


def _derived(values: dict[str, float | None]) -> dict[str, float | None]:
    """The values with every derived metric (re)computed from them, in registry order."""
    for metric in METRICS.values():
        if metric.formula is not None:
            values[metric.id] = metric.derive(values)
    return values


def _number(value: Any) -> float | None:
    """A collected cell as a float (None stays None)."""
    return None if value is None else clean(float(value))


def _reasons(missing: dict[str, str]) -> dict[str, str]:
    """Why each metric is unavailable; a derived metric inherits the reason of its first
    missing input."""
    reasons = dict(missing)
    for metric in METRICS.values():
        if metric.formula is not None:
            for name in metric.inputs:
                if name in reasons:
                    reasons[metric.id] = reasons[name]
                    break
    return reasons


def _notes(ds: Dataset, ctx: Context, missing: dict[str, str]) -> dict[str, Note]:
    """Footnotes on how a metric was measured, where the data forces a choice."""
    notes: dict[str, Note] = {}
    if not ds.has("events") and ds.has("traffic"):
        for mid in ("visitors", "conversion", "uv_value", "cart_rate"):
            notes[mid] = Note("daily_uv")
    if "stock_value" not in missing and "unit_cost" not in ds.columns("products"):
        for mid in ("stock_value", "turnover_days"):
            notes[mid] = Note("stock_at_price")
    if ctx.opts.repurchase_window_days:
        notes["repurchase_rate"] = Note(
            "repurchase_window", {"days": ctx.opts.repurchase_window_days}
        )
    return notes


def _queue_breakdowns(batch: Batch, ctx: Context, windows: dict[str, Period]) -> None:
    """Queue every breakdown query of the report."""
    cur = windows["cur"]
    batch.add("daily", bd.daily(ctx, cur, windows["prev"], windows["ly"]))
    paid_cols = ctx.base.paid.columns
    keyed = [("by_category", "category", "lines")] if ctx.base.lines is not None else []
    keyed += [(f"by_{k}", k, "orders") for k in ("channel", "province", "city") if k in paid_cols]
    for name, key, source in keyed:
        for wname, query in bd.grouped_gmv(ctx, windows, key, source).items():
            batch.add(("k", name, key, wname), query)
    for wname in ("cur", "prev"):
        batch.add(("visitors_by_source", wname), bd.source_visitors(ctx, windows[wname]))
    batch.add("by_city_tier", bd.by_city_tier(ctx, cur))
    batch.add("new_vs_returning", bd.new_vs_returning(ctx, cur), streaming=True)
    batch.add("funnel", bd.funnel(ctx, cur))
    batch.add("marketing_by_channel", bd.marketing_by_channel(ctx, cur))
    batch.add("coupons", bd.coupon_effect(ctx, cur))
    if ctx.base.lines is not None:
        batch.add("products", bd.lifecycle(ctx, cur))
        batch.add("variants", bd.variants(ctx, cur))
    for name, query in bd.inventory_lists(ctx, cur).items():
        batch.add(name, query)
    batch.add("refunds_by_reason", bd.refunds_by(ctx, cur, ["reason"]))
    batch.add("refunds_by_category", bd.refunds_by(ctx, cur, ["category"]))
    batch.add("previous_refunds_by_category", bd.refunds_by(ctx, windows["prev"], ["category"]))
    batch.add("refund_reasons_by_category", bd.refunds_by(ctx, cur, ["category", "reason"]))
    batch.add("monthly", bd.monthly(ctx))
    batch.add("reviews_by_sku", bd.reviews_by_sku(ctx, cur))
    batch.add("bad_review_texts", bd.bad_review_texts(ctx, cur))
    batch.add("ratings", bd.ratings(ctx, cur))
    batch.add("response_times", bd.response_distribution(ctx, cur))
    batch.add("response_by_handler", bd.response_by_handler(ctx, cur, windows["prev"]))
    if ctx.base.lines is not None:
        batch.add("product_movers", bd.product_movers(ctx, cur, windows["prev"]))
        batch.add("new_products", bd.new_products(ctx, cur))
    batch.add("sku_cover", bd.sku_cover(ctx, cur))
    batch.add("by_member_tier", bd.by_member_tier(ctx, cur), streaming=True)
    batch.add("by_promotion", bd.by_promotion(ctx, cur))
    batch.add("delivery_reviews", bd.delivery_reviews(ctx, cur), streaming=True)
    batch.add("late_by_shipping", bd.late_by_shipping(ctx, cur, windows["prev"]))
    batch.add("late_by_province", bd.late_by_province(ctx, cur))
    if ctx.ds.amounts_known:  # M is each buyer's spend: no segments without it
        batch.add("rfm", rfm_segments(ctx.base, cur, ctx.opts.rfm_lookback_days), streaming=True)
    batch.add(
        "cohorts",
        cohorts(
            ctx.base,
            month_period(cur.last_day.year, cur.last_day.month),
            ctx.opts.cohort_months,
            ctx.covered_until,
        ),
        streaming=True,
    )


UNCOVERED_COLUMNS = {
    "prev": ("previous_", "delta_mom", "mom", "contribution_mom"),
    "ly": ("last_year_", "yoy"),
}


COMPARED = frozenset({"daily", "response_by_handler", "late_by_shipping"})
"""Breakdowns whose previous-period (or last-year) columns are null when the data does not
reach that period, as the keyed ones' are."""
OF_PREVIOUS = frozenset({"product_movers", "previous_refunds_by_category"})
"""Breakdowns that are a comparison with the previous period: no rows when the data does not
reach it (a change against nothing is no change)."""


def _finish_breakdowns(
    results: dict,
    uncovered: set[str],
    top_n: int,
    late: dict[str, set[str]] | None = None,
    days: int = 1,
    gmv: float | None = None,
) -> dict[str, pl.DataFrame]:
    """Assemble the collected breakdown frames (contributions, source conversion). `days`: the
    period's days the data covers (a stockout's pace over the period ranks it); `gmv`: the
    period's GMV, what a category's or a product's share is of (orders without lines are in
    no category: their shares may add up to less than 100 %).

    Comparisons with a period the data does not reach are null, not computed against zero;
    so are those with a period a table's data does not reach (`late`: {table: {window}}).
    """
    out: dict[str, pl.DataFrame] = {}
    late = late or {}
    if "prev" in late.get("traffic", set()) | late.get("events", set()):
        results = {k: v for k, v in results.items() if k != ("visitors_by_source", "prev")}
    grouped: dict[tuple[str, str], dict[str, pl.DataFrame]] = {}
    for key, frame in results.items():
        if isinstance(key, tuple) and key[0] == "k":
            grouped.setdefault((key[1], key[2]), {})[key[3]] = frame
    for (name, key), frames in grouped.items():
        if any(f.height for f in frames.values()) and all(  # a column the export leaves empty
            frame[key].is_null().all() for frame in frames.values()
        ):
            continue
        table = bd.keyed_contributions(frames, key)
        for window in uncovered:
            gone = [c for c in table.columns if c.startswith(UNCOVERED_COLUMNS[window])]
            table = table.with_columns([pl.lit(None, table.schema[c]).alias(c) for c in gone])
        out[name] = table
    if "by_channel" in out:
        out["by_source"] = _with_conversion(out.pop("by_channel"), results)
    elif (
        results.get(("visitors_by_source", "cur")) is not None
    ):  # traffic by source, orders without it
        visitors = results[("visitors_by_source", "cur")].rename({"channel": "source"})
        before = results.get(("visitors_by_source", "prev"))
        if before is not None:
            visitors = visitors.join(
                before.rename({"channel": "source", "visitors": "previous_visitors"}),
                on="source",
                how="left",
            )
        out["by_source"] = visitors.sort(["visitors", "source"], descending=[True, False])
    for key, frame in results.items():
        if isinstance(key, str) and key != "coverage":
            out[key] = frame
    if "by_city" in out:
        out["by_city"] = out["by_city"].head(top_n)
    elif "by_city_tier" in out:  # every tier would be 其他
        del out["by_city_tier"]
    for name in COMPARED & out.keys():
        for window in uncovered:
            table = out[name]
            gone = [c for c in table.columns if c.startswith(UNCOVERED_COLUMNS[window])]
            out[name] = table.with_columns([pl.lit(None, table.schema[c]).alias(c) for c in gone])
    if "prev" in uncovered:
        for name in OF_PREVIOUS & out.keys():
            out[name] = out[name].clear()
    if "prev" in late.get("refunds", set()) and "previous_refunds_by_category" in out:
        out["previous_refunds_by_category"] = out["previous_refunds_by_category"].clear()
    if "prev" in late.get("service", set()) and "response_by_handler" in out:
        table = out["response_by_handler"]
        gone = [c for c in table.columns if c.startswith("previous_")]
        out["response_by_handler"] = table.with_columns(
            [pl.lit(None, table.schema[c]).alias(c) for c in gone]
        )
    for name in ("by_category", "products"):
        if name in out and gmv:
            out[name] = out[name].with_columns(share=pl.col("gmv") / gmv)
    if "products" in out:
        ranked = out["products"].with_row_index("rank", offset=1)
        out["lifecycle"] = (
            ranked.group_by("stage").agg(skus=pl.len(), gmv=fsum("gmv")).sort("stage")
        )
        if "stockouts" in out:
            # and where it would rank had it sold every day at its pace before it ran out
            stock = out["stockouts"].join(ranked.select("sku", "rank"), on="sku", how="left")
            paced = (
                stock.select("sku", "daily_gmv")
                .join(ranked.select(other_sku="sku", other="gmv"), how="cross")
                .filter(pl.col("other_sku") != pl.col("sku"))
                .group_by("sku")
                .agg(pace_rank=(pl.col("other") > pl.col("daily_gmv") * days).sum() + 1)
            )
            out["stockouts"] = stock.join(paced, on="sku", how="left").with_columns(
                pl.col("pace_rank").fill_null(1)  # the only product sold
            )
        out["products"] = ranked.head(top_n)
        if "variants" in out:
            # the top products' variants, most sold first (three per product)
            out["variants"] = (
                out["variants"]
                .join(out["products"].select("rank", "sku", "name"), on="sku", how="inner")
                .sort(["rank", "units", "variant"], descending=[False, True, False])
                .group_by("rank", maintain_order=True)
                .head(3)
                .select("rank", "sku", "name", "variant", "units", "gmv", "share")
            )
    if "bad_review_texts" in out:
        out["bad_review_words"] = recurring_words(out.pop("bad_review_texts")["text"])
    return dict(sorted(out.items()))


def _with_conversion(by_channel: pl.DataFrame, results: dict) -> pl.DataFrame:
    """Add visitors and conversion (buyers ÷ visitors) by source, now and before."""
    frame = by_channel.rename({"channel": "source"})
    cur, prev = (
        results.get(("visitors_by_source", "cur")),
        results.get(("visitors_by_source", "prev")),
    )
    if cur is None:
        return frame
    frame = frame.join(cur.rename({"channel": "source"}), on="source", how="full", coalesce=True)
    frame = frame.with_columns(pl.col("gmv", "orders", "buyers", "share").fill_null(0))
    frame = frame.with_columns(
        conversion=pl.when(pl.col("visitors") > 0).then(pl.col("buyers") / pl.col("visitors"))
    )
    if prev is not None:
        frame = frame.join(
            prev.rename({"channel": "source", "visitors": "previous_visitors"}),
            on="source",
            how="left",
        )
    return frame.sort(["gmv", "source"], descending=[True, False], nulls_last=True)


def _queue_coverage(batch: Batch, ds: Dataset) -> None:
    """Queue rows and date range of every configured table."""
    for name in ds.tables:
        column = TABLES[name].time
        cols = ds.columns(name)
        database = ds.tables[name].database
        rows = pl.len() if database is None or database.rows is None else pl.lit(database.rows)
        exprs = [rows.cast(pl.UInt32).alias("rows")]
        if column and column in cols:
            exprs += [pl.col(column).min().alias("first"), pl.col(column).max().alias("last")]
        batch.add(("coverage", name), ds.history(name).select(exprs))


def _coverage(results: dict, ds: Dataset) -> list[dict[str, Any]]:
    """One record per table: files, rows, first and last date."""
    out = []
    for name, source in ds.tables.items():
        row = results[("coverage", name)].row(0, named=True)
        first, last = row.get("first"), row.get("last")
        out.append(
            {
                "table": name,
                "files": [source.database.where]
                if source.database
                else [str(p) for p in source.files],
                "rows": row["rows"],
                "first": _day(first),
                "last": _day(last),
            }
        )
    return out


def _day(value: Any) -> str | None:
    """A date or datetime as an ISO date string."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def metric_series(ds: Dataset, periods: list[Period]) -> list[dict[str, float | None]]:
    """Every metric's value in each of `periods` (a trend of months), by the same queries as a
    report's — one scan, no breakdowns, no comparisons. An unavailable metric is None."""
    opts = ds.config.metrics
    lookback = max(
        opts.returning_lookback_days, opts.rfm_lookback_days, opts.repurchase_window_days or 0
    )
    start = min(p.start for p in periods) - timedelta(days=lookback)
    ctx = Context(ds, read_base(ds, start, max(p.end for p in periods)), opts)
    batch, missing = Batch(), {}
    for i, period in enumerate(periods):
        for group, measure in MEASURES.items():
            measured = measure(ctx, period)
            for j, query in enumerate(measured.queries):
                batch.add(("m", i, group, j), query)
            missing.update(measured.missing)
    results = batch.collect()
    reasons = _reasons(missing)
    return [
        {
            mid: None if mid in reasons else value
            for mid, value in _window_values(results, i).items()
        }
        for i in range(len(periods))
    ]
