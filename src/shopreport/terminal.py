"""Terminal output of a KPI report (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from shopreport.config import Config
from shopreport.fmt import fmt_metric, fmt_pct
from shopreport.metrics import METRICS, KpiReport
from shopreport.vocab.metrics import label


def print_kpis(report: KpiReport, config: Config, console: Console | None = None) -> None:
    """Print every metric as one table row: value, previous, MoM, last year, YoY, target,
    attainment."""
    if console is None:
        console = Console()
        if not console.is_terminal:
            console = Console(width=130)
    lang, symbol = config.language, config.symbol
    en = lang == "en"
    table = Table(title=f"{report.shop} · {report.period.label}", title_justify="left")
    for header in (
        ["Metric", "Value", "Previous", "MoM", "Last year", "YoY", "Target", "Attainment"]
        if en
        else ["指标", "本期", "上期", "环比", "去年同期", "同比", "目标", "达成率"]
    ):
        table.add_column(header, justify="left" if header in ("Metric", "指标") else "right")
    unavailable: dict[str, list[str]] = {}
    for mid, metric in report.metrics.items():
        if metric.unavailable:
            unavailable.setdefault(metric.unavailable, []).append(mid)
            continue
        unit = METRICS[mid].unit
        show = lambda v, unit=unit: fmt_metric(v, unit, symbol, lang)  # noqa: E731
        table.add_row(
            f"{label(mid, lang)} [dim]{mid}[/dim]",
            show(metric.value),
            show(metric.previous),
            fmt_pct(metric.mom, signed=True),
            show(metric.last_year),
            fmt_pct(metric.yoy, signed=True),
            show(metric.target),
            fmt_pct(metric.attainment),
        )
    console.print(table)
    for reason, ids in unavailable.items():
        console.print(
            f"{'Unavailable' if en else '无法计算'} ({reason}): {', '.join(ids)}", style="dim"
        )
    for note in report.notes:
        console.print(f"* {note.text}", style="dim")
