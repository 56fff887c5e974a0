"""Editable decks (issue 10): native charts with their data embedded, valid chart parts, titles
in placeholders, speaker notes, alt text, document properties, file permissions, PDF and PNG
beside the deck. The sample slides are drawn by the real renderer and opened by the real
LibreOffice; the demo deck tests use the session's monthly deck."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import fastexcel
import pytest
from lxml import etree
from PIL import Image
from pptx import Presentation
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches

from shopreport.deck import model as m
from shopreport.deck.narrative import Narrator
from shopreport.render.export import ExportError, to_pdf
from shopreport.render.pptx import atomic_write, write_deck
from shopreport.render.theme import load_theme
from tests.conftest import run_cli
from tests.deckcheck import blank_charts, bullets, overflowing, plain, slides_text

# hand-chosen values whose labels are worked out below
SAMPLE_CHARTS = [
    m.Chart(
        "hbar",
        {"labels": ["家用电器", "美妆护肤"], "values": [123456.0, 54321.0], "unit": "money"},
        caption="类目 GMV",
    ),
    m.Chart(
        "share_and_rate",
        {
            "labels": ["搜索", "直播"],
            "shares": [0.6, 0.4],
            "rates": [0.03, 0.055],
            "share_label": "访客占比",
            "rate_label": "转化率",
        },
        caption="渠道",
    ),
    m.Chart(
        "bridge",
        {
            "before": 1_000_000.0,
            "after": 1_300_000.0,
            "effects": {"visitors": 400_000.0, "conversion": -200_000.0, "aov": 100_000.0},
        },
        caption="拆解",
    ),
    m.Chart(
        "stacked",
        {"labels": ["≤10s", "10-30s"], "parts": {"机器人": [5, 1], "人工": [1, 4]}},
        caption="响应",
    ),
    m.Chart("donut", {"labels": ["一线", "新一线"], "values": [3, 7]}, caption="城市"),
    m.Chart(
        "bars",
        {"labels": ["新买家", "老买家"], "series": {"买家数": [70, 30]}, "unit": "count"},
        caption="新老",
    ),
    m.Chart(
        "daily_trend",
        {
            "gmv": [100.0, 300.0, 200.0],
            "previous_gmv": [120.0, None, 180.0],
            "last_year_gmv": [90.0, 80.0, 70.0],
        },
        caption="日销",
    ),
    m.Chart("funnel", {"labels": ["访客", "加购", "下单", "支付"], "counts": [1000, 100, 40, 30]}),
    m.Chart(
        "heatmap",
        {
            "matrix": [[1.0, 0.125], [1.0, None]],
            "cohorts": ["2026-09", "2026-10"],
            "sizes": [100, 80],
            "size_label": "人数",
            "x_label": "首购后月数",
        },
    ),
    # a change that fell, one that did not move: their signs in the 万 format
    m.Chart(
        "bars",
        {
            "labels": ["甲", "乙", "丙"],
            "series": {"环比": [150000.0, -23456.0, 0.0]},
            "unit": "money",
        },
        caption="变化",
    ),
]


def _slides() -> list[m.Slide]:
    return [
        m.ChartSlide("chart", f"样例 {c.kind}", "数据来源：测试", charts=[c], heading="说明")
        for c in SAMPLE_CHARTS
    ]


def _write(path: Path, charts: str, language: str = "zh-CN") -> Path:
    theme = load_theme()
    words = Narrator(language, "¥").words
    write_deck(_slides(), theme, language, "¥", words, path, charts=charts)
    return path


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return _write(tmp_path_factory.mktemp("native") / "sample.pptx", "native")


def _frames(prs):
    for number, slide in enumerate(prs.slides, start=1):
        for shape in slide.shapes:
            yield number, shape


def test_every_chart_kind_is_native_with_its_data_embedded(sample):
    prs = Presentation(str(sample))
    charts = [s for _, s in _frames(prs) if getattr(s, "has_chart", False) and s.has_chart]
    pictures = [s for _, s in _frames(prs) if s.shape_type == 13]
    assert pictures == []
    assert len(charts) == 8  # funnel = shapes, heatmap = table
    hbar = charts[0].chart
    assert list(hbar.plots[0].categories) == ["家用电器", "美妆护肤"]
    assert list(hbar.series[0].values) == [123456.0, 54321.0]
    # the workbook behind "Edit Data" holds the same numbers
    blob = hbar.part.chart_workbook.xlsx_part.blob
    frame = fastexcel.read_excel(blob).load_sheet(0, header_row=None).to_polars()
    rows = [r for r in frame.rows() if r[0]]  # the header row (empty series name) left out
    assert [(r[0], float(r[1])) for r in rows] == [("家用电器", 123456.0), ("美妆护肤", 54321.0)]
    heatmap = next(s for n, s in _frames(prs) if n == 9 and s.has_table).table
    assert heatmap.cell(1, 2).text == "12.5"  # 0.125 retained after one month
    assert heatmap.cell(1, 1).text == "100"


def test_combo_chart_has_a_line_on_a_second_axis(sample):
    prs = Presentation(str(sample))
    chart = next(s for n, s in _frames(prs) if n == 2 and getattr(s, "has_chart", False)).chart
    area = chart._chartSpace.chart.plotArea
    bar, line = area.find(qn("c:barChart")), area.find(qn("c:lineChart"))
    assert len(bar.findall(qn("c:ser"))) == 1 and len(line.findall(qn("c:ser"))) == 1
    bar_axes = {a.get("val") for a in bar.findall(qn("c:axId"))}
    line_axes = {a.get("val") for a in line.findall(qn("c:axId"))}
    assert bar_axes.isdisjoint(line_axes)
    right = [a for a in area.findall(qn("c:valAx")) if a.find(qn("c:axId")).get("val") in line_axes]
    assert right[0].find(qn("c:axPos")).get("val") == "r"


def test_chart_parts_are_valid(sample, deck):
    """What PowerPoint checks before it offers to repair a file: unique series indexes, axes
    that exist, point counts that match, and the embedded workbook present."""
    for path in (sample, deck):
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
            parts = [n for n in names if n.startswith("ppt/charts/chart") and n.endswith(".xml")]
            assert parts
            for name in parts:
                root = etree.fromstring(package.read(name))
                sers = root.iter(qn("c:ser"))
                indexes = [s.find(qn("c:idx")).get("val") for s in sers]
                assert len(indexes) == len(set(indexes)), name
                axes = {a.find(qn("c:axId")).get("val") for a in _axes(root)}
                for plot in root.find(qn("c:chart")).find(qn("c:plotArea")):
                    for ref in plot.findall(qn("c:axId")):
                        assert ref.get("val") in axes, name
                for cache in root.iter(qn("c:numCache"), qn("c:strCache")):
                    count = int(cache.find(qn("c:ptCount")).get("val"))
                    for point in cache.findall(qn("c:pt")):
                        assert int(point.get("idx")) < count, name
                rels = package.read(name.replace("charts/", "charts/_rels/") + ".rels")
                target = etree.fromstring(rels)[0].get("Target").replace("../", "ppt/")
                assert target in names, name


def _axes(root):
    area = root.find(qn("c:chart")).find(qn("c:plotArea"))
    return [a for tag in ("c:catAx", "c:valAx", "c:dateAx") for a in area.findall(qn(tag))]


@pytest.mark.slow
def test_libreoffice_draws_every_chart_with_its_number_formats(sample, tmp_path):
    pdf = to_pdf(sample, keep=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace(" ", "")
    # 123,456 in the deck's money style, and 54,321 beside it in the same unit: one unit a
    # chart (5.43万 can't be a number format: one decimal, as fmt_money writes 万)
    assert "¥12.3万" in text and "¥5.4万" in text and "54,321" not in text
    assert "60.0%" in text and "5.5%" in text  # share bar and rate line both drawn
    assert "+¥40.0万" in text and "-¥20.0万" in text and "¥130.0万" in text  # bridge labels
    assert "¥15.0万" in text and "-¥2.3万" in text  # a fall keeps its sign (¥2.3万 without)
    assert "一线30.0%" in text  # donut legend
    # the first series of every chart is drawn, in the theme's primary or secondary blue
    assert blank_charts(sample, pdf, tmp_path, ["1F4E79", "2E75B6"]) == []


@pytest.mark.slow
def test_english_charts_label_in_one_unit(tmp_path):
    """¥123,456 and ¥54,321 in one chart: ¥123.5K and ¥54.3K; the changes ¥150,000, -¥23,456
    and 0: ¥150.0K and -¥23.5K (the conditional format dropped the sign: ¥23,456)."""
    pdf = to_pdf(_write(tmp_path / "en.pptx", "native", "en"), keep=True)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout.replace(" ", "")
    assert "¥123.5K" in text and "¥54.3K" in text and "54,321" not in text
    assert "¥150.0K" in text and "-¥23.5K" in text


@pytest.mark.slow
def test_small_bars_beside_a_million_are_labelled_in_thousands(tmp_path):
    """Online Retail's countries: the UK's £1,300,000 beside £31,800 and £6,500 read "£0.03M"
    and "£0.01M" in one unit; below a million they are written in K: £1.30M, £31.8K, £6.5K, and
    a country that bought nothing 0."""
    chart = m.Chart(
        "hbar",
        {
            "labels": ["UK", "EIRE", "Spain", "Peru"],
            "values": [1_300_000.0, 31_800.0, 6_500.0, 0.0],
        },
        caption="Countries",
    )
    slide = m.ChartSlide("chart", "Regions", "Source: test", charts=[chart], heading="Note")
    deck = tmp_path / "uk.pptx"
    write_deck([slide], load_theme(), "en", "£", Narrator("en", "£").words, deck, charts="native")
    text = subprocess.run(
        ["pdftotext", "-layout", str(to_pdf(deck, keep=True)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace(" ", "")
    assert "£1.30M" in text and "£31.8K" in text and "£6.5K" in text and "£0.03M" not in text
    assert "£0.0K" not in text  # a bar of nothing reads 0


LONG_SUMMARY = (
    "GMV ¥5.05M, up 2.2% MoM and up 9.4% YoY; target ¥5.54M, 91.2% reached, ¥487.1K short, "
    "mostly because 简约净水器 was out of stock from Oct 4 (-¥471.5K MoM); growth came mostly "
    "from traffic (+¥783.7K; visitors (UV) up 17.0% MoM, 推荐 bringing the most (+59.1K "
    "visitors), though its GMV went down 5.3%), partly offset by conversion (-¥365.2K) and AOV "
    "(-¥308.6K); by source, 直播 added the most (+¥347.1K); this month had Double 11 2026 "
    "(¥2.21M, 43.8% of its GMV)."
)


def test_a_long_kpi_summary_takes_height_from_the_cards(tmp_path):
    """The demo's English October headline, with its cause, the target's miss and the campaign,
    was cut at three lines ("43.8% of its…"): the summary takes the height it needs (up to
    1.1 in) and the cards give it up, their change lines still at one size."""
    card = m.Kpi("GMV", "¥5.05M", [m.Change("MoM", "2.2%", "up"), m.Change("YoY", "9.4%", "up")])
    goal = m.Kpi(
        "GMV",
        "¥5.05M",
        [m.Change("MoM", "2.2%", "up"), m.Change("YoY", "9.4%", "up")],
        attainment=0.912,
        attainment_text="Target ¥5.54M · 91.2% reached",
    )
    slide = m.KpiCards(
        "kpis", "Key metrics", "Source", cards=[goal, card] * 4, summary=LONG_SUMMARY
    )
    deck = tmp_path / "kpi.pptx"
    write_deck([slide], load_theme(), "en", "¥", Narrator("en", "¥").words, deck, charts="native")
    shapes = list(Presentation(str(deck)).slides[0].shapes)
    summary = next(s for s in shapes if s.has_text_frame and s.text_frame.text.startswith("GMV ¥"))
    assert plain(summary.text_frame.text) == LONG_SUMMARY
    sizes = {
        r.font.size.pt
        for s in shapes
        if s.has_text_frame and s.text_frame.text.startswith("MoM")
        for p in s.text_frame.paragraphs
        for r in p.runs
    }
    assert len(sizes) == 1  # a card with a target line keeps the others' size


def test_bullets_are_the_paragraphs_not_characters_of_their_text(tmp_path):
    """A "• " written into the text was drawn by LibreOffice as a CJK "・" before Chinese text
    and as "•" before a number, in one list (the annual deck's 大促拉动 panel): a bulleted
    paragraph carries its bullet (Arial "•") and hangs its lines after it."""
    chart = m.Chart("donut", {"labels": ["一线", "新一线"], "values": [3, 7]}, caption="城市")
    bullets_ = ["全年峰值在11月11日：¥126.5万，是普通日的10.1倍。", "2025年双11成交¥689.3万。"]
    slide = m.ChartSlide(
        "chart", "大促与日常销售", "数据来源：测试", charts=[chart], heading="大促拉动"
    )
    slide.bullets = bullets_
    deck = tmp_path / "b.pptx"
    write_deck([slide], load_theme(), "zh-CN", "¥", Narrator("zh-CN", "¥").words, deck)
    assert bullets(deck) == ["•", "•"]
    joined = "\n".join(slides_text(deck)[0])
    assert all(b in joined for b in bullets_) and "•" not in joined
    assert overflowing(deck) == []


def test_a_chart_slide_without_charts_gives_its_sentences_the_page(tmp_path):
    """Olist's 物流履约 had no reviews of late orders to chart: three bullets at the foot of two
    thirds of white. They take the page, from its top."""
    lines = [
        "及时发货率（48小时内）37.4%。",
        "平均14.6天送达；延迟送达率12.9%。",
        "主要因为超时发货。",
    ]
    slide = m.ChartSlide("chart", "物流履约", "数据来源：测试", bullets=lines)
    deck = tmp_path / "s.pptx"
    write_deck([slide], load_theme(), "zh-CN", "¥", Narrator("zh-CN", "¥").words, deck)
    shapes = Presentation(str(deck)).slides[0].shapes
    box = next(s for s in shapes if s.has_text_frame and "37.4%" in s.text_frame.text)
    assert Emu(box.top).inches < 2.0 and Emu(box.height).inches > 4.0
    assert overflowing(deck) == []


def test_a_table_note_takes_the_room_its_caveats_need(tmp_path):
    """The coverage slide's caveats were cut in a fixed 0.7 in ("…marketing…") above half a
    slide of white: a long note under a short table is shown whole."""
    caveat = "* The data ends on 2026-04-08, before 2026-04 ends: its figures cover the days "
    note = " ".join([caveat + "to 2026-04-08 and are compared with the same days before."] * 5)
    slide = m.TableSlide("table", "Appendix: data coverage", "Source", columns=["Table", "Rows"],
                         rows=[["orders", "57"], ["refunds", "0"]], note=note)  # fmt: skip
    deck = tmp_path / "t.pptx"
    write_deck([slide], load_theme(), "en", "¥", Narrator("en", "¥").words, deck)
    shapes = Presentation(str(deck)).slides[0].shapes
    box = next(s for s in shapes if s.has_text_frame and s.text_frame.text.startswith("* The"))
    assert plain(box.text_frame.text) == note
    assert overflowing(deck) == []


def test_picture_mode_draws_pictures_with_alt_text(tmp_path):
    path = _write(tmp_path / "pictures.pptx", "image")
    prs = Presentation(str(path))
    pictures = [s for _, s in _frames(prs) if s.shape_type == 13]
    assert len(pictures) == len(SAMPLE_CHARTS)
    assert all(p._element.nvPicPr.cNvPr.get("descr") for p in pictures)


def test_titles_notes_alt_text_and_properties(deck):
    prs = Presentation(str(deck))
    for number, slide in enumerate(prs.slides, start=1):
        title = slide.shapes.title
        assert title is not None and title.text_frame.text.strip(), f"slide {number}"
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), number
        for shape in slide.shapes:
            if (getattr(shape, "has_chart", False) and shape.has_chart) or shape.shape_type == 13:
                assert shape._element.xpath("./*[1]/p:cNvPr/@descr")[0].strip(), number
    assert prs.slides[0].shapes.title.text_frame.text.replace("\x0b", " ") == (
        "2026年10月 电商月总结汇报"
    )
    kpis = prs.slides[3].notes_slide.notes_text_frame.text
    assert "支付转化率: 支付买家数 ÷ 访客数" in kpis  # the definition of a metric shown
    assert "本页指标口径" in kpis and "数据来源" in kpis
    core = prs.core_properties
    assert core.title == "2026年10月 电商月总结汇报"
    assert core.author == "李明（运营负责人）"
    assert "悦享生活旗舰店" in core.keywords and "2026-10" in core.keywords
    assert core.created.date().isoformat() == "2026-11-20"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_written_with_the_users_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        target = tmp_path / "deck.pptx"
        atomic_write(target, lambda p: p.write_bytes(b"x"))
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == ["deck.pptx"]  # no temporary file left


def test_missing_libreoffice_is_a_clear_error_before_any_work(tmp_path, monkeypatch, demo_shop):
    monkeypatch.setenv("PATH", str(tmp_path))  # no soffice, no libreoffice
    out = tmp_path / "deck.pptx"
    result = run_cli("build", "--config", demo_shop, "--month", "2026-10", "--out", out, "--pdf")
    assert result.code == 1
    assert "apt-get install libreoffice-impress" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()
    with pytest.raises(ExportError, match="soffice"):
        to_pdf(out)


def test_pdf_and_png_beside_the_deck(demo_shop, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # paths as a user types them: relative to where they are
    out = tmp_path / "deck.pptx"
    result = run_cli(
        "build", "--config", demo_shop, "--month", "2026-10", "--out", "deck.pptx", "--pdf",
        "--png", "png",
    )  # fmt: skip
    assert result.code == 0, result.err
    slides = len(Presentation(str(out)).slides)
    assert out.with_suffix(".pdf").exists()
    pngs = sorted((tmp_path / "png").iterdir())
    assert [p.name for p in pngs] == [f"deck-{i:02d}.png" for i in range(1, slides + 1)]
    assert Image.open(pngs[0]).size[0] > 1200
    assert "writing the PDF" in result.err and f"({slides} PNG)" in result.out
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_a_failed_conversion_leaves_nothing_and_keeps_the_earlier_deck(
    demo_shop, tmp_path, monkeypatch
):
    """--pdf --png: the PDF is made, then drawing the images fails. No PDF, no image, no hidden
    file, and the deck written by an earlier run is still the earlier one."""
    from shopreport.render import export

    out = tmp_path / "deck.pptx"
    out.write_bytes(b"the earlier deck")
    (tmp_path / "png").mkdir()

    def fails(pdf, folder, stem, dpi=110):
        raise export.ExportError("pdftoppm could not draw it")

    monkeypatch.setattr(export, "to_png", fails)
    result = run_cli(
        "build", "--config", demo_shop, "--month", "2026-10", "--out", out, "--pdf",
        "--png", tmp_path / "png",
    )  # fmt: skip
    assert result.code == 1 and "pdftoppm could not draw it" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx", "png"]
    assert out.read_bytes() == b"the earlier deck"
    assert list((tmp_path / "png").iterdir()) == []


def test_png_folder_that_cannot_be_made_is_refused_before_any_work(demo_shop, tmp_path):
    (tmp_path / "notes.txt").write_text("a file where the folder would go")
    result = run_cli(
        "build", "--config", demo_shop, "--month", "2026-10", "--out", tmp_path / "d.pptx",
        "--png", tmp_path / "notes.txt" / "png",
    )  # fmt: skip
    assert result.code == 2, result.err
    assert f"--png: {tmp_path / 'notes.txt'} is a file, not a folder" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_renderer_round_trip_keeps_every_chart(sample, tmp_path):
    """Opened and saved again by python-pptx, the deck still has its charts and values."""
    again = tmp_path / "again.pptx"
    Presentation(str(sample)).save(str(again))
    prs = Presentation(str(again))
    charts = [s.chart for _, s in _frames(prs) if getattr(s, "has_chart", False) and s.has_chart]
    assert len(charts) == 8
    assert list(charts[5].series[0].values) == [70.0, 30.0]


def test_every_run_in_a_chart_has_the_east_asian_font(sample):
    with zipfile.ZipFile(sample) as package:
        for name in package.namelist():
            if name.startswith("ppt/charts/chart") and name.endswith(".xml"):
                root = etree.fromstring(package.read(name))
                for props in root.iter(qn("a:defRPr"), qn("a:rPr")):
                    ea = props.find(qn("a:ea"))
                    assert ea is not None and ea.get("typeface") == "Microsoft YaHei", name


def test_table_cells_keep_their_own_text_and_look(tmp_path):
    """A cell is styled once per look and the others of that look copied from it: each cell
    must keep its own text, the header its dark fill, the highlighted row its bold red text (a
    warning: it was the headings' blue),
    the bands their alternating fills; a sign before a currency stays joined to it."""
    table = m.TableSlide(
        "table",
        "渠道花费",
        "数据来源：测试",
        columns=["渠道", "花费"],
        rows=[["直通车", "-¥2.67"], ["钻展", "¥1.00"], ["自然搜索", "¥0"]],
        align=["left", "right"],
        highlight=[1],
    )
    path = tmp_path / "table.pptx"
    write_deck([table], load_theme(), "zh-CN", "¥", Narrator("zh-CN", "¥").words, path)
    shape = next(s for s in Presentation(str(path)).slides[0].shapes if s.has_table)
    cells = [list(row.cells) for row in shape.table.rows]
    assert [[c.text for c in row] for row in cells] == [
        ["渠道", "花费"],
        ["直通车", "-\u2060¥2.67"],
        ["钻展", "¥1.00"],
        ["自然搜索", "¥0"],
    ]
    assert [str(row[0].fill.fore_color.rgb) for row in cells] == [
        "1F4E79",  # header: primary
        "FFFFFF",  # odd rows white, even rows light
        "EEF3F8",
        "FFFFFF",
    ]
    runs = [[c.text_frame.paragraphs[0].runs[0].font for c in row] for row in cells]
    assert [[f.bold for f in row] for row in runs] == [
        [True] * 2,
        [False] * 2,
        [True] * 2,
        [False] * 2,
    ]
    assert [str(row[1].color.rgb) for row in runs] == ["FFFFFF", "262626", "C0392B", "262626"]
    assert [[c.text_frame.paragraphs[0].alignment for c in row] for row in cells[1:]] == [
        [PP_ALIGN.LEFT, PP_ALIGN.RIGHT]
    ] * 3
    assert {c.margin_left for row in cells for c in row} == {Inches(0.06)}


def test_a_few_long_rows_wrap_in_their_cells_many_are_cut_short(tmp_path):
    """The scorecard's five rows of "scored on" were cut to "Late deliverie…" above half a slide
    of white: a table whose text would need a size under 10.5 pt on one line wraps its cells
    (at most three lines) when the rows fit the height; forty such rows cannot, and are cut."""
    long = ", ".join(f"Metric number {i} 12.3% (45 ×2)" for i in range(6))

    def table(rows: int) -> m.TableSlide:
        return m.TableSlide(
            "table",
            "Scorecard",
            "Source: test",
            columns=["Part", "Score", "Scored on"],
            rows=[[f"Part {i}", str(i), long] for i in range(rows)],
            align=["left", "right", "left"],
        )

    words = Narrator("en", "¥").words
    for rows, wrapped in ((5, True), (40, False)):
        path = tmp_path / f"t{rows}.pptx"
        write_deck([table(rows)], load_theme(), "en", "¥", words, path)
        shape = next(s for s in Presentation(str(path)).slides[0].shapes if s.has_table)
        cells = [row.cells[2].text for row in list(shape.table.rows)[1:]]
        assert all(c == long for c in cells) is wrapped, rows
        assert all(c.endswith("…") for c in cells) is not wrapped, rows
        tall = shape.table.rows[1].height > shape.table.rows[0].height
        assert tall is wrapped, rows
