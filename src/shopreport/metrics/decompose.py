"""Splitting a change of GMV: LMDI factor effects, and contributions of the parts."""

from __future__ import annotations

import math

import polars as pl


def log_mean(a: float, b: float) -> float:
    """The logarithmic mean L(a, b) = (a − b) ÷ (ln a − ln b), with L(a, a) = a."""
    if a == b:
        return a
    return (a - b) / (math.log(a) - math.log(b))


def lmdi(
    before: dict[str, float | None],
    after: dict[str, float | None],
    factors: tuple[str, ...] = ("visitors", "conversion", "aov"),
    total: str = "gmv",
) -> dict | None:
    """LMDI split of Δtotal into one effect per factor; the effects add up to Δtotal.

    Needs every factor positive in both periods (a log of zero has no meaning); returns None
    otherwise. The total is recomputed as the product of the factors, so the effects add up
    exactly to the change of that product, which equals Δtotal by construction.
    """
    values = [(before.get(f), after.get(f)) for f in factors]
    if any(v0 is None or v1 is None or v0 <= 0 or v1 <= 0 for v0, v1 in values):
        return None
    g0, g1 = math.prod(v0 for v0, _ in values), math.prod(v1 for _, v1 in values)
    weight = log_mean(g1, g0)
    effects = {f: weight * math.log(v1 / v0) for f, (v0, v1) in zip(factors, values, strict=False)}
    return {"before": g0, "after": g1, "delta": g1 - g0, "effects": effects}


def contributions(
    current: pl.DataFrame, previous: pl.DataFrame, key: str, value: str = "gmv"
) -> pl.DataFrame:
    """Each part's value now and before, its change and its share of the total change.

    `share` is the part's share of the current total; `contribution` is its Δ divided by the
    total Δ (null when the total did not change). Both add up to 1 over all parts.
    """
    joined = (
        current.select(key, value)
        .join(
            previous.select(key, pl.col(value).alias("previous")),
            on=key,
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(pl.col(value, "previous").fill_null(0.0))
    )
    total, total_before = math.fsum(joined[value]), math.fsum(joined["previous"])
    delta_total = total - total_before
    return joined.with_columns(
        share=pl.col(value) / total if total else pl.lit(None, pl.Float64),
        delta=pl.col(value) - pl.col("previous"),
        growth=pl.when(pl.col("previous") > 0).then(pl.col(value) / pl.col("previous") - 1),
        contribution=(pl.col(value) - pl.col("previous")) / delta_total
        if delta_total
        else pl.lit(None, pl.Float64),
    )
