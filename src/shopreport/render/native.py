"""Charts PowerPoint draws itself: python-pptx charts with their numbers embedded, so that
right-click → Edit Data opens them in the workbook and a series can be recoloured, an axis or a
label changed, the chart pasted into another deck.

Each `native_*` adds one chart to a slide at x, y, w × h (inches) from the same data the
matplotlib picture is drawn from (charts.py). Number formats (万, %, ¥) are the chart's own
number formats, so the workbook keeps the raw values; text uses the deck font as Latin and East
Asian face. The cohort heatmap is a table with colour fills; the funnel is drawn with shapes.
python-pptx has no combo chart: `_to_secondary_line` moves a series of a bar chart into a line
chart on a second value axis in the plot-area XML.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from typing import Any

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_MARK,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Inches, Pt

from shopreport.render.charts import Style, labels_that_fit

Adder = Callable[[Any, dict, Style, float, float, float, float, str], Any]


# --- number formats -------------------------------------------------------------------------
def number_format(
    unit: str,
    style: Style,
    largest: float,
    symbol: bool = True,
    axis: bool = False,
    smallest: float | None = None,
) -> str:
    """The chart number format of a unit, in the deck's style for values up to `largest`:
    ¥12.3万 / $123.5K, 12.3%, 5天. Excel, PowerPoint and LibreOffice read the 万 format
    (`0\\.0,` shows value / 10⁴ with one decimal). A label chart whose `smallest` value would
    read as 0.0xM is labelled in K below a million (Online Retail's countries beside the UK's
    £1.3M: "£0.03M", "£0.01M")."""
    zh = style.language != "en"
    largest = abs(largest or 0)
    if unit in ("money", "count"):
        s = f'"{style.symbol}"' if unit == "money" and symbol else ""
        if zh:
            # a conditional format shows a negative value without its sign unless a section
            # writes it; and "<" cannot be written (python-pptx puts the code in XML as is)
            yi, wan = f'{s}0\\.00,,"亿"', f'{s}0\\.0,"万"'
            if largest >= 1e8:
                if axis:
                    return f"[>0]{yi};[=0]0;-{yi}"
                return f"[>=99995000]{yi};[>=0]{wan};-{wan}"
            # 万 with one decimal from 10万 (as fmt_money writes it), for every value of a chart
            # that reaches 10万 (¥8.9万 beside ¥221.3万, not ¥89,884); else whole numbers (a
            # format can only divide by powers of 1000: 1.23万 is not expressible)
            if largest < 99995:
                return s + "#,##0"
            return f"[>0]{wan};[=0]0;-{wan}"
        # one unit a chart in English too ($0.20M beside $2.21M, not $199.4K)
        if largest >= 999950:
            unit_format = f'{s}#,##0.0,,"M"' if axis else f'{s}#,##0.00,,"M"'
            if not axis and smallest is not None and abs(smallest) < 99995:
                thousands = f'{s}#,##0.0,"K"'
                return f"[>=999950]{unit_format};[>0]{thousands};0"  # (bars: none below 0)
        elif largest >= 10000:
            unit_format = f'{s}#,##0,"K"' if axis else f'{s}#,##0.0,"K"'
        else:
            return s + "#,##0"
        return f"[>0]{unit_format};[=0]0;-{unit_format}"
    return {
        "ratio": "0.0%",
        "days": '0"d"' if not zh else '0"天"',
        "seconds": '0.0"s"' if not zh else '0.0"秒"',
        "multiple": "0.00",
        "per_day": "#,##0.0",
    }[unit]


# --- shared styling -------------------------------------------------------------------------
def _rgb(style: Style, name: str) -> RGBColor:
    return RGBColor.from_string(style.theme.color(name) if not _is_hex(name) else name)


def _is_hex(name: str) -> bool:
    return len(name) == 6 and all(c in "0123456789ABCDEFabcdef" for c in name)


def _finish(frame, style: Style, alt: str) -> None:
    """Deck font (Latin and East Asian) on every text property of the chart, tick colour, the
    alternative text, no rounded corners."""
    chart = frame.chart
    chart.has_title = False
    chart.font.size = Pt(style.size("chart_tick"))
    chart.font.color.rgb = _rgb(style, "tick")
    space = chart._chartSpace
    font = style.theme.deck_font
    for props in space.iter(qn("a:defRPr"), qn("a:rPr")):
        latin = props.find(qn("a:latin"))
        if latin is None:
            latin = etree.SubElement(props, qn("a:latin"))
            _after_fill(props, latin)
        latin.set("typeface", font)
        ea = props.find(qn("a:ea"))
        if ea is None:
            ea = etree.Element(qn("a:ea"))
            latin.addnext(ea)
        ea.set("typeface", font)
    rounded = space.find(qn("c:roundedCorners"))
    if rounded is None:
        rounded = etree.Element(qn("c:roundedCorners"))
        space.insert(0, rounded) if space.find(qn("c:date1904")) is None else space.find(
            qn("c:date1904")
        ).addnext(rounded)
    rounded.set("val", "0")
    frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)


def _after_fill(props, latin) -> None:
    """Move `latin` behind the fill and line children of a run's properties (schema order)."""
    props.remove(latin)
    anchor = None
    for tag in ("a:ln", "a:noFill", "a:solidFill", "a:gradFill", "a:effectLst", "a:highlight"):
        node = props.find(qn(tag))
        if node is not None:
            anchor = node
    if anchor is None:
        props.insert(0, latin)
    else:
        anchor.addnext(latin)


