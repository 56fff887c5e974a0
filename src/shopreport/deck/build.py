"""Build a deck from a KPI report: findings → slides → charts and text → .pptx, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from shopreport.config import Config
from shopreport.deck.charts import Style
from shopreport.deck.context import DeckContext
from shopreport.deck.monthly import SECTIONS
from shopreport.deck.narrative import Narrator
from shopreport.deck.render import Renderer
from shopreport.deck.sections import build_slides
from shopreport.deck.theme import load_theme
from shopreport.insights.diagnosis import find_problems
from shopreport.metrics import KpiReport


def build_monthly(report: KpiReport, config: Config, language: str, path: Path, made_on: date,
                  progress: Callable[[str], None] = lambda step: None):
    """The monthly deck of `report`, written to `path` (via a temporary file in its folder)."""
    from shopreport.api import BuiltDeck

    say = Narrator(language, config.symbol)
    progress("diagnosis")
    ctx = DeckContext(report, config, say, find_problems(report, config.thresholds))
    period = report.period
    title = say.say("monthly_title", year=period.start.year, month=period.start.month)
    plan = build_slides("monthly", SECTIONS, ctx, title, made_on.isoformat())
    progress("render")
    theme = load_theme(config.theme_path, config.font)
    renderer = Renderer(theme, Style(theme, language, config.symbol, say.words))
    renderer.render(plan.slides)
    progress("write")
    write_atomically(renderer, path)
    left_out = {say.word(f"section_{k}"): v for k, v in plan.left_out.items()}
    return BuiltDeck(path, len(plan.slides), left_out, report.notes)


def write_atomically(renderer: Renderer, path: Path) -> None:
    """Save to a temporary file beside `path`, then rename it into place."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        renderer.save(Path(temp))
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
