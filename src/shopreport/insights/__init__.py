"""Insights: comparisons and diagnosis over a KPI report; findings are still data."""
