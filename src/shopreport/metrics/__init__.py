"""Metrics: pure functions over LazyFrames; one metric, one definition (vocab/metrics.py)."""

from shopreport.metrics.engine import compute_kpis
from shopreport.metrics.period import Period, month_period, parse_month, year_period
from shopreport.metrics.report import KpiReport, MetricValue
from shopreport.vocab.metrics import METRICS, Metric

__all__ = [
    "METRICS",
    "KpiReport",
    "Metric",
    "MetricValue",
    "Period",
    "compute_kpis",
    "month_period",
    "parse_month",
    "year_period",
]
