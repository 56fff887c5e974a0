"""Writing slides with python-pptx: 16:9, blank layout, positioned shapes, fitted text.

Every run gets the deck font as Latin and East Asian face (`a:latin`, `a:ea`, `a:cs`) and a
`lang`, and the theme's fonts are patched too, so PowerPoint, WPS and Keynote show Chinese in
the intended font. Text sizes come from measurement (textfit.py), never from autofit.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import glob
import io
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from shopreport.deck import model as m
from shopreport.errors import RunError
from shopreport.render.charts import Style, render_chart
from shopreport.render.export import file_mode
from shopreport.render.native import NATIVE
from shopreport.render.template import (
    BODY_TYPES,
    ROLE_OF,
    find_layouts,
    layout_twin,
    open_template,
)
from shopreport.render.textfit import (
    LINE_SPACING,
    PARAGRAPH_GAP,
    Font,
    fit_text,
    text_width,
    wrap,
)
from shopreport.render.theme import Theme

SLIDE_W, SLIDE_H = Emu(12192000), Emu(6858000)  # 16:9, PowerPoint's widescreen
W, H = SLIDE_W.inches, SLIDE_H.inches  # layout below in inches
MARGIN = 0.6
CONTENT_TOP = 1.3
CONTENT_BOTTOM = 6.85
INSET = 0.05  # text frame margins, inches
TABLE_NOTE_HEIGHTS = (0.7, 1.0, 1.4, 1.8)
"""Inches a table slide's note may take, the least that holds it."""
BULLET_INDENT = 12.0
"""Points a bulleted paragraph hangs its lines in by, the bullet in the margin: a bullet is the
paragraph's (PowerPoint's own), drawn in a Latin face, not a "• " of its text (LibreOffice drew
it as a CJK "・" before Chinese text and as "•" before a number, in one list)."""
EMU_PER_INCH = 914400
ALIGN = {"left": PP_ALIGN.LEFT, "center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT}
ARROWS = {"up": "▲", "down": "▼", "flat": ""}  # flat says 持平 / flat
_CONTROL = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32)], None)


def clean(text: str) -> str:
    """Text safe for XML: control characters (which python-pptx rejects) removed."""
    return str(text).translate(_CONTROL)