def _axes(chart, style: Style, value_format: str | None, grid: bool = True) -> None:
    """Light axes: value axis without a line, faint grid; category axis in the axis colour."""
    value = chart.value_axis
    value.has_major_gridlines = grid
    if grid:
        value.major_gridlines.format.line.color.rgb = _rgb(style, "grid")
        value.major_gridlines.format.line.width = Pt(0.6)
    value.format.line.fill.background()
    value.tick_labels.font.size = Pt(style.size("chart_tick"))
    if value_format:
        value.tick_labels.number_format = value_format
        value.tick_labels.number_format_is_linked = False
    category = chart.category_axis
    category.format.line.color.rgb = _rgb(style, "axis")
    category.tick_labels.font.size = Pt(style.size("chart_tick"))
    category.has_major_gridlines = False
    for axis in (value, category):
        axis.major_tick_mark = XL_TICK_MARK.NONE


def _legend(chart, style: Style, position=XL_LEGEND_POSITION.TOP) -> None:
    chart.has_legend = True
    chart.legend.position = position
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(style.size("chart_legend"))


def _labels(target, style: Style, fmt: str, position=XL_LABEL_POSITION.OUTSIDE_END) -> None:
    """Value labels on a plot or a series, in `fmt`."""
    if hasattr(target, "has_data_labels"):
        target.has_data_labels = True
    labels = target.data_labels
    labels.number_format = fmt
    labels.number_format_is_linked = False
    labels.show_value = True
    labels.font.size = Pt(style.size("chart_value"))
    labels.font.color.rgb = _rgb(style, "tick")
    if position is not None:
        labels.position = position


def _fill(shape_format, style: Style, color: str) -> None:
    shape_format.fill.solid()
    shape_format.fill.fore_color.rgb = _rgb(style, color)


class ChartData(CategoryChartData):
    """Chart data whose values keep 12 significant digits: the same numbers summed in another
    order (rows from a database) write the same chart, and its sheet shows 2475.53, not
    2475.5299999999997."""

    def add_series(self, name, values=(), number_format=None):
        """Add a series with its values rounded to 12 significant digits."""
        return super().add_series(name, [_kept(v) for v in values], number_format)


def _kept(value):
    """`value` to 12 significant digits (None stays None)."""
    return None if value is None else float(f"{value:.12g}")


def _chart(slide, kind, data: ChartData, x, y, w, h):
    return slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h), data)


def _values(values) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _largest(*series) -> float:
    return max((abs(v) for s in series for v in s if v is not None), default=0.0)


def _custom_label(point, text: str, style: Style, color: str = "tick", bold: bool = False):
    """A data label with its own text (a note beside the value, a signed effect)."""
    label = point.data_label
    frame = label.text_frame
    frame.text = text
    run = frame.paragraphs[0].runs[0]
    run.font.size = Pt(style.size("chart_value"))
    run.font.bold = bold
    run.font.color.rgb = _rgb(style, color)
    return label


