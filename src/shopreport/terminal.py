"""Terminal output of a KPI report (rich tables)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from shopreport.config import Config
from shopreport.fmt import fmt_gap, fmt_metric, fmt_pct, fmt_pp
from shopreport.metrics import METRICS, KpiReport, MetricValue
from shopreport.vocab.metrics import label

TONES = {"good": "green", "bad": "red", "neutral": "default"}


def _change(metric: MetricValue, relative: float | None, points: float | None, lang: str) -> str:
    """A change coloured by whether it is good: rates in percentage points, others in %."""
    text = fmt_pp(points, lang) if metric.is_rate else fmt_pct(relative, signed=True)
    tone = METRICS[metric.id].tone(points if metric.is_rate else relative)
    return f"[{TONES[tone]}]{text}[/]"


def _status(metric: MetricValue, symbol: str, lang: str) -> str:
    """Attainment of a goal (93.6%), or for a ceiling met / missed with the gap."""
    if metric.met is None:
        return "—"
    if not metric.lower_is_better:
        return f"[{'green' if metric.met else 'red'}]{fmt_pct(metric.attainment)}[/]"
    gap = fmt_gap(metric.gap, METRICS[metric.id].unit, symbol, lang)
    if metric.met:
        return f"[green]{'met' if lang == 'en' else '达标'}[/]"
    return f"[red]{'missed' if lang == 'en' else '未达标'} {gap}[/]"


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
        else ["指标", "本期", "上期", "环比", "去年同期", "同比", "目标", "达成"]
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
            _change(metric, metric.mom, metric.mom_pp, lang),
            show(metric.last_year),
            _change(metric, metric.yoy, metric.yoy_pp, lang),
            show(metric.target),
            _status(metric, symbol, lang),
        )
    console.print(table)
    for reason, ids in unavailable.items():
        console.print(
            f"{'Unavailable' if en else '无法计算'} ({reason}): {', '.join(ids)}", style="dim"
        )
    for note in report.notes:
        console.print(f"* {note.text}", style="dim")
