"""Charts: every kind draws Chinese labels with the CJK face (pytest turns a missing glyph into
an error, see pyproject.toml), at the size asked for, and missing glyphs are really caught."""

from __future__ import annotations

import io
import warnings

import pytest
from PIL import Image

from shopreport.deck.narrative import Narrator
from shopreport.render.charts import DPI, Style, render_chart
from shopreport.render.theme import load_theme

SAMPLES = {
    "daily_trend": {
        "gmv": [10.0, 30.0, 20.0],
        "previous_gmv": [12.0, None, 18.0],
        "last_year_gmv": [9.0, 8.0, 7.0],
    },
    "bridge": {
        "before": 100.0,
        "after": 130.0,
        "effects": {"visitors": 40.0, "conversion": -20.0, "aov": 10.0},
    },
    "hbar": {
        "labels": ["家用电器", "美妆护肤"],
        "values": [3.0, 2.0],
        "unit": "money",
        "notes": ["环比 +5%", ""],
    },
    "share_and_rate": {
        "labels": ["搜索", "直播"],
        "shares": [0.6, 0.4],
        "rates": [0.03, None],
        "share_label": "访客占比",
        "rate_label": "转化率",
    },
    "funnel": {"labels": ["访客", "加购", "下单", "支付"], "counts": [1000, 100, 40, 30]},
    "bars": {"labels": ["新买家", "老买家"], "series": {"买家数": [70, 30]}, "unit": "count"},
    "stacked": {"labels": ["≤10s", "10-30s"], "parts": {"机器人": [5, 1], "人工": [1, 4]}},
    "donut": {"labels": ["一线", "新一线"], "values": [3, 7]},
    "heatmap": {
        "matrix": [[1.0, 0.1], [1.0, None]],
        "cohorts": ["2026-09", "2026-10"],
        "sizes": [100, 80],
        "size_label": "人数",
        "x_label": "首购后月数",
    },
}


@pytest.fixture(scope="module")
def style() -> Style:
    theme = load_theme()
    return Style(theme, "zh-CN", "¥", Narrator("zh-CN", "¥").words)


def test_a_money_axis_says_its_currency(style):
    """Axes read "9.0M" and "1,200K" with no currency (an English boss read): the value axis's
    format carries the symbol, as the labels do: ¥ and 万 from ¥10万, $ and M from $1M."""
    from shopreport.render.native import number_format

    assert number_format("money", style, 5_000_000, axis=True) == (
        '[>0]"¥"0\\.0,"万";[=0]0;-"¥"0\\.0,"万"'
    )
    english = Style(load_theme(), "en", "$", Narrator("en", "$").words)
    assert number_format("money", english, 9_000_000, axis=True) == (
        '[>0]"$"#,##0.0,,"M";[=0]0;-"$"#,##0.0,,"M"'
    )
    assert number_format("count", english, 9_000_000, axis=True).startswith("[>0]#,##0.0")


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_every_chart_draws_chinese_at_its_size(kind, style):
    png = render_chart(kind, SAMPLES[kind], style, 6.0, 3.5)
    image = Image.open(io.BytesIO(png))
    assert image.size == (6 * DPI, int(3.5 * DPI))
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert len(colours) > 20, "the chart is (nearly) blank"


def test_a_missing_glyph_is_detected(style):
    # without the CJK face matplotlib draws boxes and warns; the suite turns that into an error
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("支付金额", fontfamily="DejaVu Sans")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert any("missing from font" in str(w.message) for w in caught)


def test_column_labels_break_between_words(style):
    """Four columns on a 4-inch chart leave each label (4 × 72 − 36) / 4 × 0.9 = 56.7 pt; at
    10 pt a Chinese character is ~10 pt wide, so 双11大促9折 and 家用清洁电器 (≈ 57–60 pt) take two
    lines, broken between words: 双11 stays whole and 9折 too, 家用 | 清洁电器 (not 家用清 | 洁电器,
    the most even halves). On a 3-inch chart (40.5 pt a label) 家用清洁电器 has no break between
    words that fits (a 4-character half is ≥ 40 pt and the measure adds a margin), so it is broken
    between characters rather than left to LibreOffice."""
    from shopreport.render.native import _category_lines

    labels = ["双11大促9折", "满300减30", "家用清洁电器", "简约净水器"]
    four_inches = ["双11\n大促9折", "满300减30", "家用\n清洁电器", "简约净水器"]
    assert _category_lines(labels, style, 4.0) == four_inches
    assert _category_lines(labels, style, 3.0)[2] == "家用清\n洁电器"
    assert _category_lines(labels, style, 3.0)[3] == "简约\n净水器"


def test_day_labels_as_many_as_fit_side_by_side():
    """618's days as "Warm-up 1 / 05.25" (9 characters) across 5.2 in at 9 pt: a label takes
    9 × 9 × 0.62 ÷ 72 + 0.12 = 0.82 in, so 5.2 × 0.8 ÷ 0.82 = 5 fit ("Warm-up 1" ran into
    "Warm-up 5" at 8); dates alone ("05.25") keep the usual 8."""
    from shopreport.render.charts import labels_that_fit

    assert labels_that_fit(["Warm-up 1\n05.25"] * 27, 5.2, 9) == 5
    assert labels_that_fit(["05.25"] * 27, 5.2, 9) == 8
