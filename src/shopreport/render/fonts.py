"""The CJK font: found on the system (Noto Sans CJK) or in the bundled package, registered
with matplotlib, and opened with Pillow for measuring text."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from PIL import ImageFont

SYSTEM_DIRS = [
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    str(Path.home() / ".fonts"),
    "/System/Library/Fonts",
    "/Library/Fonts",
    "C:/Windows/Fonts",
]
FILES = {
    "regular": ["NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf"],
    "bold": ["NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf"],
}


@functools.cache
def font_file(weight: str = "regular") -> Path | None:
    """The file of the CJK face: a system Noto Sans CJK first, else the bundled Regular."""
    for folder in SYSTEM_DIRS:
        root = Path(folder)
        if root.is_dir():
            for name in FILES[weight]:
                found = next(root.rglob(name), None)
                if found:
                    return found
    if weight == "regular":
        try:
            import noto_cjk_sans_otc
        except ImportError:
            return None
        bundled = Path(noto_cjk_sans_otc.__file__).parent / "NotoSansCJK-Regular.ttc"
        return bundled if bundled.is_file() else None
    return None


@functools.cache
def face_index(path: Path, family: str) -> int:
    """Index of `family` (e.g. 'Noto Sans CJK SC') inside a font collection; 0 if absent."""
    for index in range(16):
        try:
            if ImageFont.truetype(str(path), 10, index=index).getname()[0] == family:
                return index
        except OSError:
            break
    return 0


@functools.cache
def pil_font(size_pt: float, bold: bool, family: str) -> ImageFont.FreeTypeFont:
    """A Pillow font at `size_pt` points (measured at 100 px per point for precision).

    Bold falls back to the regular face when no bold file exists; callers pad for it.
    """
    path = (font_file("bold") if bold else None) or font_file("regular")
    if path is None:
        raise RuntimeError("no CJK font found: install shopreport with its dependencies")
    return ImageFont.truetype(str(path), round(size_pt * 100), index=face_index(path, family))


@functools.cache
def setup_matplotlib(family: str) -> None:
    """Register the CJK faces with matplotlib and make them the default sans-serif."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager, rcParams

    for weight in ("regular", "bold"):
        path = font_file(weight)
        if path is not None:
            font_manager.fontManager.addfont(str(path))
    rcParams["font.family"] = "sans-serif"
    rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False


@functools.cache
def wide_latin_font(size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
    """DejaVu Sans (shipped with matplotlib) at `size_pt`: the wide Latin face renderers fall
    back to when the deck font is missing, so Latin text is measured against it too.

    The file is found without importing matplotlib (0.13 s a deck with native charts saves)."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(_matplotlib_fonts() / name), round(size_pt * 100))


@functools.cache
def _matplotlib_fonts() -> Path:
    """matplotlib's folder of TrueType fonts (mpl-data/fonts/ttf)."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("matplotlib is missing: install shopreport with its dependencies")
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"
