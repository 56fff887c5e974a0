"""Finding the `templates/` folder, in a wheel or in a source checkout."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml


@functools.cache
def templates_dir() -> Path:
    """The templates folder: inside the installed package, else the checkout's top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parents[1] / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("shopreport's templates folder is missing; reinstall shopreport")


@functools.cache
def read_yaml_resource(name: str) -> Any:
    """Parse a YAML file of the templates folder (cached; libyaml's parser where PyYAML has it,
    some ten times faster than the pure-Python one, with the same safe constructors)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load((templates_dir() / name).read_text(encoding="utf-8"), Loader=loader)
