"""Charts drawn with matplotlib at the size they are shown (200 dpi), in the theme's colours.

Each `chart_*` takes the data it draws, a `Style` and the size in inches, and returns PNG
bytes. Chinese labels use the registered CJK face (see fonts.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from shopreport.fmt import fmt_count, fmt_money, fmt_pct
from shopreport.render.fonts import setup_matplotlib
from shopreport.render.theme import Theme

DPI = 200


@dataclass(frozen=True)
class Style:
    """What every chart needs: theme, language, currency symbol and translated labels."""

    theme: Theme
    language: str
    symbol: str
    words: dict[str, str]

    def c(self, name: str) -> str:
        """A theme colour as '#RRGGBB'."""
        return "#" + self.theme.color(name)

    def size(self, name: str) -> float:
        """A theme font size, points."""
        return self.theme.sizes[name]

    def series(self, i: int) -> str:
        """The i-th series colour."""
        return "#" + self.theme.series[i % len(self.theme.series)]

    def change(self, value: float) -> str:
        """Colour of a positive/negative change."""
        return "#" + self.theme.tone("good" if value >= 0 else "bad")

    def money(self, value: float) -> str:
        """Money label in the deck's style."""
        return fmt_money(value, self.symbol, self.language)

    def count(self, value: float) -> str:
        """Count label in the deck's style."""
        return fmt_count(value, self.language)


def _figure(style: Style, width: float, height: float):
    """A figure and axes with the deck's chart style."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    _style_axes(ax, style)
    return fig, ax


def _style_axes(ax, style: Style) -> None:
    """Light axes: no top/right spines, a faint horizontal grid, small ticks."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(style.c("axis"))
    ax.spines["bottom"].set_color(style.c("axis"))
    ax.tick_params(labelsize=style.size("chart_tick"), colors=style.c("tick"), length=2)
    ax.grid(axis="y", color=style.c("grid"), linewidth=0.6)
    ax.set_axisbelow(True)


