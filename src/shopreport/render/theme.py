"""The deck theme (colours, fonts, sizes) read from templates/theme.yaml or the user's copy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shopreport.config import load_yaml
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


def with_template_colors(theme: Theme, scheme: dict[str, str]) -> Theme:
    """The theme recoloured from a template's colour scheme: its accents for the series, a dark
    colour for titles and numbers, its text colour."""
    accents = [scheme[f"accent{i}"] for i in range(1, 7) if f"accent{i}" in scheme]
    if not accents:
        return theme
    plain = {"000000", "FFFFFF"}
    primary = scheme.get("dk2") if scheme.get("dk2", "000000") not in plain else accents[0]
    colors = {
        **theme.colors,
        "primary": primary,
        "secondary": accents[0] if accents[0] != primary else accents[1 % len(accents)],
        "accent": accents[1 % len(accents)] if accents[0] == primary else accents[0],
        "target": accents[0],
        "series": [primary, *[a for a in accents if a != primary]],
    }
    if scheme.get("dk1") and scheme["dk1"] not in plain:
        colors["text"] = scheme["dk1"]
    return Theme(
        theme.deck_font,
        theme.measure_font,
        theme.width_margin,
        colors,
        theme.tones,
        theme.sizes,
    )


def load_theme(path: Path | None = None, font: str | None = None) -> Theme:
    """The packaged theme, or a user's theme file; `font` overrides the deck font."""
    if path is None:
        raw = read_yaml_resource("theme.yaml")
    else:
        try:
            raw = load_yaml(Path(path).read_text(encoding="utf-8"))
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
