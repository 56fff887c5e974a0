"""The shop diagnosis's scorecard (效果评估): each part of the operating model scored 0–100 from
rules kept as data (templates/scorecard.yaml, or the shop's own copy), each score with the
metrics behind it, against the previous period; and the improvement plan (持续改进方案): each
problem's kind, owner role and the metric to watch."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shopreport.config import Config
from shopreport.errors import ConfigError
from shopreport.insights.diagnosis import Finding
from shopreport.metrics import KpiReport, MetricValue, Period
from shopreport.resources import read_yaml_resource
from shopreport.vocab.metrics import METRICS

PARTS = ("strategy", "goods", "marketing", "service", "operations")
MEASURES = ("value", "yoy", "mom", "yoy_pp", "mom_pp")


@dataclass(frozen=True)
class ItemScore:
    """One metric of a part: what was measured, its band, and its score (None: no data)."""

    metric: str
    measure: str
    value: float | None
    good: float
    poor: float
    weight: float
    score: float | None


@dataclass(frozen=True)
class PartScore:
    """A part's score now and in the previous period, and the metrics behind it."""

    part: str
    weight: float
    score: float | None
    previous: float | None
    items: list[ItemScore]

    @property
    def change(self) -> float | None:
        """Points against the previous period."""
        if self.score is None or self.previous is None:
            return None
        return self.score - self.previous


@dataclass(frozen=True)
class Scorecard:
    """The parts, the overall score (weighted mean of the scored parts) and the light bands."""

    parts: list[PartScore]
    overall: float | None
    previous_overall: float | None
    green: float
    amber: float

    def light(self, score: float | None) -> str:
        """green, amber or red (none without a score)."""
        if score is None:
            return "none"
        return "green" if score >= self.green else "amber" if score >= self.amber else "red"


def load_scorecard(config: Config) -> dict[str, Any]:
    """The scorecard rules: the shop's own file (`review.scorecard`) or templates/."""
    if not config.review.scorecard:
        rules: dict[str, Any] = read_yaml_resource("scorecard.yaml")
        return rules
    path = Path(config.base_dir / config.review.scorecard)
    try:
        changed = path.stat().st_mtime_ns
    except OSError as exc:
        raise ConfigError(f"review.scorecard: cannot read {path} ({exc.strerror}).") from None
    return _read_rules(path, changed)


@functools.lru_cache(maxsize=16)
def _read_rules(path: Path, changed: int) -> dict[str, Any]:
    """A shop's scorecard file, read and checked once per version (`changed`: its mtime) however
    many slides of a deck ask for it."""
    try:
        rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"review.scorecard: cannot read {path} ({exc.strerror}).") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"review.scorecard: {path} is not valid YAML ({exc}).") from None
    _check(rules, path)
    return rules


def _check(rules: Any, path: Path) -> None:
    """A clear error for a scorecard file that names unknown parts, metrics or measures."""
    if not isinstance(rules, dict) or not isinstance(rules.get("parts"), dict):
        raise ConfigError(f"{path}: a scorecard needs `parts:` (see templates/scorecard.yaml).")
    for part, spec in rules["parts"].items():
        if part not in PARTS:
            raise ConfigError(f"{path}: unknown part '{part}'; parts are {', '.join(PARTS)}.")
        for item in spec.get("metrics", []):
            if item.get("metric") not in METRICS:
                raise ConfigError(f"{path}: part {part}: '{item.get('metric')}' is not a metric.")
            if item.get("measure", "value") not in MEASURES:
                raise ConfigError(
                    f"{path}: part {part}: measure '{item.get('measure')}' is not one of "
                    f"{', '.join(MEASURES)}."
                )
            if item.get("good") == item.get("poor") or None in (item.get("good"), item.get("poor")):
                raise ConfigError(f"{path}: part {part}: {item['metric']} needs good ≠ poor.")


