"""The monthly deck: structure read back with python-pptx, fonts, text fit, and safety."""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn

from shopreport import api
from shopreport.errors import ConfigError
from shopreport.render.pptx import Renderer
from tests.conftest import write_shop
from tests.deckcheck import overflowing, runs_without_east_asian_font, slides_text

SECTIONS_ZH = [
    "整体运营概况",
    "流量渠道分析",
    "销售业绩表现",
    "商品运营情况",
    "客户服务评估",
    "下月重点计划",
]
TODAY = date(2026, 11, 20)


def test_catalogue_structure(deck):
    texts = slides_text(deck)
    assert texts[0][:1] == ["2026年10月 电商月总结汇报"] or "2026年10月 电商月总结汇报" in texts[0]
    assert any("演讲人：李明" in t for t in texts[0]) and any(
        "日期：2026-11-20" in t for t in texts[0]
    )
    assert "目录" in texts[1] and "CATALOGUE" in texts[1]
    for i, title in enumerate(SECTIONS_ZH, start=1):
        assert f"{i:02d}" in texts[1] and title in texts[1]
    dividers = [(n, t) for n, t in enumerate(texts) if any(x.startswith("PART 0") for x in t)]
    # with every table, each divider lists what its slides show, in their order
    assert [t[2] for _, t in dividers] == [
        "核心指标 · 目标达成 · 变动原因 · GMV变化拆解",
        "访客趋势 · 渠道结构 · 转化漏斗 · 付费推广 · 新老客 · 会员分层",
        "类目结构 · 促销效果 · 区域分布",
        "TOP商品 · 库存周转 · 缺货与滞销 · 补货建议",
        "客服响应 · 退款原因 · 评价与差评 · 物流履约",
        "目标 · 工作计划 · 问题与改进动作",
    ]
    assert [
        t[1][0] if t[1][0] != f"PART 0{i + 1}" else t[1][1] for i, t in enumerate(dividers)
    ] == SECTIONS_ZH
    numbers = [n for n, _ in dividers]
    assert numbers == sorted(numbers) and all(b - a >= 2 for a, b in itertools.pairwise(numbers))
    closing = next(n for n, t in enumerate(texts) if "谢谢" in t)
    assert closing > numbers[-1]
    assert any("附录：指标口径" in t for t in texts[closing + 1])
    assert any("附录：数据覆盖与说明" in t for t in texts[-1])


def test_the_month_names_its_campaign(deck):
    """Double 11 2026's warm-up (20–31 October) is in October and not in September: the KPI
    summary says so as the month's cause, naming the phase (its peak is November's) and the
    days its gain counts (September has no 31st), and the days before it, which fell (the
    campaign's days and the 31st gave more than the month's whole gain)."""
    summary = " ".join(slides_text(deck)[3])
    assert re.search(
        r"增长主要来自大促（本月活动期10月20–30日较上月同日多¥[\d.]+万，"
        r"10月31日上月无同日，¥[\d.]+万；10月1–19日较上月同日少¥[\d.]+万）："
        r"本月含「2026年双11」「预热」阶段（GMV ¥[\d.]+万，占本月的[\d.]+%），"
        r"上月无该活动。从拆解看，流量效应影响最大（\+¥[\d.]+万）",
        summary,
    )


def test_coverage_names_tables_not_files(deck):
    """The demo keeps orders as one file a month, 2024-01 … 2026-10: the coverage slide gives the
    table, its rows and its days, and no file or folder name to present."""
    coverage = " ".join(slides_text(deck)[-1])
    assert re.search(r"订单 [\d.,]+万 2024-01-01 ~ 2026-10-31", coverage)
    assert not any(w in coverage for w in ("parquet", "文件", "month="))


def test_the_english_coverage_heads_its_rows_with_capitals(deck_en):
    """ "orders", "order lines" read as identifiers at the head of a row: "Orders", "Order lines"
    (and "DSR scores" as it is)."""
    table = next(sh.table for sh in Presentation(str(deck_en)).slides[-1].shapes if sh.has_table)
    names = [row.cells[0].text for row in list(table.rows)[1:]]
    assert names[:2] == ["Orders", "Order lines"], names
    assert all(n[:1].isupper() for n in names), names


