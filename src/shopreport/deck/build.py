"""Build a deck from its reports: findings → slides → charts and text → .pptx, atomically.

A deck kind is a list of sections (monthly.py, annual.py, campaign.py); this module is the
one builder they share.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from shopreport.config import Config
from shopreport.deck import annual, campaign, monthly
from shopreport.deck.charts import Style
from shopreport.deck.context import DeckContext
from shopreport.deck.narrative import Narrator
from shopreport.deck.render import Renderer
from shopreport.deck.sections import build_slides
from shopreport.deck.theme import load_theme
from shopreport.insights.diagnosis import find_problems
from shopreport.metrics import KpiReport

KINDS = {"monthly": monthly.SECTIONS, "annual": annual.SECTIONS, "campaign": campaign.SECTIONS}


def build(kind: str, report: KpiReport, config: Config, language: str, path: Path, made_on: date,
          title_values: dict[str, Any], extra: Any = None,
          progress: Callable[[str], None] = lambda step: None):
    """The deck of `kind` on `report`, written to `path` (via a temporary file in its folder)."""
    from shopreport.api import BuiltDeck

    say = Narrator(language, config.symbol)
    progress("diagnosis")
    ctx = DeckContext(report, config, say, find_problems(report, config.thresholds), extra)
    title = say.say(f"{kind}_title", **title_values)
    plan = build_slides(kind, KINDS[kind], ctx, title, made_on.isoformat())
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
