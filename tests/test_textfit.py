"""Text fitting by measurement. Noto Sans CJK draws every CJK character (and "…") one em wide,
so at 10 pt a character measures 10 pt, padded by the theme's 7% for the deck font: 10.7 pt."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shopreport.render.textfit import Font, fit_text, text_width, tokens, wrap

FONT = Font()


def test_a_cjk_character_is_one_em_plus_the_margin():
    assert text_width("一", 10, FONT) == pytest.approx(10.7)
    assert text_width("一二三", 10, FONT) == pytest.approx(32.1)


def test_breaks_between_cjk_characters_but_not_inside_words_or_numbers():
    assert tokens("GMV 1,234.5万，环比") == ["GMV ", "1,234.5", "万，", "环", "比"]
    # closing punctuation stays with what precedes it, opening with what follows
    assert tokens("增长（+8%）") == ["增", "长", "（+8%）"]


def test_wrap_fills_lines_and_gives_the_text_back():
    assert wrap("一二三四五六", 33, 10, FONT) == ["一二三", "四五六"]  # 3 × 10.7 = 32.1 ≤ 33
    lines = wrap("hello world", text_width("hello world", 10, FONT) - 1, 10, FONT)
    assert lines == ["hello ", "world"]
    text = "本月GMV 1,234.5万，环比增长12.3%，主要来自访客数增长（+8.1%）。"
    assert "".join(wrap(text, 90, 12, FONT)) == text


def test_wrap_measures_whole_lines_only_near_the_edge(monkeypatch):
    from shopreport.render import textfit

    measured: list[str] = []

    def counted(text, size, font):
        measured.append(text)
        return real(text, size, font)

    real = textfit.text_width
    monkeypatch.setattr(textfit, "text_width", counted)
    # 30 characters of 10.7 pt in a 130 pt box: 12 a line (128.4 pt; 13 would be 139.1)
    assert wrap("一二三四五六七八九十" * 3, 130, 10, FONT) == [
        "一二三四五六七八九十一二",
        "三四五六七八九十一二三四",
        "五六七八九十",
    ]
    # each character is measured alone; a whole line only past 95% of the box (123.5 pt, the
    # 12th character, 128.4 pt, and the 13th, 139.1 pt): 30 + 2 × 2, not one per character
    assert len(measured) == 34
    assert sorted(len(t) for t in measured if len(t) > 1) == [12, 12, 13, 13]


def test_fit_picks_the_largest_size_that_fits():
    # 2 lines at 10 pt take 2 × 10 × 1.25 = 25 pt; at 10.5 pt only 2 characters fit a line
    # (3 × 11.235 = 33.7 > 33), which needs 3 lines: too tall. So 10 pt.
    fitted = fit_text(["一二三四五六"], 33, 25, 12, 8, FONT)
    assert (fitted.size, fitted.paragraphs, fitted.truncated) == (10, [["一二三", "四五六"]], False)


def test_shortened_with_an_ellipsis_only_at_the_minimum_size():
    # one line of height at 10 pt, and 10 pt is the minimum: the first line is kept and
    # ends with "…", dropping characters until it fits: "一二…" is 32.1 pt wide
    fitted = fit_text(["一二三四五六"], 33, 12.5, 10, 10, FONT)
    assert (fitted.paragraphs, fitted.truncated) == ([["一二…"]], True)


def test_single_line_text_shrinks_instead_of_wrapping():
    fitted = fit_text(
        ["¥1,234.5万"], text_width("¥1,234.5万", 20, FONT), 100, 26, 10, FONT, single_line=True
    )
    assert fitted.size == 20 and fitted.paragraphs == [["¥1,234.5万"]]


def test_latin_is_measured_with_dejavu_found_without_importing_matplotlib():
    """A deck with native charts needs no matplotlib: finding DejaVu Sans (the Latin face
    measured beside the CJK one) must not import it (0.13 s a build saves)."""
    code = (
        "import sys; from shopreport.render.fonts import wide_latin_font; "
        "f = wide_latin_font(10, True); print('matplotlib' in sys.modules, f.path)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, path = out.stdout.split()
    assert imported == "False"
    assert path.endswith("matplotlib/mpl-data/fonts/ttf/DejaVuSans-Bold.ttf")


def test_a_number_keeps_its_sign_and_its_unit_on_one_line():
    """LibreOffice broke "访客+5.91" at a line's end from its "万" on the next: a word joiner
    (U+2060) holds a sign to its number and a number to its 万 / 亿, and the parts of a date."""
    from shopreport.render.pptx import _no_break

    assert _no_break("访客+5.91万") == "访客+\u20605.91\u2060万"
    assert _no_break("¥1.2亿，2025-11-11") == "¥1.2\u2060亿，2025-\u206011-\u206011"
    assert _no_break("5万人") == "5\u2060万人"
    assert _no_break("SKU-3") == "SKU-3"  # a hyphen after a letter is no sign