def test_visitors_are_defined_as_this_shop_counts_them(deck):
    """The demo has a traffic table and no behaviour log: its visitors are the daily UV summed
    (the appendix gave both ways, "去重访客数（行为日志），否则为每日访客数之和（流量表）")."""
    slides = slides_text(deck)
    appendix = " ".join(t for texts in slides if "附录：指标口径" in texts for t in texts)
    assert "访客数 流量表中每日访客数之和（未跨日去重）" in appendix
    assert "否则" not in appendix


def test_every_slide_has_title_footnote_and_number(deck):
    for number, texts in enumerate(slides_text(deck), start=1):
        assert str(number) in texts, f"slide {number} has no page number"
        assert any(
            "数据来源" in t or "悦享生活旗舰店" in t or "口径" in t or "来源" in t for t in texts
        ), number
        assert len([t for t in texts if t.strip()]) >= 3, f"slide {number} is nearly empty"


def test_no_text_overflows_its_box(deck):
    assert overflowing(deck) == []


def test_every_run_has_the_east_asian_font_and_language(deck):
    assert runs_without_east_asian_font(deck, "Microsoft YaHei") == []
    prs = Presentation(str(deck))
    theme = etree.fromstring(prs.slide_master.part.part_related_by(RT.THEME).blob)
    for scheme in ("a:majorFont", "a:minorFont"):
        node = theme.find(f".//{qn(scheme)}")
        assert node.find(qn("a:ea")).get("typeface") == "Microsoft YaHei"
        assert node.find(qn("a:latin")).get("typeface") == "Microsoft YaHei"


def test_slides_are_16_by_9_with_the_title_as_only_placeholder(deck):
    prs = Presentation(str(deck))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)
    for slide in prs.slides:
        kinds = [p.placeholder_format.type for p in slide.placeholders]
        assert kinds == [PP_PLACEHOLDER.TITLE]


def test_numbers_are_computed(deck, demo_shop):
    # the KPI card shows the report's GMV, formatted as metrics.md says
    report = api.compute_kpis(demo_shop, "2026-10", today=TODAY)
    from shopreport.fmt import fmt_money

    kpi_slide = slides_text(deck)[3]
    assert fmt_money(report.metrics["gmv"].value) in kpi_slide
    assert "核心指标完成情况" in kpi_slide


def test_findings_and_plan(deck):
    texts = [" ".join(t) for t in slides_text(deck)]
    plan = next(i for i, t in enumerate(texts) if "重点问题与改进动作" in t)
    # the demo's built-in problems are found: a best seller sold out, off-site ads under
    # target ROAS; the recommendation feed converts worse on 45 % more visitors, but with 8 %
    # more buyers and 5.9 % more GMV (46,817 visitors, 550 buyers, ¥245,035 against 32,194,
    # 509, ¥231,491): new traffic that lost no sales is no problem
    body = " ".join(texts[plan : plan + 2])
    assert "「推荐」渠道转化下滑" not in body
    assert "缺货" in body and "ROI偏低" in body
    assert any("下月工作计划" in t and "双11爆发期" in t for t in texts)
    assert any("2026年11月目标" in t for t in texts)


def test_the_teams_highlights_open_the_month(deck):
    """`highlights:` of the month (the demo config's two) on their own slide in the overview,
    after the KPI cards and before the daily trend, heading and body split at the colon."""
    texts = [" ".join(t) for t in slides_text(deck)]
    at = next(i for i, t in enumerate(texts) if "本月工作亮点" in t)
    assert "完成秋冬新品首发 新品详情页与主图全面升级" in texts[at]
    assert "直播间改版 新直播间上线，固定每晚8点开播" in texts[at]
    assert "来源：运营团队" in texts[at]
    kpis = next(i for i, t in enumerate(texts) if "核心指标完成情况" in t)
    divider = next(i for i, t in enumerate(texts) if "PART 02" in t)
    assert kpis < at < divider


