"""Reading a written deck back: slide texts, fonts, and whether text fits its box."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from shopreport.render.textfit import LINE_SPACING, PARAGRAPH_GAP, Font, wrap

INSET_PT = 0.05 * 72


@dataclass
class Box:
    """One text box of a slide: its paragraphs, font size, bold, and size in points."""

    slide: int
    text: str
    paragraphs: list[str]
    size: float
    bold: bool
    width: float
    height: float
    inset: float = INSET_PT  # the frame's left (= right = top = bottom) margin, points
    indents: tuple[float, ...] = ()  # each paragraph's left margin (a bullet's hanging indent)


WJ = "\u2060"  # the renderer's word joiner between a sign and a currency symbol


def plain(text: str) -> str:
    """Text as read: word joiners dropped, a title's line break read as a space."""
    return text.replace(WJ, "").replace("\x0b", " ")


def slides_text(path: Path) -> list[list[str]]:
    """All text of each slide (text boxes and table cells), in shape order."""
    out = []
    for slide in Presentation(str(path)).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                texts.append(plain(shape.text_frame.text))
            if shape.has_table:
                texts += [plain(cell.text) for row in shape.table.rows for cell in row.cells]
        out.append(texts)
    return out


def text_boxes(path: Path) -> list[Box]:
    """Every non-empty text box (not shapes with fills), with its run's size."""
    boxes = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        for shape in slide.shapes:
            if not shape.has_text_frame or not shape.text_frame.text.strip():
                continue
            runs = [r for p in shape.text_frame.paragraphs for r in p.runs]
            boxes.append(
                Box(
                    number,
                    plain(shape.text_frame.text),
                    [plain(p.text) for p in shape.text_frame.paragraphs],
                    runs[0].font.size.pt,
                    bool(runs[0].font.bold),
                    Emu(shape.width).pt,
                    Emu(shape.height).pt,
                    Emu(shape.text_frame.margin_left).pt,
                    tuple(_indent(p) for p in shape.text_frame.paragraphs),
                )
            )
    return boxes


def _indent(paragraph) -> float:
    """A paragraph's left margin, points (its lines hang there after a bullet)."""
    ppr = paragraph._p.pPr
    return Emu(int(ppr.get("marL", 0))).pt if ppr is not None else 0.0


def bullets(path: Path) -> list[str]:
    """The bullet characters of every paragraph that has one, in slide order."""
    return [
        node.get("char")
        for slide in Presentation(str(path)).slides
        for node in slide.shapes._spTree.iter(qn("a:buChar"))
    ]


def table_cells(path: Path) -> list[Box]:
    """Every non-empty table cell, with its run's size and its column's width."""
    cells = []
    for number, slide in enumerate(Presentation(str(path)).slides, start=1):
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            table = shape.table
            for row in table.rows:
                for j, cell in enumerate(row.cells):
                    runs = [r for p in cell.text_frame.paragraphs for r in p.runs]
                    if runs and cell.text.strip():
                        width = (
                            Emu(table.columns[j].width).pt
                            - Emu(cell.margin_left).pt
                            - Emu(cell.margin_right).pt
                        )
                        cells.append(
                            Box(
                                number,
                                plain(cell.text),
                                [plain(cell.text)],
                                runs[0].font.size.pt,
                                bool(runs[0].font.bold),
                                width,
                                Emu(row.height).pt,
                            )
                        )
    return cells


CELL_MARGINS = 2 * 0.02 * 72  # a table cell's top and bottom margins, points


def overflowing(path: Path) -> list[Box]:
    """Boxes whose text, wrapped by measurement at its size, is taller than the box, and
    table cells whose wrapped text is taller than their row (a cell would grow its row and
    push the table down): a row made for one line holds one, a row of a wrapped table more."""
    bad = [
        c
        for c in table_cells(path)
        if len(wrap(c.text, c.width, c.size, Font(bold=c.bold))) * c.size * LINE_SPACING
        > c.height - CELL_MARGINS + 0.5
    ]
    for box in text_boxes(path):
        font = Font(bold=box.bold)
        width, height = box.width - 2 * box.inset, box.height - 2 * box.inset
        indents = box.indents or (0.0,) * len(box.paragraphs)
        lines = sum(
            len(wrap(part, width - indent, box.size, font))
            for p, indent in zip(box.paragraphs, indents, strict=True)
            for part in p.split("\v")
        )
        needed = (lines + PARAGRAPH_GAP * (len(box.paragraphs) - 1)) * box.size * LINE_SPACING
        if needed > height + 0.5:
            bad.append(box)
    return bad


