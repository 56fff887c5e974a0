"""One number, one value (issue 9): every figure a demo deck states for a metric — on a KPI
card, in a metric table, in a sentence '<label> <number>' — is the same wherever it appears,
and it is the report's value. And no tool words on a slide: no metric ids, no config talk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shopreport import api
from shopreport.fmt import fmt_metric
from shopreport.vocab.metrics import METRICS
from tests.conftest import DECK_DAY
from tests.deckcheck import inconsistent, slides_text, stated_values


def _expected(report, language: str, symbol: str = "¥") -> dict[str, str]:
    """Each metric's value as the deck formats it (the report is the single source)."""
    return {
        mid: fmt_metric(m.value, METRICS[mid].unit, symbol, language)
        for mid, m in report.metrics.items()
        if m.value is not None
    }


def _check(deck: Path, language: str, report) -> None:
    stated = stated_values(deck, language)
    # the extractor must find the headline figures, or the check below proves nothing
    assert {"gmv", "buyers", "conversion"} <= set(stated), sorted(stated)
    assert inconsistent(deck, language, _expected(report, language)) == {}


def test_monthly_deck_states_each_figure_once(deck, demo_shop):
    _check(deck, "zh-CN", api.compute_kpis(demo_shop, "2026-10", today=DECK_DAY))


def test_english_monthly_deck_states_each_figure_once(deck_en, demo_shop):
    _check(deck_en, "en", api.compute_kpis(demo_shop, "2026-10", today=DECK_DAY))


def test_annual_deck_states_each_figure_once(annual_deck, demo_shop):
    from shopreport.metrics.annual import compute_annual
    from shopreport.metrics.period import year_to_date

    annual = compute_annual(api.load(demo_shop), year_to_date(2025, DECK_DAY), DECK_DAY)
    _check(annual_deck.path, "zh-CN", annual.report)


def test_campaign_deck_states_each_figure_once(campaign_deck, demo_shop):
    from shopreport.metrics.campaign import compute_campaign

    retro = compute_campaign(api.load(demo_shop), "double11-2025", DECK_DAY)
    stated = stated_values(campaign_deck.path, "zh-CN")
    assert {"gmv", "buyers"} <= set(stated), sorted(stated)
    assert inconsistent(campaign_deck.path, "zh-CN", _expected(retro.report, "zh-CN")) == {}


@pytest.mark.parametrize(
    ("which", "language"), [("weekly_deck", "zh-CN"), ("weekly_deck_en", "en")]
)
def test_weekly_deck_states_each_figure_once(which, language, request, demo_shop):
    from shopreport.metrics.period import parse_week
    from shopreport.metrics.weekly import compute_weekly

    built = request.getfixturevalue(which)
    week = parse_week("2026-W43", "Asia/Shanghai")
    weekly = compute_weekly(api.load(demo_shop), week, DECK_DAY)
    _check(built.path, language, weekly.report)


@pytest.mark.parametrize(
    ("which", "language"), [("review_deck", "zh-CN"), ("review_deck_en", "en")]
)
def test_review_deck_states_each_figure_once(which, language, request, demo_shop):
    from shopreport.metrics.period import parse_months
    from shopreport.metrics.review import compute_review

    built = request.getfixturevalue(which)
    review = compute_review(api.load(demo_shop), parse_months("2026-Q3"), DECK_DAY)
    _check(built.path, language, review.report)


TOOL_WORDS = re.compile(r"配置|shopreport|\bconfig\b|\.yaml|\btargets:|自动生成")
METRIC_IDS = re.compile(
    r"\b(" + "|".join(sorted((m for m in METRICS if "_" in m), key=len, reverse=True)) + r")\b"
)


@pytest.mark.parametrize(
    "which",
    [
        "deck",
        "deck_en",
        "annual_deck",
        "campaign_deck",
        "weekly_deck",
        "weekly_deck_en",
        "review_deck",
        "review_deck_en",
        "portfolio_deck",
    ],
)
def test_no_tool_words_or_metric_ids_on_a_slide(which, request):
    built = request.getfixturevalue(which)
    path = built if isinstance(built, Path) else built.path
    for number, texts in enumerate(slides_text(path), start=1):
        for text in texts:
            assert not TOOL_WORDS.search(text), (number, text)
            assert not METRIC_IDS.search(text), (number, text)


def test_english_deck_ends_with_thank_you(deck_en):
    texts = [" ".join(t) for t in slides_text(deck_en)]
    assert any("Thank you" in t for t in texts)
    assert not any("谢谢" in t or "目录" in t for t in texts)


def test_no_sentence_of_the_demo_decks_is_cut(deck, deck_en):
    """The English customers slide cut its third bullet ("…26.9% of the last 365 days'
    spend.…") and dropped the fourth in a box of 1.25 in with room beside the charts: a box of
    bullets takes the height its text needs."""
    for path in (deck, deck_en):
        for number, texts in enumerate(slides_text(path), start=1):
            cut = [t for t in texts for line in t.split("\n") if line.endswith("…")]
            assert cut == [], (path.name, number, cut)