def with_targets(rules: dict[str, Any], config: Config, period: Period) -> dict[str, Any]:
    """The rules with the shop's own lines as the good lines of the metrics it set them for: its
    targets for the months of the period (their mean), and the ROI line the decks flag
    channels by when the shop set it (`thresholds.target_roas`; templates/scorecard.yaml's line
    is the default 3.0 too). A scorecard judged a shop with a refund-rate ceiling
    of 8 % against a 5 % good line ("介于良好线与警戒线之间" above its own ceiling) and an ROI of
    2.96 against 4.0 beside slides calling 3.0 the target. A line on the wrong side of the
    poor line is not used. Each item taken from the shop is marked `own`."""
    months = [period.shift_months(k).label for k in range(period.months)]
    own: dict[str, float] = (  # the shop's own ROI line, when it set one (else the file's)
        {"roas": config.thresholds.target_roas}
        if "target_roas" in config.thresholds.model_fields_set
        else {}
    )
    for metric in {
        i["metric"] for part in rules["parts"].values() for i in part.get("metrics", [])
    }:
        values = [v for m in months if (v := config.targets.get(m, {}).get(metric)) is not None]
        if values:
            own[metric] = sum(values) / len(values)
    parts = {}
    for name, spec in rules["parts"].items():
        items = []
        for item in spec.get("metrics", []):
            line = own.get(item["metric"]) if item.get("measure", "value") == "value" else None
            good, poor = float(item["good"]), float(item["poor"])
            if line is not None and (line - poor) * (good - poor) > 0:
                item = {**item, "good": line, "own": True}
            items.append(item)
        parts[name] = {**spec, "metrics": items}
    return {**rules, "parts": parts}


def measured(metric: MetricValue, measure: str) -> float | None:
    """The number a scorecard item reads: the value, or its change."""
    if metric.unavailable is not None:
        return None
    return {
        "value": metric.value,
        "yoy": metric.yoy,
        "mom": metric.mom,
        "yoy_pp": metric.yoy_pp,
        "mom_pp": metric.mom_pp,
    }[measure]


def item_score(value: float | None, good: float, poor: float) -> float | None:
    """100 at `good` or better, 0 at `poor` or worse, in proportion between."""
    if value is None:
        return None
    share = (value - poor) / (good - poor)
    return 100.0 * min(1.0, max(0.0, share))


def weighted_mean(pairs: list[tuple[float | None, float]]) -> float | None:
    """Weighted mean of the scores that exist."""
    known = [(s, w) for s, w in pairs if s is not None]
    weight = sum(w for _, w in known)
    return sum(s * w for s, w in known) / weight if weight else None


def _part(report: KpiReport, spec: dict[str, Any]) -> tuple[list[ItemScore], float | None]:
    items = []
    for item in spec.get("metrics", []):
        measure = item.get("measure", "value")
        value = measured(report.metrics[item["metric"]], measure)
        good, poor = float(item["good"]), float(item["poor"])
        items.append(
            ItemScore(
                item["metric"],
                measure,
                value,
                good,
                poor,
                float(item.get("weight", 1)),
                item_score(value, good, poor),
            )
        )
    return items, weighted_mean([(i.score, i.weight) for i in items])


def score(report: KpiReport, previous: KpiReport | None, rules: dict[str, Any]) -> Scorecard:
    """Each part's score on `report` and on `previous` (the period before), and overall."""
    parts = []
    for part in PARTS:
        spec = rules["parts"].get(part)
        if spec is None:
            continue
        items, now = _part(report, spec)
        before = _part(previous, spec)[1] if previous is not None else None
        parts.append(PartScore(part, float(spec.get("weight", 1)), now, before, items))
    bands = rules.get("bands", {})
    return Scorecard(
        parts,
        weighted_mean([(p.score, p.weight) for p in parts]),
        weighted_mean([(p.previous, p.weight) for p in parts]),
        float(bands.get("green", 80)),
        float(bands.get("amber", 60)),
    )


@dataclass(frozen=True)
class PlanItem:
    """One line of the improvement plan: the problem, its kind, who owns it, what to watch."""

    finding: Finding
    kind: str
    owner: str
    watch: str


KINDS = ("supply", "complaints", "returns", "conversion", "roi", "other")


def improvement_plan(findings: list[Finding], rules: dict[str, Any]) -> list[PlanItem]:
    """The problems, largest GMV at risk first, each with its kind, owner role and metric."""
    known = rules.get("problems", {})
    out = []
    for f in findings:
        spec = known.get(f.rule, {})
        owner = spec.get("owner", "ops")
        if f.evidence.get("delivery"):  # bad reviews about slow parcels: the warehouse's to fix
            owner = known.get("late_delivery", {}).get("owner", owner)
        out.append(PlanItem(f, spec.get("kind", "other"), owner, spec.get("watch", "")))
    return out