def _png(fig) -> bytes:
    """The figure as PNG bytes (and the figure closed)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.tight_layout(pad=0.4)
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    return buffer.getvalue()


def _money_axis(ax, style: Style, axis: str = "y") -> None:
    """Tick labels as money in 万/亿 (K/M), with the currency ("9.0M" said no currency)."""
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda v, _: fmt_money(v, style.symbol, style.language) if v else "0")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def _pct_axis(ax, axis: str = "y") -> None:
    """Tick labels as percentages."""
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda v, _: f"{v * 100:.0f}%")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(formatter)


def labels_that_fit(ticks: list, width: float, size: float, most: int = 8) -> int:
    """How many of a day axis's labels fit side by side across `width` inches at `size` points,
    by the longest line (at most `most`): "Warm-up 1" ran into "Warm-up 5"."""
    longest = max((len(line) for t in ticks for line in str(t).split("\n")), default=1)
    char = size * 0.62 / 72  # inches a character of the chart's font takes, about
    return max(2, min(most, int(width * 0.8 / (longest * char + 0.12))))


def chart_daily_trend(data: dict, style: Style, width: float, height: float) -> bytes:
    """Daily GMV of the month, beside the previous month and last year (by day of month)."""
    fig, ax = _figure(style, width, height)
    days = np.arange(1, len(data["gmv"]) + 1)
    names = data.get("labels", {})
    lines = [
        ("gmv", names.get("this", style.words["this_period"]), style.c("primary"), 2.0),
        (
            "previous_gmv",
            names.get("previous", style.words["previous_period"]),
            style.c("accent"),
            1.3,
        ),
        (
            "last_year_gmv",
            names.get("last_year", style.words["last_year"]),
            style.c("comparison"),
            1.3,
        ),
    ]
    unit = data.get("unit", "money")
    for key, label, color, lw in lines:
        values = np.array([np.nan if v is None else v for v in data[key]], dtype=float)
        if np.isfinite(values).any():
            ax.plot(
                days[: len(values)],
                values,
                label=label,
                color=color,
                linewidth=lw,
                linestyle="-" if key == "gmv" else "--",
            )
    values = np.array([np.nan if v is None else v for v in data["gmv"]], dtype=float)
    if np.isfinite(values).any():
        peak = int(np.nanargmax(values))
        ax.annotate(
            _formatter(unit, style)(values[peak]),
            (peak + 1, values[peak]),
            textcoords="offset points",
            xytext=(0, 5),
            ha="center",
            fontsize=style.size("chart_value"),
            color=style.c("primary"),
        )
    ax.set_xlim(0.5, len(days) + 0.5)
    ticks = data.get("x_ticks")
    most = labels_that_fit(ticks, width, style.size("chart_value")) if ticks else 16
    step = max(1, int(np.ceil(len(days) / most)))
    if data.get("x_tick_at"):  # (index, label): ticks at given days, e.g. each month's first
        ax.set_xticks(
            [days[i] for i, _ in data["x_tick_at"]],
            [label for _, label in data["x_tick_at"]],
            fontsize=style.size("chart_value"),
        )
    elif ticks:
        ax.set_xticks(days[::step], ticks[::step], fontsize=style.size("chart_value"))
    else:
        ax.set_xticks(days[::step])
    ax.set_xlabel(
        data.get("x_label", style.words["day_of_month"]),
        fontsize=style.size("chart_axis_title"),
        color=style.c("axis_title"),
    )
    if unit == "money":
        _money_axis(ax, style)
    ax.legend(fontsize=style.size("chart_legend"), frameon=False, loc="upper left", ncol=3)
    return _png(fig)


def chart_bridge(data: dict, style: Style, width: float, height: float) -> bytes:
    """GMV bridge: previous GMV, traffic / conversion / AOV effects, this GMV."""
    fig, ax = _figure(style, width, height)
    labels = [
        data.get("before_label", style.words["previous_gmv"]),
        style.words["traffic_effect"],
        style.words["conversion_effect"],
        style.words["aov_effect"],
        data.get("after_label", style.words["this_gmv"]),
    ]
    effects = [data["effects"]["visitors"], data["effects"]["conversion"], data["effects"]["aov"]]
    starts, heights, colors = [0.0], [data["before"]], [style.c("secondary")]
    level = data["before"]
    for value in effects:
        starts.append(level if value >= 0 else level + value)
        heights.append(abs(value))
        colors.append(style.change(value))
        level += value
    starts.append(0.0)
    heights.append(data["after"])
    colors.append(style.c("primary"))
    x = np.arange(len(labels))
    ax.bar(x, heights, bottom=starts, color=colors, width=0.6)
    for i, (start, h) in enumerate(zip(starts, heights, strict=False)):
        value = [data["before"], *effects, data["after"]][i]
        text = (
            style.money(value)
            if i in (0, len(labels) - 1)
            else ("+" if value >= 0 else "-") + style.money(abs(value))
        )
        ax.text(
            i,
            start + h,
            text,
            ha="center",
            va="bottom",
            fontsize=style.size("chart_axis_title"),
            color=style.c("text"),
        )
    for i in range(len(labels) - 1):
        level = starts[i] + heights[i] if i == 0 or effects[i - 1] >= 0 else starts[i]
        ax.plot([i + 0.3, i + 0.7], [level, level], color=style.c("axis"), linewidth=0.8)
    ax.set_xticks(x, labels, fontsize=style.size("chart_tick"))
    top = max(s + h for s, h in zip(starts, heights, strict=True))
    ax.set_ylim(0.0, top * 1.08)  # from zero: last month's bar is not drawn a third of this month's
    _money_axis(ax, style)
    return _png(fig)


def chart_hbar(data: dict, style: Style, width: float, height: float) -> bytes:
    """Ranked horizontal bars (largest on top) with value labels; optional second value."""
    fig, ax = _figure(style, width, height)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", color=style.c("grid"), linewidth=0.6)
    labels, values = data["labels"][::-1], data["values"][::-1]
    y = np.arange(len(labels))
    color = style.c(data.get("color", "primary"))
    ax.barh(y, values, color=color, height=0.62)
    fmt = _formatter(data.get("unit", "money"), style)
    top = max(values) if values else 1
    notes = data.get("notes", [None] * len(labels))[::-1]
    for i, value in enumerate(values):
        text = fmt(value) + (f"  {notes[i]}" if notes[i] else "")
        ax.text(
            value + top * 0.01,
            i,
            text,
            va="center",
            fontsize=style.size("chart_value"),
            color=style.c("tick"),
        )
    ax.set_yticks(y, labels, fontsize=style.size("chart_tick"))
    if data.get("notes_label"):  # what the value after each bar's own is (库存金额)
        size, color = style.size("chart_value"), style.c("tick")
        ax.set_title(data["notes_label"], loc="right", fontsize=size, color=color)
    ax.set_xlim(0, top * 1.32)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    if data.get("reference") is not None:
        ax.axvline(data["reference"], color=style.c("accent"), linewidth=1, linestyle="--")
        ax.text(
            data["reference"],
            len(labels) - 0.4,
            data.get("reference_label", ""),
            fontsize=style.size("chart_value"),
            color=style.c("accent"),
            ha="left",
        )
    return _png(fig)


def chart_share_and_rate(data: dict, style: Style, width: float, height: float) -> bytes:
    """Bars of each item's share (left axis) and dots of its rate (right axis)."""
    fig, ax = _figure(style, width, height)
    x = np.arange(len(data["labels"]))
    ax.bar(x, data["shares"], color=style.c("secondary"), width=0.55, label=data["share_label"])
    for i, share in enumerate(data["shares"]):
        ax.text(
            i,
            share,
            fmt_pct(share),
            ha="center",
            va="bottom",
            fontsize=style.size("chart_value"),
            color=style.c("tick"),
        )
    from matplotlib.ticker import FuncFormatter

    ax.set_xticks(x, data["labels"], fontsize=style.size("chart_tick"))
    # bars in the lower half, the rate line in the upper half: their labels never meet; each
    # axis labels only its own half
    most = max(data["shares"] + [0.01])
    ax.set_ylim(0, most * 2.1)
    ax.yaxis.set_major_formatter(
        FuncFormatter(lambda v, _: f"{v * 100:.0f}%" if v <= most * 1.2 else "")
    )
    right = ax.twinx()
    rates = np.array([np.nan if r is None else r for r in data["rates"]], dtype=float)
    right.plot(
        x, rates, color=style.c("accent"), marker="o", linewidth=1.4, label=data["rate_label"]
    )
    for i, rate in enumerate(rates):
        if np.isfinite(rate):
            right.annotate(
                fmt_pct(rate),
                (i, rate),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=style.size("chart_value"),
                color=style.c("accent"),
            )
    if np.isfinite(rates).any():
        top = float(np.nanmax(rates)) or 0.01
        right.set_ylim(-top * 1.15, top * 1.3)
    right.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v * 100:.0f}%" if v >= 0 else ""))
    right.tick_params(labelsize=style.size("chart_tick"), colors=style.c("tick"), length=2)
    for side in ("top",):
        right.spines[side].set_visible(False)
    handles = ax.get_legend_handles_labels()[0] + right.get_legend_handles_labels()[0]
    names = ax.get_legend_handles_labels()[1] + right.get_legend_handles_labels()[1]
    ax.legend(
        handles,
        names,
        fontsize=style.size("chart_legend"),
        frameon=False,
        loc="upper right",
        ncol=2,
    )
    return _png(fig)


