"""The contract between the numbers and the slides: every breakdown declared once, checked when
the report is computed, and the only thing the decks read."""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import jsonschema
import polars as pl
import pytest

from shopreport import api
from shopreport.config import read_config
from shopreport.deck.kinds import KINDS, load_kind
from shopreport.deck.sections import plan_deck
from shopreport.metrics import breakdowns as bd
from shopreport.metrics import schema as S
from shopreport.metrics.report import report_schema
from shopreport.metrics.schema import BREAKDOWNS, CAMPAIGN_VIEWS, SchemaError
from shopreport.resources import read_yaml_resource

TODAY = date(2026, 11, 20)
SUBJECTS = {
    "monthly": "2026-10",
    "weekly": "2026-W43",
    "review": "2026-Q3",
    "annual": "2025",
    "campaign": "double11-2025",
}


@pytest.fixture(scope="module")
def report(small_shop):
    return api.compute_kpis(small_shop, "2026-10", today=TODAY)


def test_every_breakdown_has_exactly_its_declared_columns_and_types(report):
    assert set(report.breakdowns) == set(BREAKDOWNS)  # the small demo shop has every table
    for name, frame in report.breakdowns.items():
        assert dict(frame.schema) == BREAKDOWNS[name].columns, name


def test_a_renamed_column_fails_when_the_report_is_computed(small_shop, monkeypatch):
    original = bd.ratings
    monkeypatch.setattr(
        bd, "ratings", lambda ctx, period: original(ctx, period).rename({"rating": "stars"})
    )
    with pytest.raises(
        SchemaError,
        match=r"ratings: columns not declared \['stars'\], declared but missing \['rating'\]",
    ):
        api.compute_kpis(small_shop, "2026-10", today=TODAY)


def test_conform_fills_optional_columns_casts_and_sorts():
    frame = pl.DataFrame({"source": ["b", "a", "c"], "visitors": [10.0, 30.0, 30.0]})
    out = S.BY_SOURCE.conform(frame)
    assert out.columns == list(S.BY_SOURCE.columns)
    assert out["source"].to_list() == ["a", "c", "b"]  # visitors descending, then source
    assert out["gmv"].to_list() == [None, None, None]
    with pytest.raises(SchemaError, match="declared but missing"):
        S.BY_CATEGORY.conform(pl.DataFrame({"category": ["x"]}))


@pytest.fixture(scope="module")
def computed(small_shop):
    """What every deck kind computes on the small demo shop, by kind."""
    config = read_config(small_shop)
    ds = api.load(config)
    out = {}
    for kind in KINDS:
        deck = load_kind(kind.name)
        subject = deck.parse(config, SUBJECTS[kind.name], TODAY)
        out[kind.name] = (config, deck, subject, deck.compute(ds, subject, TODAY))
    return out


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_every_deck_kind_plans_its_slides_from_declared_columns(kind, computed):
    # the slides of every kind, built (not drawn) from the small demo: a column the deck reads
    # that the report does not declare fails here, in seconds (mypy checks it statically in CI)
    config, deck, subject, data = computed[kind]
    plan = plan_deck(deck, subject, data, deck.diagnose(data, config), config, "zh-CN", TODAY)
    if deck.compact:  # the weekly report: straight to its slides, 8–12 of them
        assert 8 <= len(plan.slides) <= 12
        assert [s.layout for s in plan.slides[:2]] == ["cover", "kpis"]
        assert not {"catalogue", "divider", "closing"} & {s.layout for s in plan.slides}
        return
    assert len(plan.slides) >= 20
    assert [s.layout for s in plan.slides[:3]] == ["cover", "catalogue", "divider"]


def test_campaign_views_are_declared(computed):
    campaign = computed["campaign"][3]
    for name, frame in campaign.frames.items():
        assert dict(frame.schema) == CAMPAIGN_VIEWS[name].columns, name


def test_kpis_json_follows_its_published_schema(report):
    document = json.loads(json.dumps(report.to_dict()))
    jsonschema.validate(document, report_schema())
    assert list(document) == [
        "shop",
        "currency",
        "period",
        "metrics",
        "decomposition",
        "breakdowns",
        "coverage",
        "notes",
    ]


def test_the_report_is_not_changed_after_it_is_computed(report):
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.time_progress = 0.5  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.metrics["gmv"].value = 0.0  # type: ignore[misc]


def test_a_year_to_date_carries_its_own_time_progress(small_shop):
    """2026 on 2026-11-20 is 323 days of 365; the demo's exports end on 31 October, so the year
    is reported to the data: 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30 + 31 = 304 days, and
    last year is compared over its first 304 days too (it was to 19 November: Double 11 2025
    against none of 2026's)."""
    from datetime import date

    from shopreport.metrics.annual import compute_annual
    from shopreport.metrics.period import year_to_date

    data = compute_annual(api.load(read_config(small_shop)), year_to_date(2026, TODAY), TODAY)
    assert data.report.covered_until == date(2026, 10, 31)
    assert data.report.time_progress == pytest.approx(304 / 365)
    assert data.report.metrics["gmv"].time_progress == pytest.approx(304 / 365)
    assert data.report.last_year.end == date(2025, 11, 1)


def test_every_threshold_is_data_with_a_documented_field():
    from shopreport.config import Thresholds

    defaults = read_yaml_resource("thresholds.yaml")
    assert set(defaults) == set(Thresholds.model_fields)
    for name, field in Thresholds.model_fields.items():
        assert field.default == defaults[name] and field.description, name


def test_each_query_group_measures_exactly_the_metrics_registered_in_it(small_shop):
    from shopreport.metrics.base import read_base
    from shopreport.metrics.engine import report_span
    from shopreport.metrics.measures import MEASURES, Context
    from shopreport.metrics.period import month_period
    from shopreport.vocab.metrics import METRICS, group_ids

    ds = api.load(read_config(small_shop))
    period = month_period(2026, 10)
    ctx = Context(ds, read_base(ds, *report_span(period, ds.config.metrics)), ds.config.metrics)
    assert set(MEASURES) == {m.group for m in METRICS.values()} - {"derived"}
    for group, measure in MEASURES.items():
        measured = measure(ctx, period)
        names = [c for q in measured.queries for c in q.collect_schema().names()]
        assert sorted(names + list(measured.missing)) == sorted(group_ids(group)), group
