"""Reading a written deck back: slide texts, fonts, and whether text fits its box."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Emu

from shopreport.deck.textfit import LINE_SPACING, PARAGRAPH_GAP, Font, wrap

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


def slides_text(path: Path) -> list[list[str]]:
    """All text of each slide (text boxes and table cells), in shape order."""
    out = []
    for slide in Presentation(str(path)).slides:
        texts = []
        for shape in slide.shapes:
            if shape.has_text_frame and shape.text_frame.text.strip():
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [cell.text for row in shape.table.rows for cell in row.cells]
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
            boxes.append(Box(number, shape.text_frame.text, [p.text for p in shape.text_frame.paragraphs],
                             runs[0].font.size.pt, bool(runs[0].font.bold),
                             Emu(shape.width).pt, Emu(shape.height).pt))
    return boxes


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
                        width = Emu(table.columns[j].width).pt - Emu(cell.margin_left).pt - Emu(cell.margin_right).pt
                        cells.append(Box(number, cell.text, [cell.text], runs[0].font.size.pt, bool(runs[0].font.bold),
                                         width, Emu(row.height).pt))
    return cells


def overflowing(path: Path) -> list[Box]:
    """Boxes whose text, wrapped by measurement at its size, is taller than the box, and
    table cells whose text is wider than the column (a cell would wrap and grow its row)."""
    bad = [c for c in table_cells(path) if len(wrap(c.text, c.width, c.size, Font(bold=c.bold))) > 1]
    for box in text_boxes(path):
        font = Font(bold=box.bold)
        width, height = box.width - 2 * INSET_PT, box.height - 2 * INSET_PT
        lines = sum(len(wrap(p, width, box.size, font)) for p in box.paragraphs)
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
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), str(deck)], check=True, capture_output=True, timeout=240)
    pdf = folder / (deck.stem + ".pdf")
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    return pdf


def pdf_pages(pdf: Path, folder: Path, dpi: int = 40) -> list[Path]:
    """The PDF's pages as PNG files (pdftoppm)."""
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run must install poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(folder / "page")], check=True, timeout=240)
    return sorted(folder.glob("page-*.png"))