def chart_funnel(data: dict, style: Style, width: float, height: float) -> bytes:
    """Funnel: one centred bar per step, with counts and step conversion."""
    fig, ax = _figure(style, width, height)
    ax.axis("off")
    counts = [c or 0 for c in data["counts"]]
    top = max(counts) or 1
    n = len(counts)
    for i, (label, count) in enumerate(zip(data["labels"], counts, strict=False)):
        # bars shrink with the step but stay readable: sqrt scale, at least 18% wide
        share = max(0.18, (count / top) ** 0.5)
        y = n - 1 - i
        ax.barh(y, share, left=(1 - share) / 2, color=style.series(i), height=0.7)
        ax.text(
            0.5,
            y,
            f"{label}  {style.count(count)}",
            ha="center",
            va="center",
            fontsize=style.size("chart_funnel"),
            color=style.c("white"),
            fontweight="bold",
        )
        if i:
            rate = count / counts[i - 1] if counts[i - 1] else None
            ax.text(
                1.0,
                y + 0.5,
                f"{data.get('step_word', '→')} {fmt_pct(rate)}",
                ha="right",
                va="center",
                fontsize=style.size("chart_axis_title"),
                color=style.c("axis_title"),
            )
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.6, n - 0.4)
    return _png(fig)


def chart_bars(data: dict, style: Style, width: float, height: float) -> bytes:
    """Vertical bars of one or more series over categories (grouped), with value labels."""
    fig, ax = _figure(style, width, height)
    labels, series = data["labels"], data["series"]
    x = np.arange(len(labels))
    w = 0.78 / max(1, len(series))
    fmt = _formatter(data.get("unit", "count"), style)
    for i, (name, values) in enumerate(series.items()):
        pos = x - 0.39 + w * (i + 0.5)
        values = [np.nan if v is None else v for v in values]
        bars = ax.bar(pos, values, width=w * 0.92, color=style.series(i), label=name)
        for bar, value in zip(bars, values, strict=False):
            if data.get("labels_on", True) and np.isfinite(value):
                ax.text(
                    bar.get_x() + bar.get_width() / 2,
                    value,
                    fmt(value),
                    ha="center",
                    va="bottom",
                    fontsize=style.size("chart_value"),
                    color=style.c("tick"),
                )
    ax.set_xticks(x, labels, fontsize=style.size("chart_tick"), rotation=data.get("rotation", 0))
    if data.get("unit") == "ratio":
        _pct_axis(ax)
    elif data.get("unit") == "money":
        _money_axis(ax, style)
    top = max((v for s in series.values() for v in s if v is not None), default=1) or 1
    ax.set_ylim(0, top * 1.18)
    if data.get("reference") is not None:
        ax.axhline(
            data["reference"],
            color=style.c("accent"),
            linewidth=1,
            linestyle="--",
            label=data.get("reference_label"),
        )
    if len(series) > 1 or data.get("reference") is not None:
        ax.legend(
            fontsize=style.size("chart_legend"),
            frameon=False,
            loc="upper right",
            ncol=len(series) + 1,
        )
    return _png(fig)