def test_english_deck(demo_shop, tmp_path):
    out = tmp_path / "en.pptx"
    built = api.build_deck(demo_shop, "monthly", "2026-10", out=out, language="en", today=TODAY)
    texts = slides_text(built.path)
    assert "Monthly operations review: October 2026" in texts[0]
    assert "Presenter: Li Ming (Head of Operations)" in texts[0]  # the demo writes both
    assert "Contents" in texts[1] and "Traffic & channels" in texts[1]
    assert "CATALOGUE" not in texts[1]  # the catalogue style's English word repeats "Contents"
    assert overflowing(out) == []
    assert any("GMV" in t and "MoM" in t for t in texts[4])
    # the team's highlights are written in both languages in the demo's config: the English
    highlights = " ".join(next(t for t in texts if "Highlights" in " ".join(t)))
    assert "Live room relaunched" in highlights and "live every night at 8 pm" in highlights
    assert "直播间" not in highlights
    # the plan beside next month's targets, as written (no Chinese colon put back in)
    joined = " ".join(" ".join(t) for t in texts)
    assert "Double 11 peak: best sellers' stock and traffic checked daily" in joined
    assert "：" not in joined


def test_missing_tables_leave_sections_out(tmp_path, demo_shop):
    data = demo_shop.parent / "data"
    config = write_shop(
        tmp_path,
        {},
        {
            "orders": {"path": str(data / "orders")},
            "order_items": {"path": str(data / "order_items")},
            "products": {"path": str(data / "products.parquet")},
        },
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    texts = slides_text(built.path)
    assert "客户服务评估" not in texts[1] and "流量渠道分析" not in texts[1]
    assert set(built.left_out) == {"流量渠道分析", "客户服务评估"}
    assert any("「客户服务评估」未纳入本报告" in t for t in texts[-1])
    assert overflowing(built.path) == []
    # the dividers name what their slides show: no stock, no promotions column, no refunds
    # (Olist's promised "库存周转 · 缺货与滞销 · 补货建议" over a products slide alone)
    subtitles = {t[1]: t[2] for t in texts if t and t[0].startswith("PART 0")}
    assert subtitles["商品运营情况"] == "TOP商品"
    assert subtitles["下月重点计划"].startswith("目标")


def test_template_syntax_and_control_characters_in_data_stay_text(tmp_path):
    config = write_shop(
        tmp_path,
        {
            "orders.csv": "order_id,customer_id,order_time,paid_amount\n"
            "1,a,2026-09-02 10:00:00,10\n"
            "2,b,2026-10-03 10:00:00,30\n3,c,2026-10-04 10:00:00,20\n",
            "items.csv": "order_id,sku,quantity\n1,X,1\n2,X,1\n3,Y,2\n",
            "products.csv": "sku,category,name\n"
            'X,"{{ 7*7 }}类","{% raw %}礼盒\x07{{ x }}"\nY,日用,毛巾\n',
        },
        {
            "orders": {"path": "orders.csv"},
            "order_items": {"path": "items.csv"},
            "products": {"path": "products.csv"},
        },
    )
    built = api.build_deck(config, "monthly", "2026-10", out=tmp_path / "d.pptx", today=TODAY)
    text = " ".join(" ".join(t) for t in slides_text(built.path))
    assert "{{ 7*7 }}类" in text and "49类" not in text
    assert "{% raw %}礼盒{{ x }}" in text


def test_write_is_atomic(tmp_path, demo_shop, monkeypatch):
    out = tmp_path / "deck.pptx"

    def crash(self, path):
        Path(path).write_bytes(b"half a deck")
        raise RuntimeError("disk full")

    monkeypatch.setattr(Renderer, "save", crash)
    with pytest.raises(RuntimeError):
        api.build_deck(demo_shop, "monthly", "2026-10", out=out, today=TODAY)
    assert list(tmp_path.iterdir()) == []


def test_default_name_and_previous_month(tmp_path, demo_shop, monkeypatch):
    monkeypatch.chdir(tmp_path)
    built = api.build_deck(demo_shop, "monthly", "previous", today=TODAY)  # 2026-11-20 → October
    assert built.path == tmp_path / "悦享生活旗舰店_2026-10_月度总结.pptx"
    assert built.path.is_file()


def test_missing_output_folder(tmp_path, demo_shop):
    with pytest.raises(ConfigError, match="does not exist"):
        api.build_deck(
            demo_shop, "monthly", "2026-10", out=tmp_path / "nope" / "d.pptx", today=TODAY
        )
    with pytest.raises(ConfigError, match="should end in .pptx"):
        api.build_deck(demo_shop, "monthly", "2026-10", out=tmp_path / "d.pdf", today=TODAY)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ConfigError, match="is a file, not a folder"):
        api.build_deck(demo_shop, "monthly", "2026-10", out=tmp_path / "file" / "d.pptx")