# --- the charts -----------------------------------------------------------------------------
def native_daily_trend(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Lines of the period (solid) beside the previous period and last year (dashed)."""
    n = len(data["gmv"])
    names = data.get("labels", {})
    unit = data.get("unit", "money")
    chart_data = ChartData(number_format=number_format(unit, style, 0))
    if data.get("x_tick_at"):
        at = dict(data["x_tick_at"])
        chart_data.categories = [at.get(i, "") for i in range(n)]
    elif data.get("x_ticks"):
        # every k-th tick written, the others blank: LibreOffice draws every label whatever
        # c:tickLblSkip says, and 25 two-line labels wrap to one character a line
        ticks = list(data["x_ticks"])[:n]
        every = max(1, -(-n // labels_that_fit(ticks, w, style.size("chart_tick"))))
        chart_data.categories = [t if i % every == 0 else "" for i, t in enumerate(ticks)]
    else:
        chart_data.categories = [str(d) for d in range(1, n + 1)]
    lines = [
        ("gmv", names.get("this", style.words["this_period"]), "primary", 2.0),
        ("previous_gmv", names.get("previous", style.words["previous_period"]), "accent", 1.3),
        ("last_year_gmv", names.get("last_year", style.words["last_year"]), "comparison", 1.3),
    ]
    drawn = [
        (key, label, color, width)
        for key, label, color, width in lines
        if any(v is not None for v in data.get(key) or [])
    ]
    for key, label, _, _ in drawn:
        values = _values(data[key])[:n]
        chart_data.add_series(label, values + [None] * (n - len(values)))
    frame = _chart(slide, XL_CHART_TYPE.LINE, chart_data, x, y, w, h)
    chart = frame.chart
    largest = _largest(*(data[k] for k, *_ in drawn))
    fmt = number_format(unit, style, largest, axis=True)
    _axes(chart, style, fmt)
    for series, (key, _, color, width) in zip(chart.series, drawn, strict=True):
        series.smooth = False
        series.marker.style = XL_MARKER_STYLE.NONE
        series.format.line.color.rgb = _rgb(style, color)
        series.format.line.width = Pt(width)
        if key != "gmv":
            series.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    if drawn and drawn[0][0] == "gmv":  # the peak of the period, labelled
        values = data["gmv"]
        peak = max(
            (i for i, v in enumerate(values) if v is not None),
            key=lambda i: values[i],
            default=None,
        )
        if peak is not None:
            text = _plain(values[peak], unit, style)
            point = chart.series[0].points[peak]
            _custom_label(point, text, style, "primary").position = XL_LABEL_POSITION.ABOVE
    category = chart.category_axis
    if data.get("x_tick_at") or data.get("x_ticks"):
        _skip(category, 1)
    else:
        _skip(category, max(1, -(-n // 16)))
    _legend(chart, style)
    _finish(frame, style, alt)
    return frame


def _skip(category_axis, every: int) -> None:
    """Label every n-th category (c:tickLblSkip) and keep labels on one line."""
    ax = category_axis._element
    for tag in ("c:tickLblSkip", "c:tickMarkSkip"):
        node = ax.find(qn(tag))
        if node is None:
            node = etree.SubElement(ax, qn(tag))
            no_multi = ax.find(qn("c:noMultiLvlLbl"))
            if no_multi is not None:
                no_multi.addprevious(node)
        node.set("val", str(every))


def native_bridge(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """The GMV bridge as a waterfall: stacked columns on an invisible base."""
    words = style.words
    labels = [
        data.get("before_label", words["previous_gmv"]),
        words["traffic_effect"],
        words["conversion_effect"],
        words["aov_effect"],
        data.get("after_label", words["this_gmv"]),
    ]
    effects = [data["effects"]["visitors"], data["effects"]["conversion"], data["effects"]["aov"]]
    bases, bars, colors = [0.0], [float(data["before"])], ["secondary"]
    level = float(data["before"])
    for value in effects:
        bases.append(level if value >= 0 else level + value)
        bars.append(abs(value))
        colors.append(style.theme.tone("good" if value >= 0 else "bad"))
        level += value
    bases.append(0.0)
    bars.append(float(data["after"]))
    colors.append("primary")
    largest = max(b + v for b, v in zip(bases, bars, strict=True))
    fmt = number_format("money", style, largest)
    chart_data = ChartData(number_format=fmt)
    chart_data.categories = labels
    chart_data.add_series(words["chart_level"], bases)
    chart_data.add_series(words["this_gmv"], bars)
    chart_data.add_series(words["chart_level"], [b + v for b, v in zip(bases, bars, strict=True)])
    frame = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, chart_data, x, y, w, h)
    chart = frame.chart
    _axes(chart, style, number_format("money", style, largest, axis=True))
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = _kept(largest * 1.12)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    base, value = list(chart.series)[:2]
    base.format.fill.background()
    base.format.line.fill.background()
    signed = [data["before"], *effects, data["after"]]
    texts = []
    for i, color in enumerate(colors):
        _fill(value.points[i].format, style, color)
        text = style.money(signed[i])
        if 0 < i < len(labels) - 1:
            text = ("+" if signed[i] >= 0 else "-") + style.money(abs(signed[i]))
        texts.append(text)
    _top_labels(chart, 2, texts, style)
    chart.has_legend = False
    _finish(frame, style, alt)
    return frame


def _top_labels(chart, index: int, texts: list[str], style: Style) -> None:
    """Labels above stacked columns: series `index` (the tops) becomes an invisible line whose
    points carry the label texts."""
    tops = _to_secondary_line(chart, index, secondary=False)
    tops.format.line.fill.background()
    tops.marker.style = XL_MARKER_STYLE.NONE
    for i, text in enumerate(texts):
        _custom_label(tops.points[i], text, style, "text").position = XL_LABEL_POSITION.ABOVE


def native_hbar(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Ranked horizontal bars, largest on top, value (and note) labels; an optional reference
    line (e.g. lead time + review days) drawn over the plot at its value."""
    labels, values = list(data["labels"]), _values(data["values"])
    unit = data.get("unit", "money")
    largest = _largest(values) or 1.0
    shown = [abs(v) for v in values if v]
    fmt = number_format(unit, style, largest, smallest=min(shown, default=None))
    chart_data = ChartData(number_format=fmt)
    chart_data.categories = labels
    chart_data.add_series(data.get("series_label") or "", [v or 0.0 for v in values])
    frame = _chart(slide, XL_CHART_TYPE.BAR_CLUSTERED, chart_data, x, y, w, h)
    chart = frame.chart
    _axes(chart, style, None, grid=False)
    chart.category_axis.reverse_order = True  # the first (largest) on top
    chart.value_axis.visible = False
    top = max(largest, data.get("reference") or 0)
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = _kept(top * 1.35)
    plot = chart.plots[0]
    plot.gap_width = 60
    series = chart.series[0]
    _fill(series.format, style, data.get("color", "primary"))
    notes = data.get("notes") or [None] * len(labels)
    _labels(plot, style, fmt)
    chart.has_legend = False
    column = _notes_width(notes, style, w)  # notes: a column at the right, as wide as needed
    plot_w = 0.75 - column / w
    _plot_layout(chart, 0.22, 0.03, plot_w, 0.94)
    if column:
        row = h * 0.94 / max(len(labels), 1)
        for i, note in enumerate(notes):
            if note:
                _note(slide, style, note, x + w - column, y + h * 0.03 + i * row, column, row)
        if data.get("notes_label"):  # what the column is (库存金额), above it
            _note(slide, style, data["notes_label"], x + w - column, y - 0.22, column, 0.25)
    if data.get("reference") is not None:
        at = x + w * (0.22 + plot_w * data["reference"] / (top * 1.35))
        _reference(slide, style, data.get("reference_label") or "", at, y, h)
    _finish(frame, style, alt)
    return frame


def _category_lines(labels: list[str], style: Style, width: float) -> list[str]:
    """Column labels wider than their slot (`width`: the chart's inches) in two lines, the
    halves as even as may be: LibreOffice breaks a label that does not fit anywhere ("双11大促9"
    over "折"). A label is broken between words ("双11" over "大促9折"; Chinese cut by rjieba, a
    number kept with the character it qualifies), or between characters when no break between
    words fits, never inside a number or a Latin word (`tokens`)."""
    from shopreport.render.textfit import Font, text_width, tokens

    size = style.size("chart_tick")
    font = Font(style.theme.measure_font, False, style.theme.width_margin)
    slot = (Inches(width).pt - 36) / max(len(labels), 1) * 0.9  # less the value axis' labels
    out = []
    for label in labels:
        units = tokens(label)
        if "\n" in label or len(units) < 2 or text_width(label, size, font) <= slot:
            out.append(label)
            continue
        words = _word_breaks(label)
        at = [len("".join(units[:i])) for i in range(1, len(units))]
        splits = [(label[:i].rstrip() + "\n" + label[i:].lstrip(), i in words) for i in at]

        def widest(split: tuple[str, bool]) -> float:
            return max(text_width(p, size, font) for p in split[0].split("\n"))

        between_words = [s for s in splits if s[1]]
        best = min(between_words, key=widest) if between_words else None
        if best is None or widest(best) > slot:
            best = min(splits, key=widest)
        out.append(best[0])
    return out


def _word_breaks(label: str) -> set[int]:
    """Offsets in `label` between two words (rjieba's cut), less those that would part a number
    from a single character it qualifies ("双|11", "9|折", "满|300")."""
    import rjieba

    words = list(rjieba.cut(label))
    breaks = set()
    at = 0
    for before, after in itertools.pairwise(words):
        at += len(before)
        if not (
            (_one_character(before) and after[:1].isdigit())  # 双|11
            or (before[-1:].isdigit() and _one_character(after))  # 9|折
        ):
            breaks.add(at)
    return breaks


def _one_character(word: str) -> bool:
    return len(word) == 1 and not word.isdigit() and not word.isspace()


def _notes_width(notes: list, style: Style, width: float) -> float:
    """Inches for the notes beside bars: the widest note measured, within 12–40% of the chart."""
    from shopreport.render.textfit import Font, text_width

    shown = [n for n in notes if n]
    if not shown:
        return 0.0
    font = Font(style.theme.measure_font, False, style.theme.width_margin)
    widest = max(Pt(text_width(n, style.size("chart_value"), font)).inches for n in shown)
    return min(max(widest + 0.08, 0.12 * width), 0.4 * width)


def _note(slide, style: Style, text: str, x, y, w, h) -> None:
    """A note beside a bar (its share, its change), vertically centred on the bar."""
    from pptx.enum.text import MSO_ANCHOR

    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    frame = box.text_frame
    frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    frame.word_wrap = False
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size = Pt(style.size("chart_value"))
    run.font.color.rgb = _rgb(style, "muted")
    _east_asian(run, style)


def _east_asian(run, style: Style) -> None:
    """The deck font as Latin, East Asian and complex-script face, and the language."""
    font = style.theme.deck_font
    run.font.name = font
    props = run._r.get_or_add_rPr()
    props.set("lang", "en-US" if style.language == "en" else "zh-CN")
    props.set("altLang", "en-US")
    anchor = props.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):
        node = props.find(qn(tag))
        if node is None:
            node = etree.Element(qn(tag))
            anchor.addnext(node)
        node.set("typeface", font)
        anchor = node