def chart_stacked(data: dict, style: Style, width: float, height: float) -> bytes:
    """Vertical stacked bars: categories × parts (e.g. response band × bot/human)."""
    fig, ax = _figure(style, width, height)
    labels, parts = data["labels"], data["parts"]
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for i, (name, values) in enumerate(parts.items()):
        ax.bar(x, values, bottom=bottom, width=0.6, color=style.series(i), label=name)
        bottom += np.array(values, dtype=float)
    for i, total in enumerate(bottom):
        ax.text(
            i,
            total,
            style.count(total),
            ha="center",
            va="bottom",
            fontsize=style.size("chart_value"),
            color=style.c("tick"),
        )
    ax.set_xticks(x, labels, fontsize=style.size("chart_tick"))
    ax.set_ylim(0, max(bottom.max(), 1) * 1.18)
    ax.legend(fontsize=style.size("chart_legend"), frameon=False, loc="upper right")
    return _png(fig)


def chart_donut(data: dict, style: Style, width: float, height: float) -> bytes:
    """A donut of shares with labels outside."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height), dpi=DPI)
    values = [max(v, 0) for v in data["values"]]
    colors = [style.series(i) for i in range(len(values))]
    wedges, _ = ax.pie(
        values,
        colors=colors,
        startangle=90,
        counterclock=False,
        wedgeprops={"width": 0.38, "edgecolor": style.c("white")},
    )
    total = sum(values) or 1
    ax.legend(
        wedges,
        [
            f"{label} {v / total * 100:.1f}%"
            for label, v in zip(data["labels"], values, strict=True)
        ],
        fontsize=style.size("chart_legend"),
        frameon=False,
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
    )
    if data.get("center"):
        ax.text(
            0,
            0,
            data["center"],
            ha="center",
            va="center",
            fontsize=style.size("chart_value"),
            color=style.c("tick"),
        )
    ax.set_aspect("equal")
    return _png(fig)


def chart_heatmap(data: dict, style: Style, width: float, height: float) -> bytes:
    """Cohort retention: cohorts × months since first purchase, share retained."""
    from matplotlib.colors import LinearSegmentedColormap

    fig, ax = _figure(style, width, height)
    ax.grid(False)
    matrix = np.array(
        [[np.nan if v is None else v for v in row] for row in data["matrix"]], dtype=float
    )
    shown = np.where(np.arange(matrix.shape[1])[None, :] == 0, np.nan, matrix)  # k = 0 is 100%
    cmap = LinearSegmentedColormap.from_list("retention", [style.c("white"), style.c("primary")])
    vmax = np.nanmax(shown) if np.isfinite(shown).any() else 1
    ax.imshow(shown, cmap=cmap, vmin=0, vmax=vmax, aspect="auto")
    for (i, j), value in np.ndenumerate(matrix):
        if np.isfinite(value) and j > 0:
            ax.text(
                j,
                i,
                f"{value * 100:.1f}",
                ha="center",
                va="center",
                fontsize=style.size("chart_heatmap"),
                color=style.c("white") if value > vmax * 0.6 else style.c("text"),
            )
        elif j == 0 and np.isfinite(value):
            ax.text(
                j,
                i,
                style.count(data["sizes"][i]),
                ha="center",
                va="center",
                fontsize=style.size("chart_heatmap"),
                color=style.c("text"),
            )
    ax.set_yticks(range(len(data["cohorts"])), data["cohorts"], fontsize=style.size("chart_value"))
    ax.set_xticks(
        range(matrix.shape[1]),
        [data["size_label"]] + [f"+{k}" for k in range(1, matrix.shape[1])],
        fontsize=style.size("chart_value"),
    )
    ax.set_xlabel(
        data["x_label"], fontsize=style.size("chart_axis_title"), color=style.c("axis_title")
    )
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def _formatter(unit: str, style: Style) -> Callable[[float], str]:
    """Value label formatter by unit."""
    return {
        "money": style.money,
        "count": style.count,
        "ratio": fmt_pct,
        "days": lambda v: f"{v:.0f}{'d' if style.language == 'en' else '天'}",
        "seconds": lambda v: f"{v:.1f}{'s' if style.language == 'en' else '秒'}",
        "multiple": lambda v: f"{v:.2f}",
        "per_day": lambda v: f"{v:,.1f}",
    }[unit]


CHARTS: dict[str, Callable[[dict, Style, float, float], bytes]] = {
    "daily_trend": chart_daily_trend,
    "bridge": chart_bridge,
    "hbar": chart_hbar,
    "share_and_rate": chart_share_and_rate,
    "funnel": chart_funnel,
    "bars": chart_bars,
    "stacked": chart_stacked,
    "donut": chart_donut,
    "heatmap": chart_heatmap,
}


def render_chart(kind: str, data: dict, style: Style, width: float, height: float) -> bytes:
    """PNG bytes of a chart of `kind` at `width` × `height` inches."""
    setup_matplotlib(style.theme.measure_font)
    return CHARTS[kind](data, style, width, height)