def test_an_output_folder_ending_in_a_slash_is_created(tmp_path, demo_shop):
    """A cron job's first run: `--out reports/2026/` on a machine where it does not exist yet."""
    from tests.conftest import run_cli

    out = tmp_path / "reports" / "2026"
    result = run_cli("build", "--config", demo_shop, "--month", "2026-10", "--out", f"{out}/", "-q")
    assert result.code == 0, result.err
    assert (out / "悦享生活旗舰店_2026-10_月度总结.pptx").is_file()


@pytest.fixture
def locked_folder(tmp_path):
    """A folder nobody may write into: a read-only mount as root (root ignores permission bits),
    else a folder without write permission."""
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() != 0:
        locked.chmod(0o500)
        yield locked
        locked.chmod(0o700)
        return
    subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(locked)], check=True)
    try:
        yield locked
    finally:
        subprocess.run(["umount", str(locked)], check=True)


def test_unwritable_output_folder(tmp_path, locked_folder):
    config = write_shop(
        tmp_path,
        {"orders.csv": "order_id,customer_id,order_time,paid_amount\n1,a,2026-10-02 10:00:00,10\n"},
        {"orders": {"path": "orders.csv"}},
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shopreport",
            "build",
            "--config",
            str(config),
            "--month",
            "2026-10",
            "--out",
            str(locked_folder / "d.pptx"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert f"--out: the folder {locked_folder} is not writable" in result.stderr
    assert list(locked_folder.iterdir()) == []


def test_cli_build_reports_progress_and_exit_codes(tmp_path, demo_shop):
    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "shopreport", *a], capture_output=True, text=True, timeout=300
        )

    result = run(
        "build", "--config", str(demo_shop), "--month", "2026-10", "--out", str(tmp_path / "x.pptx")
    )
    assert result.returncode == 0, result.stderr
    assert "Deck written:" in result.stdout and "computing metrics" in result.stderr
    quiet = run(
        "build",
        "--config",
        str(demo_shop),
        "--month",
        "2026-10",
        "--out",
        str(tmp_path / "y.pptx"),
        "-q",
    )
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    bad = run(
        "build",
        "--config",
        str(demo_shop),
        "--month",
        "2026-10",
        "--out",
        str(tmp_path / "no" / "z.pptx"),
    )
    assert bad.returncode == 2 and "does not exist" in bad.stderr and "Traceback" not in bad.stderr


def test_sentences_are_written_one_after_another_as_each_language_writes_them(deck, deck_en):
    """English sentences are separated by a space ("…up 1.8 pp). Late deliveries…", not
    "pp).Late"); Chinese ones run on without one (not "。 建议")."""
    import re

    english = [text for slide in slides_text(deck_en) for text in slide]
    run_together = [m.group() for t in english for m in re.finditer(r"\w[.)%]\.?[A-Z]\w+", t)]
    assert run_together == []
    chinese = [text for slide in slides_text(deck) for text in slide]
    assert [t for t in chinese if re.search(r"[。；] +\S", t)] == []


def test_response_bands_are_in_the_decks_language(deck):
    """The report names first-response bands "≤10s" … ">3min"; a Chinese deck says 秒 and 分钟."""
    categories = [
        list(shape.chart.plots[0].categories)
        for slide in Presentation(str(deck)).slides
        for shape in slide.shapes
        if shape.has_chart and shape.chart.plots
    ]
    bands = next(c for c in categories if c[0].startswith("≤10"))
    assert bands[:4] == ["≤10秒", "10-30秒", "30-60秒", "1-3分钟"]  # (>3 min: none in the demo)


