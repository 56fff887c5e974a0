"""Metrics: pure functions over LazyFrames; one metric, one definition (registry.py)."""

from shopreport.metrics.engine import KpiReport, MetricValue, compute_kpis
from shopreport.metrics.period import Period, month_period, parse_month, year_period
from shopreport.metrics.registry import METRICS, Metric

__all__ = ["METRICS", "KpiReport", "Metric", "MetricValue", "Period", "compute_kpis",
           "month_period", "parse_month", "year_period"]