class Renderer:
    """Builds one .pptx from slide models; `save` writes it."""

    def __init__(
        self,
        theme: Theme,
        style: Style,
        charts: str = "native",
        template: Path | None = None,
        layouts: dict[str, str] | None = None,
    ):
        self.theme, self.style, self.charts = theme, style, charts
        self.lang = "en-US" if style.language == "en" else "zh-CN"
        self.template = template is not None
        if template is not None:  # the company's template: its layouts by role, its size
            self.prs = open_template(template)
            self.roles = find_layouts(self.prs, layouts)
            self.scale = (self.prs.slide_width / SLIDE_W, self.prs.slide_height / SLIDE_H)
        else:
            self.prs = Presentation()
            self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H
            self.roles = {"title_only": self.prs.slide_layouts[5]}  # a title placeholder
            self.scale = (1.0, 1.0)
            self._patch_theme_fonts()
        self.layouts: dict[str, Callable] = {
            "cover": self._cover,
            "catalogue": self._catalogue,
            "divider": self._divider,
            "kpis": self._kpis,
            "cards": self._cards,
            "chart": self._chart,
            "table": self._table,
            "closing": self._closing,
        }

    # --- deck-level ---------------------------------------------------------------------
    def _patch_theme_fonts(self) -> None:
        """Major/minor Latin and East Asian theme fonts (and the Hans script) = deck font."""
        part = self.prs.slide_master.part.part_related_by(RT.THEME)
        root = etree.fromstring(part.blob)
        font = self.theme.deck_font
        for scheme in root.iter(qn("a:majorFont"), qn("a:minorFont")):
            for tag in ("a:latin", "a:ea"):
                node = scheme.find(qn(tag))
                if node is not None:
                    node.set("typeface", font)
            for script in scheme.findall(qn("a:font")):
                if script.get("script") in ("Hans", "Hant"):
                    script.set("typeface", font)
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def render(self, slides: list[m.Slide]) -> None:
        """Add every slide, numbered."""
        for number, model in enumerate(slides, start=1):
            role = ROLE_OF.get(model.layout, "title_only") if self.template else "title_only"
            slide = self.prs.slides.add_slide(self.roles[role])
            if self.template and model.layout in ROLE_OF:
                self._in_template(slide, model)
            else:
                self.layouts[model.layout](slide, model)
            self._furniture(slide, model, number)
            _drop_empty_placeholders(slide)
            if self.scale != (1.0, 1.0):
                _rescale(slide, *self.scale)
            if slide.shapes.title is not None and not slide.shapes.title.has_text_frame:
                raise AssertionError(f"slide {number} has no title")
            if model.notes:
                slide.notes_slide.notes_text_frame.text = clean(model.notes)

    def save(self, path: Path) -> None:
        """Write the presentation to `path`."""
        self.prs.save(str(path))

    # --- primitives ---------------------------------------------------------------------
    def rect(
        self, slide, x, y, w, h, fill: str, shape=MSO_SHAPE.RECTANGLE, line: str | None = None
    ):
        """A filled shape (no outline unless `line`)."""
        box = slide.shapes.add_shape(shape, Inches(x), Inches(y), Inches(w), Inches(h))
        box.fill.solid()
        box.fill.fore_color.rgb = RGBColor.from_string(fill)
        if line:
            box.line.color.rgb = RGBColor.from_string(line)
            box.line.width = Pt(0.75)
        else:
            box.line.fill.background()
        box.shadow.inherit = False
        if box.has_text_frame:
            box.text_frame.text = ""
        return box

    def fitting_size(self, text: str, w, h, size: float, min_size: float) -> float:
        """The size `text` would get in a box of w × h: to give boxes side by side one size."""
        font = Font(self.theme.measure_font, False, self.theme.width_margin)
        width, height = Inches(w - 2 * INSET).pt, Inches(h - 2 * INSET).pt
        return fit_text([clean(text)], width, height, size, min_size, font, False, False).size

    def text(
        self,
        slide,
        x,
        y,
        w,
        h,
        paragraphs: list[str] | str,
        size: float,
        *,
        min_size: float | None = None,
        color: str = "text",
        bold: bool = False,
        align: str = "left",
        anchor: str = "top",
        single_line: bool = False,
        colors: list[str] | None = None,
        balance: bool = False,
        title: bool = False,
        shape=None,
        bullets: bool = False,
    ):
        """A text box whose text is fitted by measurement: largest size ≤ `size` that fits;
        with `balance` (titles), lines of even length broken where measured. With `title` the
        slide's title placeholder is used (moved here and to the front), so outline view, the
        navigation pane and the accessibility checker see the slide's title."""
        paragraphs = [
            clean(p) for p in ([paragraphs] if isinstance(paragraphs, str) else paragraphs)
        ]
        font = Font(self.theme.measure_font, bold, self.theme.width_margin)
        fitted = fit_text(
            paragraphs,
            Inches(w - 2 * INSET).pt - (BULLET_INDENT if bullets else 0),
            Inches(h - 2 * INSET).pt,
            size,
            min_size or min(size, max(8.0, size * 0.6)),
            font,
            single_line,
            balance,
        )
        if shape is not None:  # a template's placeholder: written where it is, in its style
            box = shape
            box.left, box.top, box.width, box.height = Inches(x), Inches(y), Inches(w), Inches(h)
        elif title and slide.shapes.title is not None:
            box = slide.shapes.title
            box.left, box.top, box.width, box.height = Inches(x), Inches(y), Inches(w), Inches(h)
            if self.template:
                color = ""  # the template's title colour, font and place in the z-order
            else:  # in front of the slide's background shapes
                tree = box._element.getparent()
                tree.remove(box._element)
                tree.append(box._element)
        else:
            box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
        frame = box.text_frame
        frame.word_wrap = not single_line
        frame.auto_size = MSO_AUTO_SIZE.NONE
        for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
            setattr(frame, side, Inches(INSET))
        frame.vertical_anchor = {
            "top": MSO_ANCHOR.TOP,
            "middle": MSO_ANCHOR.MIDDLE,
            "bottom": MSO_ANCHOR.BOTTOM,
        }[anchor]
        for i, lines in enumerate(fitted.paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            para.alignment = ALIGN[align]
            para.line_spacing = Pt(fitted.size * LINE_SPACING)
            para.space_before = Pt(0)  # a template's list style may add space
            if i < len(fitted.paragraphs) - 1:
                para.space_after = Pt(fitted.size * LINE_SPACING * PARAGRAPH_GAP)
            paragraph_color = (colors[i] if colors and i < len(colors) else None) or color
            if bullets:
                _bullet(para)
            if balance and len(lines) > 1:  # break where measured, so the lines stay even
                for k, line in enumerate(lines):
                    if k:
                        para.add_line_break()
                    self._run(para, line.rstrip(), fitted.size, bold, paragraph_color)
            else:
                self._run(para, "".join(lines).rstrip(), fitted.size, bold, paragraph_color)
        return box

    def _run(self, paragraph, text: str, size: float, bold: bool, color: str):
        """A run with size, weight, colour, Latin + East Asian font and language."""
        run = paragraph.add_run()
        run.text = _no_break(text)
        font = run.font
        font.size = Pt(size)
        font.bold = bold
        if not color:  # text in the template's own style: only the East Asian face is set
            rpr = run._r.get_or_add_rPr()
            rpr.set("lang", self.lang)
            etree.SubElement(rpr, qn("a:ea")).set("typeface", self.theme.deck_font)
            return run
        font.color.rgb = RGBColor.from_string(self.theme.colors.get(color, color))
        font.name = self.theme.deck_font
        set_east_asian(run, self.theme.deck_font, self.lang)
        return run

    def picture(self, slide, png: bytes, x, y, w, h, alt: str):
        """A chart image at its drawn size, with its alternative text."""
        picture = slide.shapes.add_picture(
            io.BytesIO(png), Inches(x), Inches(y), Inches(w), Inches(h)
        )
        picture._element.nvPicPr.cNvPr.set("descr", clean(alt))
        return picture

    def chart(self, slide, chart: m.Chart, x, y, w, h, alt: str):
        """Draw `chart` at exactly the size it is placed at: a native chart (data embedded)
        unless pictures were asked for or the kind has no native form."""
        if self.charts == "native" and chart.kind in NATIVE:
            return NATIVE[chart.kind](slide, chart.data, self.style, x, y, w, h, clean(alt))
        png = render_chart(chart.kind, chart.data, self.style, w, h)
        return self.picture(slide, png, x, y, w, h, alt)

    # --- furniture ----------------------------------------------------------------------
    def _title(self, slide, title: str) -> None:
        """The slide title with an accent bar (in a template: the title alone, in the
        template's style, over the content)."""
        if self.template:
            self.text(slide, MARGIN, 0.3, W - 2 * MARGIN, 0.85, title,
                      self.theme.sizes["title"], bold=True, anchor="middle",
                      single_line=True, min_size=16, title=True)  # fmt: skip
            return
        self.rect(slide, MARGIN - 0.2, 0.42, 0.08, 0.55, self.theme.color("accent"))
        self.text(
            slide,
            MARGIN,
            0.33,
            W - 2 * MARGIN,
            0.75,
            title,
            self.theme.sizes["title"],
            color="primary",
            bold=True,
            anchor="middle",
            single_line=True,
            min_size=16,
            title=True,
        )
        line = slide.shapes.add_connector(
            1, Inches(MARGIN), Inches(1.12), Inches(W - MARGIN), Inches(1.12)
        )
        line.line.color.rgb = RGBColor.from_string(self.theme.color("line"))
        line.line.width = Pt(0.75)

    def _in_template(self, slide, model: m.Slide) -> None:
        """Cover, agenda, section divider and closing on the template's own layouts: the title
        in its title placeholder, the rest in its body or subtitle placeholder (or below the
        title when the layout has none), all where and how the template draws them."""
        lines: list[str] = []
        if isinstance(model, m.Cover):
            lines = [model.shop, model.presenter_line, model.date_line]
        elif isinstance(model, m.Catalogue):
            lines = [f"{number}  {title}" for number, title in model.items]
        elif isinstance(model, m.Divider):
            lines = [model.part, model.subtitle]
        elif isinstance(model, m.Closing):
            lines = [model.subtitle]
        sx, sy = self.scale
        title = slide.shapes.title
        if title is not None:
            x, y, w, h = (title.left / sx, title.top / sy, title.width / sx, title.height / sy)
            size = self.theme.sizes["cover_title" if model.layout == "cover" else "divider_title"]
            self.text(slide, Emu(x).inches, Emu(y).inches, Emu(w).inches, Emu(h).inches,
                      model.title, size, min_size=18, balance=True, title=True)  # fmt: skip
            below = Emu(y + h).inches
        else:
            below = 2.0
        body = next(
            (p for p in slide.placeholders if p.placeholder_format.type in BODY_TYPES), None
        )
        if isinstance(model, m.Catalogue):  # the items in one box, not a layout's item slots
            body = None
        lines = [line for line in lines if line]
        twin = layout_twin(slide.slide_layout, body) if body is not None else None
        if body is not None and twin is not None and twin._element.spPr.xfrm is not None:
            body.left, body.top, body.width, body.height = (
                twin.left, twin.top, twin.width, twin.height
            )  # fmt: skip
        if body is not None and lines:
            self.text(slide, body.left / sx / EMU_PER_INCH, body.top / sy / EMU_PER_INCH,
                      body.width / sx / EMU_PER_INCH, body.height / sy / EMU_PER_INCH, lines,
                      self.theme.sizes["subtitle"], min_size=8, color="", shape=body)  # fmt: skip
        elif lines:
            size = self.theme.sizes[
                "catalogue_item" if isinstance(model, m.Catalogue) else "subtitle"
            ]
            self.text(slide, MARGIN * 2, below + 0.2, W - 4 * MARGIN, CONTENT_BOTTOM - below - 0.4,
                      lines, size, min_size=10)  # fmt: skip

    def _furniture(self, slide, model: m.Slide, number: int) -> None:
        """Footnote (source and period) and page number on every slide."""
        color = "white" if model.layout == "divider" and not self.template else "muted"
        if model.footnote:
            self.text(
                slide,
                MARGIN,
                7.02,
                W - 2 * MARGIN - 0.8,
                0.34,
                model.footnote,
                self.theme.sizes["footnote"],
                color=color,
                min_size=6.5,
            )
        self.text(
            slide,
            W - MARGIN - 0.7,
            7.02,
            0.7,
            0.34,
            str(number),
            self.theme.sizes["footnote"],
            color=color,
            align="right",
            single_line=True,
        )

    # --- layouts ------------------------------------------------------------------------
    def _cover(self, slide, model: m.Cover) -> None:
        primary = self.theme.color("primary")
        self.rect(slide, 0, 0, W, H, self.theme.color("white"))
        self.rect(slide, 0, 0, 0.35, H, primary)
        self.rect(slide, 0.35, 5.05, W - 0.35, 0.06, self.theme.color("accent"))
        self.rect(slide, 9.6, 0, W - 9.6, 5.05, self.theme.color("light"))
        self.text(
            slide,
            1.1,
            1.2,
            8.3,
            0.5,
            model.tagline,
            self.theme.sizes["subtitle"],
            color="accent",
            bold=True,
            single_line=True,
        )
        self.text(
            slide,
            1.1,
            1.8,
            8.3,
            2.0,
            model.title,
            self.theme.sizes["cover_title"],
            color="primary",
            bold=True,
            min_size=24,
            balance=True,
            title=True,
        )
        self.text(
            slide,
            1.1,
            3.9,
            8.3,
            0.6,
            model.shop,
            self.theme.sizes["cover_shop"],
            color="text",
            single_line=True,
            min_size=12,
        )
        self.text(
            slide,
            1.1,
            5.45,
            8.0,
            0.45,
            model.presenter_line,
            self.theme.sizes["subtitle"],
            single_line=True,
        )
        self.text(
            slide,
            1.1,
            5.95,
            8.0,
            0.45,
            model.date_line,
            self.theme.sizes["subtitle"],
            single_line=True,
        )

    def _catalogue(self, slide, model: m.Catalogue) -> None:
        self.rect(slide, 0, 0, 4.2, H, self.theme.color("primary"))
        self.text(
            slide,
            0.7,
            2.6,
            3.2,
            1.0,
            model.title,
            self.theme.sizes["catalogue_title"],
            color="white",
            bold=True,
            single_line=True,
            title=True,
        )
        if model.label_en:
            self.text(
                slide,
                0.7,
                3.55,
                3.2,
                0.5,
                model.label_en,
                self.theme.sizes["catalogue_label"],
                color="accent",
                single_line=True,
            )
        rows = (len(model.items) + 1) // 2
        for i, (number, title) in enumerate(model.items):
            col, row = i // rows, i % rows
            x = 5.0 + col * 4.1
            y = 1.6 + row * (4.4 / max(rows, 1))
            self.text(
                slide,
                x,
                y,
                1.0,
                0.8,
                number,
                self.theme.sizes["catalogue_number"],
                color="accent",
                bold=True,
                single_line=True,
            )
            self.text(
                slide,
                x + 1.05,
                y + 0.08,
                2.9,
                0.65,
                title,
                self.theme.sizes["catalogue_item"],
                color="text",
                bold=True,
                anchor="middle",
                min_size=11,
            )

    def _divider(self, slide, model: m.Divider) -> None:
        self.rect(slide, 0, 0, W, H, self.theme.color("primary"))
        self.rect(slide, 1.1, 3.9, 1.2, 0.06, self.theme.color("accent"))
        self.text(
            slide,
            1.1,
            1.9,
            10.0,
            1.0,
            model.part,
            self.theme.sizes["divider_part"],
            color="accent",
            bold=True,
            single_line=True,
        )
        self.text(
            slide,
            1.1,
            2.8,
            11.0,
            1.0,
            model.title,
            self.theme.sizes["divider_title"],
            color="white",
            bold=True,
            single_line=True,
            min_size=20,
            title=True,
        )
        if model.subtitle:
            self.text(
                slide,
                1.1,
                4.15,
                11.0,
                1.2,
                model.subtitle,
                self.theme.sizes["subtitle"],
                color="white",
                min_size=11,
            )

    def _kpis(self, slide, model: m.KpiCards) -> None:
        self._title(slide, model.title)
        cards = model.cards
        per_row = 4 if len(cards) > 3 else len(cards)
        rows = (len(cards) + per_row - 1) // per_row
        top = CONTENT_TOP + 0.1
        summary_h = self._summary_height(model.summary) if model.summary else 0
        gap = 0.25
        card_w = (W - 2 * MARGIN - gap * (per_row - 1)) / per_row
        card_h = min(2.45, (CONTENT_BOTTOM - top - summary_h - gap * (rows - 1)) / rows)
        for i, card in enumerate(cards):
            x = MARGIN + (i % per_row) * (card_w + gap)
            y = top + (i // per_row) * (card_h + gap)
            self._kpi_card(slide, card, x, y, card_w, card_h)
        if model.summary:
            self.text(
                slide,
                MARGIN,
                CONTENT_BOTTOM - summary_h + 0.05,
                W - 2 * MARGIN,
                summary_h - 0.05,
                model.summary.split("\n"),
                self.theme.sizes["body"],
                min_size=9,  # rather than cut: at 10 pt when the tallest height holds it
            )

    SUMMARY_HEIGHTS = (0.75, 0.95, 1.1)
    """Inches a KPI slide's summary may take, the least that holds it at 10 pt: the cards give
    up the rest (an English headline with its cause and campaign was cut at three lines)."""

    def _summary_height(self, summary: str) -> float:
        return self._fit_height(summary, W - 2 * MARGIN, self.SUMMARY_HEIGHTS, 0.05, 10)

    def _fit_height(
        self, text: str, width: float, heights: tuple[float, ...], pad: float, min_size: float
    ) -> float:
        """The least of `heights` (inches, less `pad`) that holds `text` at `min_size` or more
        across `width`, at body size; the largest when none does."""
        font = Font(self.theme.measure_font, False, self.theme.width_margin)
        for h in heights:
            fitted = fit_text(
                [clean(p) for p in text.split("\n")],
                Inches(width - 2 * INSET).pt,
                Inches(h - pad - 2 * INSET).pt,
                self.theme.sizes["body"],
                min_size,
                font,
            )
            if not fitted.truncated:
                return h
        return heights[-1]

    def _kpi_card(self, slide, card: m.Kpi, x, y, w, h) -> None:
        self.rect(
            slide, x, y, w, h, self.theme.color("light"), MSO_SHAPE.ROUNDED_RECTANGLE
        ).adjustments[0] = 0.06
        pad = 0.18
        self.text(
            slide,
            x + pad,
            y + 0.12,
            w - 2 * pad,
            0.38,
            card.label,
            self.theme.sizes["small"] + 1,
            color="muted",
            single_line=True,
        )
        self.text(
            slide,
            x + pad,
            y + 0.47,
            w - 2 * pad,
            0.62,
            card.value,
            self.theme.sizes["kpi_value"],
            color="primary",
            bold=True,
            single_line=True,
            min_size=14,
        )
        lines = [f"{c.label} {ARROWS.get(c.direction, '')}{c.text}" for c in card.changes]
        colors = [
            self.theme.tone(c.tone) if c.direction in ARROWS else "muted" for c in card.changes
        ]
        bar_h = 0.47 if card.attainment_text else 0.1  # down to the target line's top
        self.text(
            slide,
            x + pad,
            y + 1.1,
            w - 2 * pad,
            h - 1.1 - bar_h,
            lines,
            self.theme.sizes["small"],
            colors=colors,
            min_size=8,
        )
        if card.attainment_text:
            by = y + h - 0.42
            self.text(
                slide,
                x + pad,
                by - 0.05,
                w - 2 * pad,
                0.26,
                card.attainment_text,
                self.theme.sizes["attainment"],
                color=self.theme.tone(card.target_tone),
                single_line=True,
                min_size=7,
            )
        if card.attainment is not None:  # a goal: progress towards it (a ceiling has no bar)
            by = y + h - 0.42
            self.rect(slide, x + pad, by + 0.22, w - 2 * pad, 0.08, self.theme.color("line"))
            filled = max(0.0, min(1.0, card.attainment)) * (w - 2 * pad)
            if filled > 0.01:
                self.rect(slide, x + pad, by + 0.22, filled, 0.08, self.theme.color("target"))

    def _cards(self, slide, model: m.NumberedCards) -> None:
        """Two or four cards in a grid; three or five and more as full-width rows (a heading
        that is a whole sentence needs the width); the note in a line under them."""
        self._title(slide, model.title)
        n = len(model.cards)
        rows_layout = n not in (1, 2, 4)
        cols = 1 if rows_layout else min(n, 2)
        rows = (n + cols - 1) // cols
        gap = 0.2 if rows_layout else 0.3
        note_h = 0.55 if model.note else 0.0
        card_w = (W - 2 * MARGIN - gap * (cols - 1)) / cols
        card_h = (CONTENT_BOTTOM - CONTENT_TOP - 0.1 - note_h - gap * (rows - 1)) / rows
        if n <= 2:  # one or two cards: a band, not a wall
            card_h = min(card_h, 2.6)
        head_h = 0.5 if rows_layout else 0.75
        body_x = 1.2 if rows_layout else 0.3  # rows: the body sits under the heading
        body_w, body_h = card_w - body_x - 0.25, card_h - head_h - 0.3
        body_size = min(  # one size for all bodies: cards side by side read as a set
            self.fitting_size(c.body, body_w, body_h, self.theme.sizes["card_body"], 9)
            for c in model.cards
        )
        for i, card in enumerate(model.cards):
            x = MARGIN + (i % cols) * (card_w + gap)
            y = CONTENT_TOP + 0.1 + (i // cols) * (card_h + gap)
            self.rect(slide, x, y, card_w, card_h, self.theme.color("light"))
            self.rect(slide, x, y, 0.07, card_h, self.theme.color("primary"))
            self.text(
                slide,
                x + 0.25,
                y + 0.15,
                1.0,
                head_h if rows_layout else 0.7,
                f"{i + 1:02d}",
                self.theme.sizes["card_number"],
                color="accent",
                bold=True,
                single_line=True,
            )
            self.text(
                slide,
                x + 1.2,
                y + 0.15,
                card_w - 1.4,
                head_h,
                card.heading,
                self.theme.sizes["card_heading"],
                color="primary",
                bold=True,
                anchor="middle",
                min_size=11,
                balance=True,
            )
            top = head_h + 0.2 if card.heading else 0.2  # no heading: the body takes its place
            self.text(
                slide,
                x + (body_x if card.heading else 1.2),
                y + top,
                body_w if card.heading else card_w - 1.4,
                card_h - top - 0.1,
                card.body,
                body_size,
                min_size=9,
            )
        if model.note:
            self.text(
                slide,
                MARGIN,
                CONTENT_BOTTOM - note_h + 0.05,
                W - 2 * MARGIN,
                note_h - 0.05,
                model.note,
                self.theme.sizes["body"] - 1,
                min_size=9,
            )

    def _chart(self, slide, model: m.ChartSlide) -> None:
        self._title(slide, model.title)
        top = CONTENT_TOP + 0.1
        if not model.charts:  # sentences only (delivery without reviews to chart): the page
            # is theirs, not two thirds of white above a strip of bullets (Olist's 物流履约)
            h = CONTENT_BOTTOM - top
            self.rect(slide, MARGIN, top, W - 2 * MARGIN, h, self.theme.color("light"))
            below = 0.3
            if model.heading:
                self.text(slide, MARGIN + 0.3, top + 0.25, W - 2 * MARGIN - 0.6, 0.6,
                          model.heading, self.theme.sizes["panel_heading"], color="primary",
                          bold=True, single_line=True, min_size=11)  # fmt: skip
                below = 1.0
            self.text(slide, MARGIN + 0.6, top + below, W - 2 * MARGIN - 1.2, h - below - 0.3,
                      model.bullets, self.theme.sizes["card_body"], min_size=11, anchor="middle",
                      bullets=True)  # fmt: skip
            return
        if len(model.charts) == 1:
            cw, ch = 8.35, CONTENT_BOTTOM - top
            chart = model.charts[0]
            if chart.caption and model.heading:  # the panel has its heading: caption on top
                self._caption(slide, chart.caption, MARGIN, top, cw)
                self.chart(slide, chart, MARGIN, top + 0.35, cw, ch - 0.35, _alt(chart, model))
            else:
                self.chart(slide, chart, MARGIN, top, cw, ch, _alt(chart, model))
            px = MARGIN + cw + 0.3
            pw = W - MARGIN - px
            self.rect(slide, px, top, pw, ch, self.theme.color("light"))
            self.text(
                slide,
                px + 0.2,
                top + 0.15,
                pw - 0.4,
                0.9,
                model.heading or model.charts[0].caption,
                self.theme.sizes["panel_heading"],
                color="primary",
                bold=True,
                min_size=11,
            )
            self.text(
                slide,
                px + 0.2,
                top + 1.1,
                pw - 0.4,
                ch - 1.25,
                model.bullets,
                self.theme.sizes["panel"],
                min_size=9,
                bullets=True,
            )
            return
        # the least height that holds the bullets at 9 pt; the charts give up the rest (four
        # English bullets on the customers slide were cut at 1.25 in)
        bullets_h = (
            self._fit_height(
                "\n".join(model.bullets),
                W - 2 * MARGIN - 0.4 - BULLET_INDENT / 72,  # (points: the bullets' indent)
                (1.25, 1.5, 1.75),
                0.16,
                9,
            )
            if model.bullets
            else 0
        )
        gap = 0.3
        cw = (W - 2 * MARGIN - gap) / 2
        ch = CONTENT_BOTTOM - top - bullets_h - 0.35
        for i, chart in enumerate(model.charts[:2]):
            x = MARGIN + i * (cw + gap)
            self._caption(slide, chart.caption, x, top, cw)
            self.chart(slide, chart, x, top + 0.35, cw, ch, _alt(chart, model))
        if model.bullets:
            y = CONTENT_BOTTOM - bullets_h
            self.rect(slide, MARGIN, y, W - 2 * MARGIN, bullets_h, self.theme.color("light"))
            self.text(
                slide,
                MARGIN + 0.2,
                y + 0.08,
                W - 2 * MARGIN - 0.4,
                bullets_h - 0.16,
                model.bullets,
                self.theme.sizes["body"] - 1,
                min_size=9,
                bullets=True,
            )

    def _caption(self, slide, caption: str, x, y, w) -> None:
        """A chart's caption, one line above it."""
        self.text(slide, x, y, w, 0.35, caption, self.theme.sizes["chart_caption"],
                  color="primary", bold=True, single_line=True, min_size=9)  # fmt: skip

    def _table(self, slide, model: m.TableSlide) -> None:
        self._title(slide, model.title)
        top = CONTENT_TOP + 0.15
        if model.caption:  # "前 12 / 共 136": the table shows part of a longer list
            self.text(
                slide,
                MARGIN,
                top - 0.08,
                W - 2 * MARGIN,
                0.3,
                model.caption,
                self.theme.sizes["footnote"] + 1,
                color="muted",
                align="right",
                single_line=True,
                min_size=7,
            )
            top += 0.25
        note_h = 0.0
        if model.note:  # as tall as it needs while the rows keep 0.3 in each (the coverage
            # slide's four caveats were cut, "…marketing…", above half a slide of white)
            note_w = W - 2 * MARGIN - (SIDE_PANEL + 0.3 if model.side else 0)
            room = CONTENT_BOTTOM - top - 0.3 * (len(model.rows) + 1)
            heights = tuple(h for h in TABLE_NOTE_HEIGHTS if h <= room) or (0.7,)
            note_h = self._fit_height(model.note, note_w, heights, 0.1, 11)
        avail_h = CONTENT_BOTTOM - top - note_h
        width = W - 2 * MARGIN
        if model.side:  # findings beside the table: a panel on the right
            panel_w = SIDE_PANEL
            px = W - MARGIN - panel_w
            self.rect(slide, px, top, panel_w, avail_h, self.theme.color("light"))
            self.text(
                slide,
                px + 0.2,
                top + 0.12,
                panel_w - 0.4,
                0.5,
                model.side_heading,
                self.theme.sizes["panel_heading"],
                color="primary",
                bold=True,
                single_line=True,
                min_size=11,
            )
            self.text(
                slide,
                px + 0.2,
                top + 0.65,
                panel_w - 0.4,
                avail_h - 0.8,
                model.side,
                self.theme.sizes["panel"] - 1,
                min_size=9,
                bullets=True,
            )
            width -= panel_w + 0.3
        size, row_h = self._table_size(model, avail_h)
        align = model.align or _auto_align(model)
        rows = len(model.rows) + 1
        # a smaller size while it stays readable; else a few long rows with room below them wrap
        # in their cells (the scorecard's "scored on" was cut to "Late deliverie…" above half a
        # slide of white); else the smallest size, and "…"
        first = size
        while size > 9 and sum(_column_needs(model, size, self.theme)) > width:
            size -= 0.5
        wrapped, wrap_size = None, first
        while size < WRAP_BELOW and wrapped is None and wrap_size >= WRAP_BELOW:
            # the largest size at which the cells fit in a few lines each
            wrapped = _wrapped_rows(model, width, wrap_size, align, avail_h, row_h, self.theme)
            wrap_size -= 0 if wrapped else 0.5
        if wrapped is not None:
            size = wrap_size
            widths, heights = wrapped
        else:
            widths = _column_widths(model, width, size, align, self.theme)
            heights = [row_h] * rows
        shape = slide.shapes.add_table(
            rows,
            len(model.columns),
            Inches(MARGIN),
            Inches(top),
            Inches(width),
            Inches(sum(heights)),
        )
        table = shape.table
        for j, w in enumerate(widths):
            table.columns[j].width = Inches(w)
        for i in range(rows):
            table.rows[i].height = Inches(heights[i])
        # a cell is styled through python-pptx once per look (fill, weight, colour, alignment);
        # the other cells of that look are copies of it with their own text (10× faster)
        looks: dict[tuple[str, bool, str, str], Any] = {}
        for i, values in enumerate([model.columns, *model.rows]):
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                fill = (
                    self.theme.color("primary")
                    if i == 0
                    else (self.theme.color("light") if i % 2 == 0 else self.theme.color("white"))
                )
                bold = i == 0 or (i - 1) in model.highlight
                text = (
                    clean(value)
                    if wrapped is not None
                    else _truncate_cell(
                        clean(value), Inches(widths[j] - CELL_PAD).pt, size, bold, self.theme
                    )
                )
                # a highlighted row is a warning (a stockout, a channel under its ROI line, a
                # part to improve): the bad tone, not the headings' blue
                color = (
                    "white"
                    if i == 0
                    else (self.theme.tone("bad") if i - 1 in model.highlight else "text")
                )
                look = (fill, bold, color, align[j])
                if look in looks:
                    tc = copy.deepcopy(looks[look])
                    tc.xpath("./a:txBody/a:p/a:r")[0].text = _no_break(text)
                    cell._tc.getparent().replace(cell._tc, tc)
                    continue
                cell.margin_left = cell.margin_right = Inches(0.06)
                cell.margin_top = cell.margin_bottom = Inches(0.02)
                cell.vertical_anchor = MSO_ANCHOR.MIDDLE
                cell.fill.solid()
                cell.fill.fore_color.rgb = RGBColor.from_string(fill)
                para = cell.text_frame.paragraphs[0]
                para.alignment = ALIGN[align[j]]
                self._run(para, text, size, bold, color)
                looks[look] = cell._tc
        if model.note:
            self.text(
                slide,
                MARGIN,
                CONTENT_BOTTOM - note_h + 0.1,
                width,
                note_h - 0.1,
                model.note,
                self.theme.sizes["body"] - 1,
                min_size=9,
            )

    def _table_size(self, model: m.TableSlide, avail_h: float) -> tuple[float, float]:
        """Font size and row height: the largest size (≤ the theme's table size) whose rows fit."""
        rows = len(model.rows) + 1
        size = float(self.theme.sizes["table"])
        while size > 8 and rows * Pt(size * 2.0).inches > avail_h:
            size -= 0.5
        return size, min(max(Pt(size * 2.0).inches, 0.28), avail_h / rows, Pt(size * 3.0).inches)

    def _closing(self, slide, model: m.Closing) -> None:
        self.rect(slide, 0, 0, W, H, self.theme.color("primary"))
        self.text(
            slide,
            0,
            2.5,
            W,
            1.4,
            model.title,
            self.theme.sizes["closing_title"],
            color="white",
            bold=True,
            align="center",
            single_line=True,
            title=True,
        )
        self.text(
            slide,
            0,
            3.9,
            W,
            0.6,
            model.subtitle,
            self.theme.sizes["closing_subtitle"],
            color="accent",
            align="center",
            single_line=True,
        )


def _alt(chart: m.Chart, model: m.ChartSlide) -> str:
    """A chart's alternative text: what it shows and what it says."""
    if chart.alt:
        return chart.alt
    what = chart.caption or model.heading or model.title
    return f"{what}: {model.bullets[0]}" if model.bullets else what


def set_east_asian(run, typeface: str, lang: str) -> None:
    """Add `a:ea` and `a:cs` right after `a:latin` in the run's properties, and `lang`."""
    rpr = run._r.get_or_add_rPr()
    rpr.set("lang", lang)
    rpr.set("altLang", "en-US")
    latin = rpr.find(qn("a:latin"))
    anchor = latin
    for tag in ("a:ea", "a:cs"):
        node = rpr.find(qn(tag))
        if node is None:
            node = etree.SubElement(rpr, qn(tag))
            anchor.addnext(node)
        node.set("typeface", typeface)
        anchor = node


_NUMBER = re.compile(
    r"^[-+]?[¥$€£R]*\$?[\d,.]+\s*(%|万|亿|[KMB]|天|秒|倍|×|个百分点| pp)?$|^—$|^[▲▼]"
)


def _auto_align(model: m.TableSlide) -> list[str]:
    """Numbers right, text left: a column is numeric when every value looks like a number."""
    out = []
    for j in range(len(model.columns)):
        values = [row[j] for row in model.rows]
        out.append("right" if values and all(_NUMBER.match(v.strip()) for v in values) else "left")
    return out


# a word joiner after the sign of "-¥2.67" / "+$3.4K" / "-0.1 pp", inside dates "2025-11-11"
# and between a number and its 万 / 亿: line breaking allows a break after a hyphen or plus
# before a currency sign or a digit (UAX #14), LibreOffice breaks CJK text inside dates, and
# before any CJK character ("+5.91" at a line's end, "万" on the next)
_NO_BREAK = re.compile(
    r"(?<![A-Za-z0-9])[+\-−](?=[¥$€£\d]|R\$|HK\$)|(?<=\d)-(?=\d)|(?<=\d)(?=[万亿])"
)


def _no_break(text: str) -> str:
    """`text` with a word joiner where a line must not break (see _NO_BREAK)."""
    return _NO_BREAK.sub(lambda sign: sign.group(0) + "\u2060", text)


CELL_PAD = 0.12  # left + right cell margins, inches
SIDE_PANEL = 3.6  # width of the findings panel beside a table, inches


def _column_needs(
    model: m.TableSlide, size: float, theme: Theme, header_words: bool = False
) -> list[float]:
    """Each column's width for its widest cell (header and highlighted rows bold), inches; with
    `header_words`, for the header's widest word (a header that may wrap: "Double 11 2024, same
    phase" over two lines, not the "¥2.0/4M" of a column squeezed beside it)."""
    regular = Font(theme.measure_font, False, theme.width_margin)
    bold = Font(theme.measure_font, True, theme.width_margin)
    need = []
    for j, header in enumerate(model.columns):
        heads = header.split() if header_words and header.strip() else [header]
        widest = max(
            [text_width(h, size, bold) for h in heads]
            + [
                text_width(r[j], size, bold if i in model.highlight else regular)
                for i, r in enumerate(model.rows)
            ]
        )
        # cells that may wrap are measured 5 % narrower (`_wrapped_rows`): a cell as wide as
        # its text would wrap
        need.append(Pt(widest / (0.95 if header_words else 1)).inches + CELL_PAD + 0.04)
    return need


WRAP_LINES = 3  # at most this many lines in a wrapped table cell
WRAP_BELOW = 10.5  # a table whose one-line size would be under this wraps its cells if it can


def _wrapped_rows(
    model: m.TableSlide,
    width: float,
    size: float,
    align: list[str],
    avail_h: float,
    row_h: float,
    theme: Theme,
) -> tuple[list[float], list[float]] | None:
    """Column widths and row heights when the table's text does not fit its columns on one line
    at `size` but fits in at most WRAP_LINES lines a cell within the height there is; else None
    (then cells are cut short). Cells are measured 5 % narrower than they are, as LibreOffice
    breaks a little earlier than the measure."""
    if sum(_column_needs(model, size, theme)) <= width:
        return None  # one line a cell already
    widths = _column_widths(model, width, size, align, theme, header_words=True)
    regular = Font(theme.measure_font, False, theme.width_margin)
    bold = Font(theme.measure_font, True, theme.width_margin)
    line_h = Pt(size * LINE_SPACING).inches
    heights = []
    for i, row in enumerate([model.columns, *model.rows]):  # the header is bold, as highlights
        font = bold if i == 0 or i - 1 in model.highlight else regular
        lines = max(
            len(wrap(clean(text), Inches(w - CELL_PAD).pt * 0.95, size, font)) if text else 1
            for text, w in zip(row, widths, strict=True)
        )
        if lines > WRAP_LINES:
            return None
        heights.append(max(row_h, lines * line_h + 0.1))
    return (widths, heights) if sum(heights) <= avail_h else None


def _column_widths(
    model: m.TableSlide,
    width: float,
    size: float,
    align: list[str],
    theme: Theme,
    header_words: bool = False,
) -> list[float]:
    """Column widths from measured text: numbers get what they need; text columns share the
    rest in proportion to their need (and are shortened with "…" when that is less)."""
    need = _column_needs(model, size, theme, header_words)
    if header_words and sum(need) <= width:
        # the room there is goes first to the headers that wrap, for fewer lines
        full = _column_needs(model, size, theme)
        short = [f - n for f, n in zip(full, need, strict=True)]
        share = min(1.0, (width - sum(need)) / sum(short)) if sum(short) > 0 else 0.0
        need = [n + s * share for n, s in zip(need, short, strict=True)]
    if sum(need) <= width:
        spare = width - sum(need)
        text = [j for j, a in enumerate(align) if a == "left"] or list(range(len(need)))
        return [
            n + (spare * n / sum(need[k] for k in text) if j in text else 0)
            for j, n in enumerate(need)
        ]
    fixed = [j for j, a in enumerate(align) if a != "left"]
    flexible = [j for j in range(len(need)) if j not in fixed]
    room = width - sum(need[j] for j in fixed)
    if not flexible or room < 0.6 * len(flexible):  # too many numbers to fit: scale every column
        return [n * width / sum(need) for n in need]
    widths = {j: need[j] for j in fixed}
    for count, j in enumerate(
        sorted(flexible, key=lambda k: need[k])
    ):  # small columns whole, long ones share
        widths[j] = min(need[j], room / (len(flexible) - count))
        room -= widths[j]
    return [widths[j] for j in range(len(need))]


def _truncate_cell(text: str, width_pt: float, size: float, bold: bool, theme: Theme) -> str:
    """A cell's text shortened with "…" when wider than its column."""
    font = Font(theme.measure_font, bold, theme.width_margin)
    if text_width(text, size, font) <= width_pt:
        return text
    # no glyph is narrower than a quarter of the size: longer text cannot fit, cut it first;
    # then the longest prefix that fits, by bisection (a 5,000-character name stays fast)
    text = text[: int(width_pt / (size * 0.25)) + 1]
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid] + "…", size, font) <= width_pt:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def _drop_empty_placeholders(slide) -> None:
    """Placeholders a layout brought that nothing was written into (they would show "Click to
    add text" in PowerPoint)."""
    for shape in list(slide.placeholders):
        if shape.placeholder_format.type in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE):
            continue
        if shape.has_text_frame and not shape.text_frame.text.strip():
            shape._element.getparent().remove(shape._element)