def _plain(value, unit: str, style: Style) -> str:
    from shopreport.render.charts import _formatter

    return "—" if value is None else _formatter(unit, style)(value)


def _plot_layout(chart, left: float, top: float, width: float, height: float) -> None:
    """Fix the inner plot area (shares of the chart frame), so shapes can be drawn at values."""
    plot_area = chart._chartSpace.chart.plotArea
    layout = plot_area.find(qn("c:layout"))
    if layout is None:
        layout = etree.Element(qn("c:layout"))
        plot_area.insert(0, layout)
    for child in list(layout):
        layout.remove(child)
    manual = etree.SubElement(layout, qn("c:manualLayout"))
    for tag, val in (
        ("c:layoutTarget", "inner"),
        ("c:xMode", "edge"),
        ("c:yMode", "edge"),
        ("c:x", left),
        ("c:y", top),
        ("c:w", width),
        ("c:h", height),
    ):
        etree.SubElement(manual, qn(tag)).set("val", str(val))


def _reference(slide, style: Style, label: str, at: float, y: float, h: float) -> None:
    """A dashed vertical line at x = `at` over a bar plot, with its label at the top."""
    line = slide.shapes.add_connector(
        1, Inches(at), Inches(y + h * 0.03), Inches(at), Inches(y + h * 0.97)
    )
    line.line.color.rgb = _rgb(style, "accent")
    line.line.width = Pt(1)
    line.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    if label:
        box = slide.shapes.add_textbox(
            Inches(at + 0.04), Inches(y - 0.22), Inches(2.6), Inches(0.25)
        )
        frame = box.text_frame
        frame.margin_left = frame.margin_top = frame.margin_bottom = 0
        # beside its line: a box that does not wrap grows from its centre in LibreOffice
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.paragraphs[0].alignment = PP_ALIGN.LEFT
        run = frame.paragraphs[0].add_run()
        run.text = label
        run.font.size = Pt(style.size("chart_value"))
        run.font.color.rgb = _rgb(style, "accent")
        _east_asian(run, style)