def runs_without_east_asian_font(path: Path, font: str) -> list[str]:
    """Texts of runs that lack `a:ea` = `font` or a `lang`."""
    bad = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [cell.text_frame for row in shape.table.rows for cell in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        rpr = run._r.find(qn("a:rPr"))
                        ea = rpr.find(qn("a:ea")) if rpr is not None else None
                        if ea is None or ea.get("typeface") != font or not rpr.get("lang"):
                            bad.append(run.text)
    return bad


def soffice() -> str:
    """The LibreOffice binary; fail in CI when it is missing, skip elsewhere."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is missing: .ci/run must install libreoffice-impress")
        pytest.skip("LibreOffice (soffice) is not installed")
    return binary


def render_pdf(deck: Path, folder: Path) -> Path:
    """Convert a deck to PDF with a real LibreOffice (own profile folder)."""
    profile = folder / "lo_profile"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(deck),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = folder / (deck.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    return pdf


def pdf_pages(pdf: Path, folder: Path, dpi: int = 40) -> list[Path]:
    """The PDF's pages as PNG files (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run must install poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")],
        check=True,
        timeout=240,
    )
    return sorted(folder.glob("page-*.png"))


@dataclass
class Word:
    """A word LibreOffice drew on a page, with its box in points (origin top left)."""

    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its bounding box (poppler's pdftotext -bbox-layout)."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: .ci/run must install poppler-utils")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, timeout=240
    ).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True, huge_tree=True))
    words = []
    for number, page in enumerate(root.iter("{*}page"), start=1):
        for word in page.iter("{*}word"):
            box = [float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
            words.append(Word(number, word.text or "", *box))
    return words


def frames(path: Path) -> list[list[tuple[float, float, float, float]]]:
    """Per slide, the boxes (points) of every shape that holds text: text boxes, tables, charts."""
    prs = Presentation(str(path))
    out = []
    for slide in prs.slides:
        boxes = []
        for shape in slide.shapes:
            holds_text = (
                (shape.has_text_frame and shape.text_frame.text.strip())
                or shape.has_table
                or getattr(shape, "has_chart", False)
            )
            if holds_text:
                x, y = Emu(shape.left).pt, Emu(shape.top).pt
                boxes.append((x, y, x + Emu(shape.width).pt, y + Emu(shape.height).pt))
        out.append(boxes)
    return out


HANGING = set("，。、；：？！）」』】”’")


def drawn_outside(deck: Path, pdf: Path, tolerance: float = 2.0) -> list[str]:
    """Words LibreOffice drew outside every text box, table and chart of their slide: text that
    overflowed its box as another layout engine lays it out (independent of textfit.py)."""
    boxes = frames(deck)
    bad = []
    for word in pdf_words(pdf):
        # CJK punctuation at a line end may hang into the margin (kinsoku): one character's room
        hang = (
            (word.x1 - word.x0) / len(word.text) if word.text and word.text[-1] in HANGING else 0.0
        )
        inside = any(
            x0 - tolerance <= word.x0
            and word.x1 <= x1 + tolerance + hang
            and y0 - tolerance <= word.y0
            and word.y1 <= y1 + tolerance
            for x0, y0, x1, y1 in boxes[word.page - 1]
        )
        if not inside and word.text.strip():
            bad.append(
                f"slide {word.page}: {word.text!r} at ({word.x0:.0f}, {word.y0:.0f})–"
                f"({word.x1:.0f}, {word.y1:.0f})"
            )
    return bad


# --- one number, one value -----------------------------------------------------------------
_NUM = (
    r"[-+]?(?:[¥$€£]|R\$|HK\$)?\d[\d,]*(?:\.\d+)?(?:万亿|亿|万|K|M|B|T)?%?"
    r"(?:个百分点| pp|天|秒| days| s)?"
)
_ALIASES = {"gmv": ["GMV"], "aov": ["AOV"]}


def _patterns(language: str) -> dict[str, re.Pattern[str]]:
    """Per metric, '<label> <number>' where the label is not part of a longer word or a subject's
    own figure (「X」客单价 …)."""
    from shopreport.vocab.metrics import METRICS, label

    out = {}
    for mid in METRICS:
        names = sorted({label(mid, language), *_ALIASES.get(mid, [])}, key=len, reverse=True)
        words = "|".join(re.escape(n) for n in names)
        # the label opens a clause: not part of a longer word, not a subject's own figure
        # ("returning AOV ¥478", "「X」客单价", "X: ROAS 1.8", "11月（GMV ¥766万）")
        before = (
            r"(?:^|(?<=[,;.•] ))"
            if language == "en"
            else r"(?<![\w\u4e00-\u9fff」）)·（(：:])(?:本月|本期)?"
        )
        out[mid] = re.compile(rf"{before}(?:{words})(?![\w\u4e00-\u9fff(（])\s*[:：]?\s*({_NUM})")
    return out


def stated_values(path: Path, language: str) -> dict[str, set[str]]:
    """Every value the deck states for a metric: KPI cards (a label box followed by its value
    box), tables whose first column names metrics (their second column), and sentences
    '<label> <number>' in text boxes (notes, bullets, summaries, cards)."""
    from shopreport.vocab.metrics import METRICS, label

    labels = {label(mid, language): mid for mid in METRICS}
    patterns = _patterns(language)
    found: dict[str, set[str]] = {}
    for slide in Presentation(str(path)).slides:
        texts = [
            plain(s.text_frame.text)
            for s in slide.shapes
            if s.has_text_frame and s.text_frame.text.strip()
        ]
        for first, second in itertools.pairwise(texts):
            if first.strip() in labels and re.fullmatch(_NUM, second.strip()):
                found.setdefault(labels[first.strip()], set()).add(second.strip())
        for shape in slide.shapes:
            if shape.has_table:
                rows = [[plain(c.text) for c in row.cells] for row in shape.table.rows]
                if len(rows[0]) > 1 and rows[0][1].strip() in ("Rows", "行数"):
                    continue  # the data coverage: a table's rows ("Refunds 1,166"), not a figure
                for row in rows[1:]:
                    if (
                        row[0].strip() in labels
                        and len(row) > 1
                        and re.fullmatch(_NUM, row[1].strip())
                    ):
                        found.setdefault(labels[row[0].strip()], set()).add(row[1].strip())
        for text in texts:
            if text.strip() in labels:
                continue
            for mid, pattern in patterns.items():
                for match in pattern.finditer(text):
                    found.setdefault(mid, set()).add(match.group(1).strip())
    return found


def inconsistent(
    path: Path, language: str, expected: dict[str, str] | None = None
) -> dict[str, set[str]]:
    """Metrics the deck states with more than one value, or (given `expected`, metric → the
    report's formatted value) with another value than the report's."""
    bad = {}
    for mid, values in stated_values(path, language).items():
        norm = {v.replace(" ", "") for v in values}
        if len(norm) > 1 or (
            expected and mid in expected and norm != {expected[mid].replace(" ", "")}
        ):
            bad[mid] = values | (
                {f"report: {expected[mid]}"} if expected and mid in expected else set()
            )
    return bad


def blank_charts(deck: Path, pdf: Path, folder: Path, colors: list[str]) -> list[str]:
    """Native charts LibreOffice drew without a series: frames in which no pixel has one of
    the series `colors` (hex), on the pages of `pdf` drawn at 40 dpi."""
    import numpy as np
    from PIL import Image

    prs = Presentation(str(deck))
    pages = pdf_pages(pdf, folder)
    targets = [np.array([int(c[i : i + 2], 16) for i in (0, 2, 4)]) for c in colors]
    bad = []
    for number, slide in enumerate(prs.slides, start=1):
        charts = [s for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart]
        if not charts:
            continue
        image = Image.open(pages[number - 1]).convert("RGB")
        scale = image.width / prs.slide_width
        for shape in charts:
            box = (shape.left, shape.top, shape.left + shape.width, shape.top + shape.height)
            inside = np.asarray(image.crop(tuple(int(v * scale) for v in box)), dtype=int)
            drawn = sum(int((np.abs(inside - c).sum(axis=2) < 60).sum()) for c in targets)
            if drawn <= 40:
                bad.append(f"slide {number}: {shape.name} ({drawn} px of series colour)")
    return bad


TICK = re.compile(r"[0-9][0-9./:-]*[0-9]")


def broken_ticks(deck: Path, pdf: Path) -> list[str]:
    """Numeric category labels of the native charts ("10.20", "2026-10") that the PDF does not
    show whole on one line: LibreOffice wraps a label wider than its slot where a line may
    break ("10-" over "20")."""
    words: dict[int, list[str]] = {}
    for word in pdf_words(pdf):
        words.setdefault(word.page, []).append(word.text)
    broken = []
    for number, slide in enumerate(Presentation(str(deck)).slides, start=1):
        for shape in slide.shapes:
            if not getattr(shape, "has_chart", False) or not shape.chart.plots:
                continue
            for label in shape.chart.plots[0].categories:
                for tick in TICK.findall(str(label)):
                    if not any(tick in word for word in words.get(number, [])):
                        broken.append(f"slide {number}: {tick!r}")
    return broken
