"""The deck opened by a real client: LibreOffice converts it, every page shows content, Chinese
is drawn in a CJK font (no missing glyphs), and no text is drawn outside its box, as LibreOffice
lays the text out (an overflow check independent of our own text measurement)."""

from __future__ import annotations

import re
import subprocess

import pytest
from PIL import Image
from pptx import Presentation

from tests.deckcheck import (
    blank_charts,
    broken_ticks,
    drawn_outside,
    pdf_pages,
    render_pdf,
    slides_text,
)

pytestmark = pytest.mark.slow  # LibreOffice renders whole decks


@pytest.mark.parametrize(
    "kind",
    [
        "deck",
        "annual_deck",
        "campaign_deck",
        "weekly_deck",
        "weekly_deck_en",
        "review_deck",
        "review_deck_en",
        "portfolio_deck",
    ],
)
def test_libreoffice_renders_every_slide(kind, request, tmp_path):
    deck = request.getfixturevalue(kind)
    deck = getattr(deck, "path", deck)
    pdf = render_pdf(deck, tmp_path)
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == len(Presentation(str(deck)).slides)
    for number, page in enumerate(pages, start=1):
        image = Image.open(page).convert("L")
        width, height = image.size
        body = image.crop(
            (0, int(height * 0.15), width, int(height * 0.9))
        )  # below the title, above the footer
        inked = sum(body.histogram()[:235]) / (body.width * body.height)
        assert inked > 0.02, f"slide {number} looks empty ({inked:.1%} of the body inked)"
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    chinese = any(
        re.search(r"[\u4e00-\u9fff]", t) for texts in slides_text(deck) for t in texts
    )  # the demo's English decks have no Chinese left (`names:`)
    assert ("CJK" in fonts) == chinese, fonts
    assert drawn_outside(deck, pdf) == []
    assert broken_ticks(deck, pdf) == []  # a date tick drawn whole ("10.20", not "10-" / "20")
    # every native chart drew its series (bars and lines are in the theme's blues or accent)
    assert blank_charts(deck, pdf, tmp_path, ["1F4E79", "2E75B6", "E8A33D"]) == []
