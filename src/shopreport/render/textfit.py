"""Text that fits: measure with the real font (Pillow), wrap between CJK characters but not
inside Latin words or numbers, pick the largest size that fits, shorten with "…" last.

python-pptx has no working autofit for Chinese, and LibreOffice shrinks text on load, which
would hide an overflow; so every text box of a deck is sized here, by measurement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shopreport.render.fonts import pil_font, wide_latin_font

LINE_SPACING = 1.25  # line height ÷ font size; written into every paragraph as exact spacing
PARAGRAPH_GAP = 0.35  # space after a paragraph, in lines
ELLIPSIS = "…"
_CJK = "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"[^\s{_CJK}]+\s*|[{_CJK}]\s*|\s+")
_RUNS = re.compile(rf"[{_CJK}]+|[^{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]")
_NO_LINE_START = set("，。、；：？！）》」』】”’%,.;:?!)]}…·")
_NO_LINE_END = set("（《「『【“‘([{¥$￥")


@dataclass(frozen=True)
class Font:
    """What measuring needs: family, bold, and the padding for the deck font's widths."""

    family: str = "Noto Sans CJK SC"
    bold: bool = False
    margin: float = 0.07


@lru_cache(maxsize=1 << 16)  # fitting measures the same words and lines many times over
def text_width(text: str, size: float, font: Font) -> float:
    """Width of `text` in points at `size` points, padded by the font margin.

    CJK runs are measured with the CJK face; other runs with the wider of the CJK face's
    Latin and DejaVu Sans, the face LibreOffice substitutes when the deck font is missing,
    so the text fits whichever font draws it.
    """
    pad = font.margin + (0.04 if font.bold else 0.0)
    cjk = pil_font(size, font.bold, font.family)
    latin = wide_latin_font(size, font.bold)
    width = 0.0
    for run in _RUNS.findall(text):
        if _CJK_RUN.match(run):
            width += cjk.getlength(run)
        else:
            width += max(cjk.getlength(run), latin.getlength(run))
    return width / 100 * (1 + pad)


def tokens(text: str) -> list[str]:
    """Units a line may break between: one CJK character, or one Latin word or number.

    Closing punctuation sticks to the unit before it, opening punctuation to the one after.
    """
    raw = _TOKEN.findall(text)
    out: list[str] = []
    carry = ""
    for token in raw:
        if out and token.strip() and token.strip()[0] in _NO_LINE_START:
            out[-1] += token
            continue
        token = carry + token
        carry = ""
        if token.strip() and token.strip()[-1] in _NO_LINE_END:
            carry = token
            continue
        out.append(token)
    if carry:
        out.append(carry)
    return out


def wrap(text: str, width: float, size: float, font: Font) -> list[str]:
    """Lines of `text` no wider than `width` points (a word wider than a line is split).

    The lines keep their trailing spaces, so joining them gives `text` back; only the
    visible part (without trailing spaces) is measured.
    """
    lines: list[str] = []
    line, line_width = "", 0.0
    for token in tokens(text):
        candidate = line + token
        # the line's width plus the unit's (with its spaces) is a little more than the
        # candidate's own width (kerning aside); well inside the box, it is not measured again
        unit = text_width(token, size, font)
        estimate = line_width + unit
        if estimate <= SURE_FIT * width:
            line, line_width = candidate, estimate
            continue
        measured = text_width(candidate.rstrip(), size, font)
        if measured <= width or not line:
            if measured > width:  # one unit too wide: split it
                pieces = _split_long(candidate, width, size, font)
                lines.extend(pieces[:-1])
                line = pieces[-1]
                line_width = text_width(line, size, font)
            else:
                line, line_width = candidate, measured
        else:
            lines.append(line)
            line, line_width = token, unit
    lines.append(line)
    return lines


SURE_FIT = 0.95
"""A line whose summed unit widths are within this share of the box fits without measuring it
whole: summing overestimates (trailing spaces, the wider Latin face per unit), and kerning
between two units moves a width by far less than 5%."""


def _split_long(text: str, width: float, size: float, font: Font) -> list[str]:
    """Split a unit wider than a line by characters."""
    pieces, line = [], ""
    for char in text:
        if line and text_width(line + char, size, font) > width:
            pieces.append(line)
            line = ""
        line += char
    return [*pieces, line]


@dataclass(frozen=True)
class Fitted:
    """The chosen size, the lines of each paragraph, and whether text was cut."""

    size: float
    paragraphs: list[list[str]]
    truncated: bool

    @property
    def line_count(self) -> int:
        """All lines of all paragraphs."""
        return sum(len(p) for p in self.paragraphs)


