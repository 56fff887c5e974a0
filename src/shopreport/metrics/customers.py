"""Customer views: RFM segments and monthly cohort retention."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from shopreport.metrics.base import BUYER, Base, fmean, fsum, in_range
from shopreport.metrics.period import Period

# (R↑, F↑, M↑) → segment id, 中文, English; "↑" is strictly better than the median
# (R↑ = bought more recently than the median customer).
RFM_SEGMENTS = [
    # English as shops say them ("Important to win back" was a calque of 重要挽留)
    ((True, True, True), "important_value", "重要价值客户", "Champions"),
    ((True, False, True), "important_develop", "重要发展客户", "Promising big spenders"),
    ((False, True, True), "important_keep", "重要保持客户", "Loyal big spenders lapsing"),
    ((False, False, True), "important_winback", "重要挽留客户", "Big spenders at risk"),
    ((True, True, False), "general_value", "一般价值客户", "Loyal small spenders"),
    ((True, False, False), "general_develop", "一般发展客户", "Recent small spenders"),
    ((False, True, False), "general_keep", "一般保持客户", "Regulars lapsing"),
    ((False, False, False), "general_winback", "一般挽留客户", "Hibernating"),
]


def rfm_customers(base: Base, end: Period, lookback_days: int) -> pl.LazyFrame:
    """Per customer over the look-back window ending at the period end: R (days), F, M, segment."""
    start = end.end - timedelta(days=lookback_days)
    per_customer = (
        base.paid.lazy()
        .filter(in_range("pay_time", start, end.end))
        .group_by(BUYER)
        .agg(
            recency_days=(pl.lit(end.end) - pl.col("day").max()).dt.total_days(),
            frequency=pl.len(),
            monetary=fsum("paid_amount"),
        )
    )
    r_up = pl.col("recency_days") < pl.col("recency_days").median()
    f_up = pl.col("frequency") > pl.col("frequency").median()
    m_up = pl.col("monetary") > pl.col("monetary").median()
    # a 3-bit code (R F M) looked up once: each median is computed once, not once per segment
    code = r_up.cast(pl.Int8) * 4 + f_up.cast(pl.Int8) * 2 + m_up.cast(pl.Int8)
    names = {4 * r + 2 * f + m: seg_id for (r, f, m), seg_id, _, _ in RFM_SEGMENTS}
    return per_customer.with_columns(segment=code.replace_strict(names, return_dtype=pl.String))


def rfm_segments(base: Base, period: Period, lookback_days: int) -> pl.LazyFrame:
    """The eight RFM segments: customers, share, total and mean R, F, M (segment order)."""
    order = pl.DataFrame(
        {
            "segment": [s[1] for s in RFM_SEGMENTS],
            "segment_zh": [s[2] for s in RFM_SEGMENTS],
            "segment_en": [s[3] for s in RFM_SEGMENTS],
            "rank": list(range(len(RFM_SEGMENTS))),
        }
    ).lazy()
    stats = (
        rfm_customers(base, period, lookback_days)
        .group_by("segment")
        .agg(
            customers=pl.len(),
            monetary=fsum("monetary"),
            avg_recency_days=pl.col("recency_days").mean(),
            avg_frequency=pl.col("frequency").mean(),
            avg_monetary=fmean("monetary"),
        )
    )
    joined = order.join(stats, on="segment", how="left").with_columns(
        pl.col("customers", "monetary").fill_null(0)
    )
    return (
        joined.with_columns(
            share=pl.when(pl.col("customers").sum() > 0).then(
                pl.col("customers") / pl.col("customers").sum()
            ),
            monetary_share=pl.when(fsum("monetary") > 0).then(
                pl.col("monetary") / fsum("monetary")
            ),
        )
        .sort("rank")
        .drop("rank")
    )


def cohorts(base: Base, period: Period, months: int, data_end: date | None = None) -> pl.LazyFrame:
    """Cohorts by month of first paid order; per later month k, the share that paid again.

    Months after the data's last day (`data_end`) have no value, not a zero.
    """
    first_month = period.shift_months(-(months - 1))
    members = (
        base.first_paid.lazy()
        .filter(in_range("first_pay", first_month.start, period.end))
        .select(BUYER, cohort=pl.col("first_pay").dt.truncate("1mo"))
    )
    active = (
        base.paid.lazy()
        .filter(in_range("pay_time", first_month.start, period.end))
        .select(BUYER, month=pl.col("pay_time").dt.truncate("1mo"))
        .unique()
    )
    sizes = members.group_by("cohort").agg(size=pl.len())
    month_index = lambda c: pl.col(c).dt.year() * 12 + pl.col(c).dt.month()  # noqa: E731
    retained = (
        members.join(active, on=BUYER, how="inner")
        .with_columns(k=month_index("month") - month_index("cohort"))
        .filter(pl.col("k") >= 0)
        .group_by("cohort", "k")
        .agg(customers=pl.len())
    )
    last = period.start.year * 12 + period.start.month
    grid = sizes.with_columns(k=pl.int_ranges(0, last - month_index("cohort") + 1)).explode("k")
    return (
        grid.join(retained, on=["cohort", "k"], how="left")
        .with_columns(
            customers=pl.when(
                pl.lit(data_end is None)
                | (month_index("cohort") + pl.col("k") <= _month_number(data_end))
            ).then(pl.col("customers").fill_null(0)),
        )
        .with_columns(
            rate=pl.col("customers") / pl.col("size"), cohort=pl.col("cohort").dt.strftime("%Y-%m")
        )
        .select("cohort", "size", "k", "customers", "rate")
        .sort("cohort", "k")
    )


def _month_number(day: date | None) -> int:
    """year × 12 + month (0 when there is no day)."""
    return day.year * 12 + day.month if day else 0
