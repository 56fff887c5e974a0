"""The deck theme (colours, fonts, sizes) read from templates/theme.yaml or the user's copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shopreport.errors import ConfigError
from shopreport.resources import read_yaml_resource


@dataclass(frozen=True)
class Theme:
    """Colours (hex), fonts and point sizes of a deck."""

    deck_font: str
    measure_font: str
    width_margin: float
    colors: dict[str, Any]
    tones: dict[str, str]
    sizes: dict[str, float]

    def color(self, name: str) -> str:
        """A named colour as hex RGB."""
        return self.colors[name]

    def tone(self, tone: str) -> str:
        """Colour of a good, bad or neutral change."""
        return self.tones[tone]

    @property
    def series(self) -> list[str]:
        """Colours of chart series, in order."""
        return self.colors["series"]


def load_theme(path: Path | None = None, font: str | None = None) -> Theme:
    """The packaged theme, or a user's theme file; `font` overrides the deck font."""
    if path is None:
        raw = read_yaml_resource("theme.yaml")
    else:
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"theme {path}: cannot be read ({exc}).") from None
        raw = {**read_yaml_resource("theme.yaml"), **(raw or {})}
    fonts = raw["fonts"]
    return Theme(
        deck_font=font or fonts["deck"],
        measure_font=fonts["measure"],
        width_margin=float(fonts.get("width_margin", 0.07)),
        colors=raw["colors"],
        tones=raw["tones"],
        sizes=raw["sizes"],
    )