def block_height(paragraphs: list[list[str]], size: float) -> float:
    """Height in points of wrapped paragraphs at `size` with the deck's spacing."""
    lines = sum(len(p) for p in paragraphs)
    gaps = max(0, len(paragraphs) - 1) * PARAGRAPH_GAP
    return (lines + gaps) * size * LINE_SPACING


MAX_MEASURED = 1200
"""Characters of one paragraph that are measured; more never fit a slide's box."""


SAFE_HEIGHT = 0.95
"""Of a box's height, what text of three lines or more may fill as measured: LibreOffice spaces
CJK and Latin apart ("订单 8.0%") and so breaks a line now and then where the measure did not,
one line more in a full box."""


def fit_text(
    paragraphs: list[str],
    width: float,
    height: float,
    max_size: float,
    min_size: float,
    font: Font,
    single_line: bool = False,
    balance: bool = False,
) -> Fitted:
    """The largest size from `max_size` down to `min_size` (0.5 pt steps) at which the
    paragraphs fit `width` × `height` points; at `min_size`, cut the text with "…".

    With `balance` (titles), a paragraph that needs several lines is wrapped at the narrowest
    width that still gives that many lines, so the lines are even: no single character or a
    split date left alone on the last line."""
    # a box shows a few hundred characters at most: longer text is cut before it is measured
    paragraphs = [p if len(p) <= MAX_MEASURED else p[: MAX_MEASURED - 1] + "…" for p in paragraphs]
    size = max_size
    while True:
        if single_line:
            wrapped = [[p] for p in paragraphs]
            fits = all(text_width(p, size, font) <= width for p in paragraphs)
        else:
            wrapped = [wrap(p, width, size, font) for p in paragraphs]
            fits = True
        lines = sum(len(w) for w in wrapped)
        room = height if lines <= 2 else height * SAFE_HEIGHT
        if fits and block_height(wrapped, size) <= room:
            if balance and not single_line:
                wrapped = [
                    _balanced(p, lines, width, size, font)
                    for p, lines in zip(paragraphs, wrapped, strict=True)
                ]
            return Fitted(size, wrapped, False)
        if size - 0.5 < min_size:
            break
        size -= 0.5
    return _truncate(paragraphs, width, height, min_size, font, single_line)


def _balanced(paragraph: str, lines: list[str], width: float, size: float, font: Font) -> list[str]:
    """The paragraph wrapped into `lines` lines, at the narrowest width that allows it."""
    if len(lines) < 2:
        return lines
    low, high = width / len(lines), width
    for _ in range(12):
        middle = (low + high) / 2
        if len(wrap(paragraph, middle, size, font)) > len(lines):
            low = middle
        else:
            high = middle
    even = wrap(paragraph, high, size, font)
    if len(lines) == 2:  # two lines: at a space, after a comma or before a bracket when near
        seams = [m.end() for m in re.finditer(r"\s+|[，：；、]|(?=[（(])", paragraph)]
        splits = [(paragraph[:i], paragraph[i:]) for i in seams if 0 < i < len(paragraph)]
        widest = max(text_width(line.rstrip(), size, font) for line in even)
        best = min(
            splits,
            key=lambda pair: max(text_width(part.strip(), size, font) for part in pair),
            default=None,
        )
        if best:
            best_width = max(text_width(part.strip(), size, font) for part in best)
            if best_width <= min(width, widest * 1.35):
                return [best[0], best[1]]
    return even


def _truncate(
    paragraphs: list[str], width: float, height: float, size: float, font: Font, single_line: bool
) -> Fitted:
    """Keep whole lines while they fit, and end the last one with "…"."""
    kept: list[list[str]] = []
    for paragraph in paragraphs:
        lines = [paragraph] if single_line else wrap(paragraph, width, size, font)
        for line in lines:
            trial = (
                [*kept, [line]] if not kept or line is lines[0] else [*kept[:-1], kept[-1] + [line]]
            )
            room = height if sum(len(t) for t in trial) <= 2 else height * SAFE_HEIGHT
            if block_height(trial, size) > room or text_width(line, size, font) > width:
                return Fitted(size, _ellipsize(kept, width, size, font, line), True)
            kept = trial
    return Fitted(size, kept, False)


def _ellipsize(
    kept: list[list[str]], width: float, size: float, font: Font, overflow: str
) -> list[list[str]]:
    """End the last kept line (or the overflowing one, when nothing fits) with "…"."""
    if not kept:
        kept = [[overflow]]
    last = kept[-1][-1].rstrip()
    while last and text_width(last + ELLIPSIS, size, font) > width:
        last = last[:-1]
    kept[-1][-1] = last.rstrip() + ELLIPSIS
    return kept