def native_bars(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Clustered columns of one or more series; an optional reference as a dashed line series."""
    labels, series = data["labels"], data["series"]
    unit = data.get("unit", "count")
    largest = _largest(*series.values())
    fmt = number_format(unit, style, largest)
    chart_data = ChartData(number_format=fmt)
    chart_data.categories = _category_lines(labels, style, w)
    for name, values in series.items():
        chart_data.add_series(name, _values(values))
    reference = data.get("reference")
    if reference is not None:
        chart_data.add_series(data.get("reference_label") or "", [reference] * len(labels))
    frame = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, chart_data, x, y, w, h)
    chart = frame.chart
    _axes(chart, style, number_format(unit, style, largest, axis=True))
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = _kept(max(largest, reference or 0) * 1.18 or 1)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = -5
    for i, s in enumerate(list(chart.series)[: len(series)]):
        _fill(s.format, style, style.theme.series[i % len(style.theme.series)])
        if data.get("labels_on", True):
            _labels(s, style, fmt)
    if reference is not None:
        line = _to_secondary_line(chart, len(series), secondary=False)
        line.format.line.color.rgb = _rgb(style, "accent")
        line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH
    if len(series) > 1 or reference is not None:
        _legend(chart, style)
    else:
        chart.has_legend = False
    _finish(frame, style, alt)
    return frame


def native_stacked(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Stacked columns: categories × parts, each part labelled inside."""
    labels, parts = data["labels"], data["parts"]
    largest = max((sum(v[i] or 0 for v in parts.values()) for i in range(len(labels))), default=0)
    fmt = number_format("count", style, largest)
    chart_data = ChartData(number_format=fmt)
    chart_data.categories = _category_lines(labels, style, w)
    for name, values in parts.items():
        chart_data.add_series(name, _values(values))
    totals = [sum(v[i] or 0 for v in parts.values()) for i in range(len(labels))]
    chart_data.add_series(style.words["chart_total"], totals)
    frame = _chart(slide, XL_CHART_TYPE.COLUMN_STACKED, chart_data, x, y, w, h)
    chart = frame.chart
    _axes(chart, style, number_format("count", style, largest, axis=True))
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = _kept((largest or 1) * 1.18)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.overlap = 100
    for i, s in enumerate(list(chart.series)[: len(parts)]):
        _fill(s.format, style, style.theme.series[i % len(style.theme.series)])
    _top_labels(chart, len(parts), [style.count(t) for t in totals], style)
    _legend(chart, style)
    _delete_legend_entry(chart, len(parts))
    _finish(frame, style, alt)
    return frame


def _delete_legend_entry(chart, index: int) -> None:
    """Hide series `index` (a label carrier) from the legend."""
    legend = chart._chartSpace.chart.find(qn("c:legend"))
    entry = etree.Element(qn("c:legendEntry"))
    etree.SubElement(entry, qn("c:idx")).set("val", str(index))
    etree.SubElement(entry, qn("c:delete")).set("val", "1")
    legend.find(qn("c:legendPos")).addnext(entry)


def native_donut(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """A doughnut of shares, legend beside it with each share."""
    values = [max(v or 0, 0) for v in data["values"]]
    total = sum(values) or 1
    chart_data = ChartData(number_format="0.0%")
    chart_data.categories = [
        f"{label} {v / total * 100:.1f}%" for label, v in zip(data["labels"], values, strict=True)
    ]
    chart_data.add_series(data.get("series_label") or "", [v / total for v in values])
    frame = _chart(slide, XL_CHART_TYPE.DOUGHNUT, chart_data, x, y, w, h)
    chart = frame.chart
    plot = chart.plots[0]
    plot.vary_by_categories = True
    for i, point in enumerate(chart.series[0].points):
        _fill(point.format, style, style.theme.series[i % len(style.theme.series)])
        point.format.line.color.rgb = _rgb(style, "white")
    doughnut = chart._chartSpace.chart.plotArea.find(qn("c:doughnutChart"))
    hole = doughnut.find(qn("c:holeSize"))
    if hole is not None:
        hole.set("val", "60")
    _legend(chart, style, XL_LEGEND_POSITION.RIGHT)
    _finish(frame, style, alt)
    if data.get("center"):
        size = min(w * 0.6, h) * 0.5
        box = slide.shapes.add_textbox(
            Inches(x + w * 0.3 - size / 2), Inches(y + h / 2 - 0.2), Inches(size), Inches(0.4)
        )
        para = box.text_frame.paragraphs[0]
        para.alignment = 2  # centre
        run = para.add_run()
        run.text = data["center"]
        run.font.size = Pt(style.size("chart_value"))
        run.font.color.rgb = _rgb(style, "tick")
        _east_asian(run, style)
    return frame


def native_share_and_rate(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Columns of each item's share (left axis) and a line of its rate (right axis)."""
    shares, rates = _values(data["shares"]), _values(data["rates"])
    chart_data = ChartData(number_format="0.0%")
    chart_data.categories = data["labels"]
    chart_data.add_series(data["share_label"], shares)
    chart_data.add_series(data["rate_label"], rates)
    frame = _chart(slide, XL_CHART_TYPE.COLUMN_CLUSTERED, chart_data, x, y, w, h)
    chart = frame.chart
    _axes(chart, style, "0%")
    most = _largest(shares) or 0.01
    # columns in the lower half, the rate line in the upper half: their labels never meet
    chart.value_axis.minimum_scale = 0
    chart.value_axis.maximum_scale = _kept(most * 2.1)
    plot = chart.plots[0]
    plot.gap_width = 80
    bars = chart.series[0]
    _fill(bars.format, style, "secondary")
    _labels(bars, style, "0.0%")
    line = _to_secondary_line(chart, 1, secondary=True)
    line.format.line.color.rgb = _rgb(style, "accent")
    line.format.line.width = Pt(1.5)
    line.marker.style = XL_MARKER_STYLE.CIRCLE
    line.marker.format.fill.solid()
    line.marker.format.fill.fore_color.rgb = _rgb(style, "accent")
    _labels(line, style, "0.0%", XL_LABEL_POSITION.ABOVE)
    line.data_labels.font.color.rgb = _rgb(style, "accent")
    top = _largest(rates) or 0.01
    secondary = chart._chartSpace.chart.plotArea.findall(qn("c:valAx"))[-1]
    scaling = secondary.find(qn("c:scaling"))
    for tag, val in (("c:max", top * 1.25), ("c:min", -top * 1.6)):
        node = etree.SubElement(scaling, qn(tag))
        node.set("val", repr(float(val)))
    for axis in chart._chartSpace.chart.plotArea.findall(qn("c:valAx")):
        _set(axis, "c:tickLblPos", "none")  # every point is labelled: no value scales
    chart.value_axis.has_major_gridlines = False
    _legend(chart, style)
    _finish(frame, style, alt)
    return frame


def _to_secondary_line(chart, index: int, secondary: bool):
    """Move series `index` of a bar chart into a line chart drawn over it: on a second value
    axis at the right (`secondary`) or on the bar chart's axes. Returns the moved series."""
    plot_area = chart._chartSpace.chart.plotArea
    bar = plot_area.find(qn("c:barChart"))
    ser = bar.findall(qn("c:ser"))[index]
    bar.remove(ser)
    for tag in ("c:invertIfNegative", "c:shape", "c:pictureOptions"):
        for node in ser.findall(qn(tag)):
            ser.remove(node)
    marker = etree.Element(qn("c:marker"))
    etree.SubElement(marker, qn("c:symbol")).set("val", "none")
    anchor = ser.find(qn("c:spPr"))
    if anchor is None:
        anchor = ser.find(qn("c:tx"))
    anchor.addnext(marker)
    smooth = etree.SubElement(ser, qn("c:smooth"))
    smooth.set("val", "0")
    ext = ser.find(qn("c:extLst"))
    if ext is not None:
        ser.remove(ext)
        ser.append(ext)
    line = etree.Element(qn("c:lineChart"))
    etree.SubElement(line, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line, qn("c:varyColors")).set("val", "0")
    line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    bar_axes = [a.get("val") for a in bar.findall(qn("c:axId"))]
    if secondary:
        cat_id, val_id = "50050", "50060"
        cat_ax = copy.deepcopy(plot_area.find(qn("c:catAx")))
        val_ax = copy.deepcopy(plot_area.find(qn("c:valAx")))
        cat_ax.find(qn("c:axId")).set("val", cat_id)
        cat_ax.find(qn("c:crossAx")).set("val", val_id)
        _set(cat_ax, "c:delete", "1")
        val_ax.find(qn("c:axId")).set("val", val_id)
        val_ax.find(qn("c:crossAx")).set("val", cat_id)
        _set(val_ax, "c:axPos", "r")
        gridlines = val_ax.find(qn("c:majorGridlines"))
        if gridlines is not None:
            val_ax.remove(gridlines)
        scaling = val_ax.find(qn("c:scaling"))
        for tag in ("c:max", "c:min"):
            for node in scaling.findall(qn(tag)):
                scaling.remove(node)
        crosses = val_ax.find(qn("c:crosses"))
        if crosses is not None:
            crosses.set("val", "max")
        last = plot_area.findall(qn("c:valAx"))[-1]
        last.addnext(cat_ax)
        cat_ax.addnext(val_ax)
        ids = (cat_id, val_id)
    else:
        ids = tuple(bar_axes)
    for axis_id in ids:
        etree.SubElement(line, qn("c:axId")).set("val", axis_id)
    bar.addnext(line)
    from pptx.chart.series import LineSeries

    return LineSeries(ser)


def _set(parent, tag: str, val: str) -> None:
    node = parent.find(qn(tag))
    if node is None:
        node = etree.SubElement(parent, qn(tag))
    node.set("val", val)


def native_funnel(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """The funnel as shapes: one centred bar per step (width by √ of the count, at least 18%),
    the count inside and the step conversion beside it."""
    from pptx.enum.shapes import MSO_SHAPE

    counts = [c or 0 for c in data["counts"]]
    top = max(counts) or 1
    n = len(counts)
    row = h / n
    shapes = []
    rate_w = 1.0
    bar_w = w - rate_w
    for i, (label, count) in enumerate(zip(data["labels"], counts, strict=False)):
        share = max(0.18, (count / top) ** 0.5)
        bw = bar_w * share
        bx = x + (bar_w - bw) / 2
        by = y + i * row + row * 0.12
        box = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Inches(bx), Inches(by), Inches(bw), Inches(row * 0.76)
        )
        _fill(box, style, style.theme.series[i % len(style.theme.series)])
        box.line.fill.background()
        box.shadow.inherit = False
        frame = box.text_frame
        frame.word_wrap = False
        para = frame.paragraphs[0]
        para.alignment = 2
        run = para.add_run()
        run.text = f"{label}  {style.count(count)}"
        run.font.size = Pt(style.size("chart_funnel"))
        run.font.bold = True
        run.font.color.rgb = _rgb(style, "white")
        _east_asian(run, style)
        shapes.append(box)
        if i:
            rate = count / counts[i - 1] if counts[i - 1] else None
            from shopreport.fmt import fmt_pct

            text = slide.shapes.add_textbox(
                Inches(x + bar_w),
                Inches(y + i * row - row * 0.2),
                Inches(rate_w),
                Inches(row * 0.4),
            )
            text.text_frame.margin_left = text.text_frame.margin_right = 0
            para = text.text_frame.paragraphs[0]
            para.alignment = 3  # right
            run = para.add_run()
            run.text = f"{data.get('step_word', '→')} {fmt_pct(rate)}"
            run.font.size = Pt(style.size("chart_axis_title"))
            run.font.color.rgb = _rgb(style, "axis_title")
            _east_asian(run, style)
    for box in shapes:
        box._element.nvSpPr.cNvPr.set("descr", alt)
    return shapes[0] if shapes else None


def native_heatmap(slide, data: dict, style: Style, x, y, w, h, alt: str):
    """Cohort retention as a table: cohorts × months since first purchase, cells filled from
    white to the primary colour by the share retained."""
    matrix = data["matrix"]
    cols = len(matrix[0]) if matrix else 1
    rows = len(matrix) + 1
    shape = slide.shapes.add_table(rows, cols + 1, Inches(x), Inches(y), Inches(w), Inches(h))
    table = shape.table
    shown = [v for r in matrix for j, v in enumerate(r) if j > 0 and v is not None]
    vmax = max(shown, default=1) or 1
    white, primary = style.theme.color("white"), style.theme.color("primary")
    header = ["", data["size_label"], *[f"+{k}" for k in range(1, cols)]]
    size = style.size("chart_heatmap")
    for j, text in enumerate(header):
        _cell(table.cell(0, j), text, size, style, white, "muted", bold=True)
    for i, row in enumerate(matrix, start=1):
        _cell(table.cell(i, 0), data["cohorts"][i - 1], size, style, white, "tick", bold=True)
        for j, value in enumerate(row):
            if j == 0:
                text, fill = style.count(data["sizes"][i - 1]), white
            elif value is None:
                text, fill = "", white
            else:
                text, fill = f"{value * 100:.1f}", _mix(white, primary, value / vmax)
            dark = j > 0 and value is not None and value > vmax * 0.6
            _cell(table.cell(i, j + 1), text, size, style, fill, "white" if dark else "text")
    first = w * 0.14
    table.columns[0].width = Inches(first)
    for j in range(1, cols + 1):
        table.columns[j].width = Inches((w - first) / cols)
    for r in range(rows):
        table.rows[r].height = Inches(h / rows)
    shape._element.nvGraphicFramePr.cNvPr.set("descr", alt)
    tbl = shape._element.graphic.graphicData.tbl
    props = tbl.tblPr
    props.set("firstRow", "0")
    props.set("bandRow", "0")
    return shape


def _cell(cell, text: str, size: float, style: Style, fill: str, color: str, bold: bool = False):
    from pptx.enum.text import MSO_ANCHOR

    cell.fill.solid()
    cell.fill.fore_color.rgb = RGBColor.from_string(fill)
    cell.margin_left = cell.margin_right = Inches(0.02)
    cell.margin_top = cell.margin_bottom = 0
    cell.vertical_anchor = MSO_ANCHOR.MIDDLE
    para = cell.text_frame.paragraphs[0]
    para.alignment = 2
    run = para.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(style, color)
    _east_asian(run, style)


def _mix(a: str, b: str, t: float) -> str:
    """The colour a share `t` of the way from hex `a` to hex `b`."""
    t = min(max(t, 0.0), 1.0)
    pa = [int(a[i : i + 2], 16) for i in (0, 2, 4)]
    pb = [int(b[i : i + 2], 16) for i in (0, 2, 4)]
    return "".join(f"{round(x + (y - x) * t):02X}" for x, y in zip(pa, pb, strict=True))


NATIVE: dict[str, Adder] = {
    "daily_trend": native_daily_trend,
    "bridge": native_bridge,
    "hbar": native_hbar,
    "share_and_rate": native_share_and_rate,
    "funnel": native_funnel,
    "bars": native_bars,
    "stacked": native_stacked,
    "donut": native_donut,
    "heatmap": native_heatmap,
}