def _rescale(slide, sx: float, sy: float) -> None:
    """Scale a slide drawn on 13.33 × 7.5 in to the template's size: positions, sizes, table
    grids, and text and chart text sizes (by the smaller factor, so text keeps fitting)."""
    size = min(sx, sy)
    for shape in slide.shapes:
        if shape.left is None:
            continue
        shape.left, shape.top = int(shape.left * sx), int(shape.top * sy)
        shape.width, shape.height = int(shape.width * sx), int(shape.height * sy)
        if getattr(shape, "has_chart", False) and shape.has_chart:
            _scale_sizes(shape.chart._chartSpace, size)
    _scale_sizes(slide._element, size)
    for body, keys in ((qn("a:bodyPr"), ("lIns", "rIns", "tIns", "bIns")),
                       (qn("a:tcPr"), ("marL", "marR", "marT", "marB"))):  # fmt: skip
        for node in slide._element.iter(body):
            for key in keys:
                if node.get(key) is not None:
                    node.set(key, str(int(int(node.get(key)) * size)))
    for column in slide._element.iter(qn("a:gridCol")):
        column.set("w", str(int(int(column.get("w")) * sx)))
    for row in slide._element.iter(qn("a:tr")):
        row.set("h", str(int(int(row.get("h")) * sy)))


