"""The company's template (issue 10): layouts found by role in two real templates (a corporate
.potx saved by PowerPoint, and LibreOffice's own Focus template as LibreOffice saves it), decks
built on them with the template's size, layouts and colours, titles in placeholders."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from PIL import Image
from pptx import Presentation

from shopreport import api
from shopreport.errors import ConfigError
from shopreport.render.template import find_layouts, open_template
from tests.conftest import DECK_DAY
from tests.deckcheck import overflowing, pdf_pages, render_pdf, soffice

TEMPLATES = Path(__file__).parent / "samples" / "templates"
SWEDBANK = TEMPLATES / "swedbankpay.potx"
FOCUS_OTP = Path("/usr/lib/libreoffice/share/template/common/presnt/Focus.otp")


def _names(chosen: dict) -> dict[str, str]:
    return {role: layout.name for role, layout in chosen.items()}


def test_a_potx_opens_without_its_sample_slides():
    prs = open_template(SWEDBANK)
    assert len(prs.slides) == 0  # it ships 5
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)


def test_layouts_of_a_corporate_template_are_found_by_role():
    names = _names(find_layouts(open_template(SWEDBANK)))
    assert names["cover"] == "Start slide with yellow background"
    assert names["agenda"] == "Agenda with bullets"
    assert names["section"] == "Chapter slide - yellow background"
    assert names["content"] == "Content - one column"
    # no title-only layout: the one-column content layout (its body is left out when empty)
    assert names["title_only"] == "Content - one column"
    # the end slide has no title placeholder ("谢谢" must be a title): the cover layout
    assert names["closing"] == "Start slide with yellow background"


def test_the_config_names_layouts_and_a_wrong_name_is_explained():
    prs = open_template(SWEDBANK)
    chosen = find_layouts(prs, {"section": "Chapter slide - white with image"})
    assert chosen["section"].name == "Chapter slide - white with image"
    with pytest.raises(ConfigError, match="no layout 'Chapter' for section.*Agenda with bullets"):
        find_layouts(prs, {"section": "Chapter"})


def test_a_file_that_is_not_a_template_is_a_config_error(tmp_path):
    bad = tmp_path / "company.pptx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"company\.pptx is not a PowerPoint file"):
        open_template(bad)


@pytest.fixture(scope="module")
def focus_template(tmp_path_factory) -> Path:
    """LibreOffice's Focus template, saved as .pptx by the installed LibreOffice."""
    folder = tmp_path_factory.mktemp("focus")
    subprocess.run(
        [soffice(), f"-env:UserInstallation=file://{folder}/profile", "--headless",
         "--convert-to", "pptx", "--outdir", str(folder), str(FOCUS_OTP)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    return folder / "Focus.pptx"


@pytest.mark.slow
def test_layouts_of_a_libreoffice_template_are_found_by_role(focus_template):
    prs = open_template(focus_template)
    chosen = find_layouts(prs)
    masters = list(prs.slide_masters)
    assert chosen["cover"].name == "Title Slide"
    # no section layout in a LibreOffice export: the title slide
    assert chosen["section"].name == "Title Slide"
    assert chosen["title_only"].name == "Title Only"
    # the cover look is master 1 of 4, the content look a plainer master
    assert chosen["cover"].slide_master == masters[0]
    assert chosen["title_only"].slide_master != masters[0]


def _config(demo_shop: Path, tmp_path: Path, template: Path) -> Path:
    raw = yaml.safe_load(demo_shop.read_text(encoding="utf-8"))
    for table in raw["data"].values():
        table["path"] = str(demo_shop.parent / table["path"])
    raw["template"] = str(template)
    path = tmp_path / "shopreport.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize("which", ["swedbank", "focus"])
def test_a_deck_on_a_real_template(which, demo_shop, tmp_path, request):
    template = SWEDBANK if which == "swedbank" else request.getfixturevalue("focus_template")
    size = (12192000, 6858000) if which == "swedbank" else (10080625, 5670550)
    built = api.build_deck(
        _config(demo_shop, tmp_path, template), "monthly", "2026-10",
        out=tmp_path / "deck.pptx", today=DECK_DAY,
    )  # fmt: skip
    prs = Presentation(str(built.path))
    assert (prs.slide_width, prs.slide_height) == size
    layouts = {
        lay.name for master in open_template(template).slide_masters for lay in master.slide_layouts
    }
    for number, slide in enumerate(prs.slides, start=1):
        assert slide.slide_layout.name in layouts, number
        assert slide.shapes.title is not None and slide.shapes.title.text_frame.text.strip()
        for shape in slide.shapes:  # everything on the slide
            assert shape.left + shape.width <= size[0] + 9525, (number, shape.name)
            assert shape.top + shape.height <= size[1] + 9525, (number, shape.name)
    if which == "swedbank":
        assert prs.slides[0].slide_layout.name == "Start slide with yellow background"
        # the template's colours: its first accent (dk2 is black) for the numbers
        values = [  # the KPI cards' values: the largest text on the slide
            r.font.color.rgb
            for s in prs.slides[3].shapes
            if s.has_text_frame
            for p in s.text_frame.paragraphs
            for r in p.runs
            if r.font.size and r.font.size.pt == 26
        ]
        assert len(values) == 8 and {str(c) for c in values} == {"EE7023"}
    assert overflowing(built.path) == []
    pdf = render_pdf(built.path, tmp_path)
    pages = pdf_pages(pdf, tmp_path)
    assert len(pages) == len(prs.slides)
    for number, page in enumerate(pages, start=1):
        image = Image.open(page).convert("L")
        inked = sum(image.histogram()[:235]) / (image.width * image.height)
        assert inked > 0.02, f"slide {number} looks empty"
