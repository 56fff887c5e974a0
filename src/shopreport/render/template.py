"""The company's own template: its layouts found by role, its colours, its slide size.

A layout's role (cover, agenda, section, content, title_only, blank, closing) is scored from
its placeholder types, its name in English, Chinese or French, and its placeholders' shape,
because real templates name layouts freely ("Start slide with yellow background"), leave out
types (22 of 23 layouts of a corporate template have none), and LibreOffice exports mark the
title slide `tx` and have no section layout. `layouts:` in the config names a layout per role
for templates this does not read right.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree
from pptx import Presentation
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.oxml.ns import qn

from shopreport.errors import ConfigError

ROLES = ("cover", "agenda", "section", "content", "title_only", "blank", "closing")
# the deck's layouts → the role of the template layout each is placed on
ROLE_OF = {
    "cover": "cover",
    "catalogue": "agenda",
    "divider": "section",
    "closing": "closing",
}
FALLBACK = {
    "cover": ["cover", "section", "title_only", "content"],
    "agenda": ["agenda", "title_only", "content"],
    "section": ["section", "cover", "title_only", "content"],
    "title_only": ["title_only", "content", "blank"],
    "content": ["content", "title_only"],
    "closing": ["closing", "cover", "section", "title_only", "content"],
    "blank": ["blank", "title_only"],
}
NAMES = {
    "cover": r"^title slide|cover|start|opening|titre\b(?! (seul|de section|et))|标题幻灯片|封面",
    "agenda": r"agenda|contents|overview|目录|sommaire",
    "section": r"section|chapter|divider|节标题|章节|titre de section",
    "content": r"title and content|title, content$|content|titre et contenu|标题和内容|内容",
    "title_only": r"title only|titre seul|仅标题|只有标题",
    "blank": r"^blank|vide|空白",
    "closing": r"\bend\b|closing|thank|结束|谢谢|致谢|\bfin\b",
}
TYPES = {
    "cover": {"title"},
    "section": {"secHead"},
    "content": {"obj", "tx"},
    "title_only": {"titleOnly"},
    "blank": {"blank"},
}
TITLE_TYPES = (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE)
BODY_TYPES = (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.SUBTITLE, PP_PLACEHOLDER.OBJECT)
SKIP = re.compile(r"user guide|instructions|guide", re.I)


def open_template(path: Path):
    """The template as a presentation without its sample slides; a .potx is read as a .pptx
    (its main content type rewritten in memory)."""
    try:
        data = path.read_bytes()
        source = zipfile.ZipFile(io.BytesIO(data))
    except (OSError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"template: {path} is not a PowerPoint file ({exc}).") from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            blob = source.read(item.filename)
            if item.filename == "[Content_Types].xml":
                blob = blob.replace(
                    b"presentationml.template.main+xml", b"presentationml.presentation.main+xml"
                )
            target.writestr(item, blob)
    try:
        prs = Presentation(io.BytesIO(out.getvalue()))
    except Exception as exc:  # python-pptx raises several types on a damaged package
        raise ConfigError(f"template: {path} could not be read ({exc}).") from None
    ids = prs.slides._sldIdLst
    for slide_id in list(ids):
        prs.part.drop_rel(slide_id.rId)
        ids.remove(slide_id)
    return prs


def _layouts(prs):
    """Every layout of every master (LibreOffice writes one master per master page)."""
    for master in prs.slide_masters:
        for layout in master.slide_layouts:
            if not SKIP.search(layout.name or ""):
                yield layout


def _score(layout, role: str) -> float:
    name = (layout.name or "").lower()
    kind = layout._element.get("type")
    placeholders = list(layout.placeholders)
    types = [p.placeholder_format.type for p in placeholders]
    titles = [p for p in placeholders if p.placeholder_format.type in TITLE_TYPES]
    bodies = [p for p in placeholders if p.placeholder_format.type in BODY_TYPES]
    score = 0.0
    if re.search(NAMES[role], name):
        score += 3
    if kind in TYPES.get(role, set()):
        score += 2
    if role in ("cover", "section") and PP_PLACEHOLDER.CENTER_TITLE in types:
        score += 1.5
    if role == "title_only" and titles and not bodies:
        score += 1
    if role == "content" and titles and len(bodies) == 1:
        score += 1
    if role == "blank" and not placeholders:
        score += 1
    if role != "blank" and not titles:
        score -= 2  # every slide's title goes into a title placeholder
    return score


def _decoration(layout) -> int:
    """How much a layout and its master draw besides placeholders."""
    shapes = [*layout.shapes, *layout.slide_master.shapes]
    return sum(1 for shape in shapes if not shape.is_placeholder)


def layout_twin(layout, placeholder):
    """The layout's placeholder of the same type as `placeholder` (LibreOffice exports give
    title and body the same idx, so python-pptx's inheritance finds the wrong one)."""
    kind = placeholder.placeholder_format.type
    for candidate in layout.placeholders:
        if candidate.placeholder_format.type == kind:
            return candidate
    return None


def find_layouts(prs, names: dict[str, str] | None = None) -> dict[str, object]:
    """The template layout for each role: the config's `layouts:` names first, then the best
    scoring layout, then the role's fallbacks."""
    layouts = list(_layouts(prs))
    by_name: dict[str, Any] = {}
    for layout in layouts:
        by_name.setdefault(layout.name, layout)
    chosen: dict[str, object] = {}
    for role, name in (names or {}).items():
        if role not in ROLES:
            raise ConfigError(f"layouts: unknown role '{role}' (roles: {', '.join(ROLES)}).")
        if name not in by_name:
            raise ConfigError(
                f"layouts: the template has no layout '{name}' for {role} (it has: "
                f"{', '.join(sorted(by_name))})."
            )
        chosen[role] = by_name[name]
    best: dict[str, object] = {}
    for role in ROLES:
        # the best score; among equals, for the cover, section and closing the layout with the
        # most decoration, for the rest the plainest (LibreOffice templates draw the cover
        # look and the content look on different masters), then the first
        showy = 1 if role in ("cover", "section", "closing") else -1
        scored = sorted(
            (-_score(lay, role), -showy * _decoration(lay), i) for i, lay in enumerate(layouts)
        )
        if scored and -scored[0][0] >= 2.5:
            best[role] = layouts[scored[0][2]]
    for role in ROLES:
        if role in chosen:
            continue
        for candidate in FALLBACK[role]:
            if candidate in best:
                chosen[role] = best[candidate]
                break
        else:
            titled = [lay for lay in layouts if _score(lay, "title_only") > -2]
            chosen[role] = titled[0] if titled else layouts[0]
    return chosen


def template_colors(path: Path) -> dict[str, str]:
    """The colour scheme of the template at `path`."""
    return theme_colors(open_template(path))


def theme_colors(prs) -> dict[str, str]:
    """The template theme's colour scheme: dk1, lt1, dk2, lt2, accent1–6 as hex."""
    master = prs.slide_masters[0]
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    root = etree.fromstring(master.part.part_related_by(RT.THEME).blob)
    scheme = root.find(f".//{qn('a:clrScheme')}")
    out: dict[str, str] = {}
    if scheme is None:
        return out
    for slot in scheme:
        name = etree.QName(slot).localname
        rgb = slot.find(qn("a:srgbClr"))
        system = slot.find(qn("a:sysClr"))
        if rgb is not None:
            out[name] = rgb.get("val").upper()
        elif system is not None and system.get("lastClr"):
            out[name] = system.get("lastClr").upper()
    return out