def _scale_sizes(root, factor: float) -> None:
    for props in root.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")):
        if props.get("sz"):
            props.set("sz", str(max(100, int(int(props.get("sz")) * factor))))
    for points in root.iter(qn("a:spcPts")):
        points.set("val", str(int(int(points.get("val")) * factor)))


def write_deck(
    slides: list[m.Slide],
    theme: Theme,
    language: str,
    symbol: str,
    words: dict[str, str],
    path: Path,
    charts: str = "native",
    properties: dict[str, Any] | None = None,
    template: Path | None = None,
    layouts: dict[str, str] | None = None,
) -> None:
    """Draw every slide and write the deck to `path`: saved to a temporary file beside it, then
    renamed into place, so a crash never leaves half a deck. The file gets the permissions of
    a file the user creates (umask), and the document properties (title, subject, author,
    keywords, created) from `properties`."""
    renderer = Renderer(theme, Style(theme, language, symbol, words), charts, template, layouts)
    renderer.render(slides)
    core = renderer.prs.core_properties
    for name, value in (properties or {}).items():
        setattr(core, name, value)
    core.language = renderer.lang
    atomic_write(path, renderer.save)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """`write` a temporary file beside `path`, give it the user's default permissions, and
    rename it into place; nothing is left behind when writing fails (or the run is stopped),
    and our own temporary files older than an hour (a killed run's) are removed first."""
    remove_stale(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, file_mode())
        os.replace(temp, path)
    except OSError as exc:
        written = Path(temp).stat().st_size if Path(temp).exists() else 0
        Path(temp).unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            free = shutil.disk_usage(path.parent).free
            raise RunError(
                f"{path}: the disk is full ({free / 1e6:.1f} MB free; the deck needs more than "
                f"{written / 1e6:.1f} MB). Free some space; the previous file is unchanged."
            ) from None
        raise
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


STALE_SECONDS = 3600


def remove_stale(path: Path, suffixes: tuple[str, ...] = ("tmp",)) -> None:
    """Temporary files of ours beside `path` (`.<stem>.*.<suffix>`) left by a run that was
    killed (over an hour old)."""
    now = time.time()
    for suffix in suffixes:
        for old in path.parent.glob(f".{glob.escape(path.stem)}.*.{suffix}"):
            with contextlib.suppress(OSError):
                if now - old.stat().st_mtime > STALE_SECONDS:
                    old.unlink()


def _bullet(paragraph) -> None:
    """A "•" bullet in the paragraph's properties, the lines hanging by `BULLET_INDENT`."""
    ppr = paragraph._p.get_or_add_pPr()
    ppr.set("marL", str(Pt(BULLET_INDENT)))
    ppr.set("indent", str(-Pt(BULLET_INDENT)))
    etree.SubElement(ppr, qn("a:buFont")).set("typeface", "Arial")
    etree.SubElement(ppr, qn("a:buChar")).set("char", "•")