def test_stockouts_and_slow_movers_keep_one_measure_a_column(deck):
    """A stockout's GMV and lead time, a slow mover's stock value and idle days: each in its own
    column ("GMV/库存金额" put ¥5.94万 of sales above ¥451.05 of stock), the other type's "—"."""
    slide = next(
        s
        for s in Presentation(str(deck)).slides
        if s.shapes.title is not None and s.shapes.title.text == "缺货与滞销商品"
    )
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == (
        "类型 商品 类目 库存 本期GMV 库存金额 补货周期（天） 未动销天数 建议补货".split()
    )
    kinds = {r[0] for r in rows[1:]}
    assert kinds == {"缺货", "滞销"}
    for r in rows[1:]:
        blanks = (5, 7) if r[0] == "缺货" else (4, 6, 8)
        assert all(r[i] == "—" for i in blanks), r
        assert all(r[i] != "—" for i in {4, 5, 6, 7} - set(blanks)), r


def test_no_share_of_a_net_change_beside_a_larger_move_against_it(deck):
    """The share of a net change is no share when a part moved the other way by more:
    "商品「大容量吹风机」+¥6.22万，占变化的56.5%（「简约净水器」-¥47.1万…）"."""
    joined = " ".join(" ".join(t) for t in slides_text(deck))
    assert not re.search(r"占变化的[\d.]+%（「", joined)


def test_the_traffic_section_says_why_conversion_moved_once(deck):
    """October's conversion cause ("支付转化率…：主要因为「推荐」渠道自身转化率…") closed both the
    trend slide and the sources slide, word for word: the section says it once."""
    texts = [" ".join(t) for t in slides_text(deck)]
    start = next(i for i, t in enumerate(texts) if t.startswith("PART 02"))
    end = next(i for i, t in enumerate(texts) if t.startswith("PART 03"))
    said = [
        t for t in texts[start:end] if re.search(r"支付转化率[\d.]+%，较上月[^：]+：主要因为", t)
    ]
    assert len(said) == 1, said


def test_the_refund_slide_gives_a_categorys_top_reason_once(deck):
    """October's refund slide said 女装's top reason (尺码不合适) in the cause of the rate's rise
    and again in the flag of 女装's rate: the flag now gives the rates only."""
    slide = next(" ".join(t) for t in slides_text(deck) if t[0] == "退款原因分析")
    cause = re.search(r"影响最大的是「([^」]+)」[^。]*其首要原因「([^」]+)」", slide)
    assert cause, slide
    category, reason = cause.groups()
    assert f"「{category}」退款率" in slide  # its flag is there …
    others = re.sub(r"首要退款原因是「[^」]+」", "", slide)  # the shop's top reason aside
    assert others.count(f"「{reason}」") == 1, slide  # … and its reason once


def test_days_of_cover_is_explained_by_its_own_parts(deck):
    """Days of cover is units on hand ÷ daily units: its cause names those two (it gave stock
    value and the month's units, which did not make its change)."""
    slide = next(" ".join(t) for t in slides_text(deck) if t[0] == "各类目库存可售天数")
    cause = r"可售[\d.]+天（同比[^：]+：库存件数同比[^，]+，日均销量同比[^）]+）"
    assert re.search(cause, slide), slide
    assert "库存金额同比" not in slide
    # each category against its own lead time + 7 review days (the demo's categories take
    # 5–30 days): its bar says what it needs, and a category said short needs what its bar says
    index = next(i for i, t in enumerate(slides_text(deck)) if t[0] == "各类目库存可售天数")
    chart = next(s.chart for s in Presentation(str(deck)).slides[index].shapes if s.has_chart)
    needs = dict(re.findall(r"(\S+)（需(\d+)天）", " ".join(chart.plots[0].categories)))
    assert len(set(needs.values())) > 1, needs
    short = re.findall(r"([^：、（]+)（([\d.]+)天，需(\d+)天）", slide)
    assert short, slide
    for name, days, need in short:
        assert needs[name] == need and float(days) < int(need), (name, slide)


def test_the_appendix_defines_a_count_said_by_its_bare_name(deck):
    """The appendix left out 老买家数's 365-day rule: "老买家2,670→2,927" names it without its
    数 (the English appendix, matching "returning buyers", gave it)."""
    rows = [" | ".join(t) for t in slides_text(deck) if t[0] == "附录：指标口径"]
    assert any("老买家数 | 在统计周期开始前365天内也付过款的买家数" in r for r in rows), rows
