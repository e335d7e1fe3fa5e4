"""A world map of the UN member states as inline SVG, coloured by CSS classes only (the CSP forbids
inline styles). The outlines come from reference/world-map.json, written by reference/build_map.py.

The outlines themselves (about 160 KB) are a static sprite, static/maps/world.svg, which browsers
cache once; each page only names the states, their status and where to find their outline."""

from __future__ import annotations

import html
import json
from functools import cache, lru_cache
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MARKER_RADIUS = 3
NO_STATUS = "none"


class WorldMapData(TypedDict):
    viewBox: str
    source: str
    shapes: dict[str, str]
    markers: dict[str, list[float]]


@cache
def map_data() -> WorldMapData:
    path = Path(settings.BASE_DIR) / "reference" / "world-map.json"
    data: WorldMapData = json.loads(path.read_text(encoding="utf-8"))
    return data


SPRITE = "maps/world.svg"


def sprite_document() -> str:
    """The static sprite: every outline once, without colour (the page's classes colour it)."""
    data = map_data()
    paths = "".join(f'<path id="{escape(code)}" d="{escape(d)}"/>' for code, d in data["shapes"].items())
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(data["viewBox"])}"><defs>{paths}</defs></svg>\n'


@lru_cache(maxsize=4096)  # states × statuses × languages; a page draws some 240 of them
def _state(code: str, name: str, status: str, label: str, element: str, geometry: str, css: str, content: str) -> str:
    """One state's shape with its name and status; `label` is escaped already."""
    title = f"{html.escape(name)}: {label}" if label else html.escape(name)
    return (
        f'<{element} {geometry}class="{html.escape(f"map-state map-state--{status}{css}")}" '
        f'data-code="{html.escape(code)}"><title>{title}</title>{content}</{element}>'
    )


def render_world_map(
    *,
    statuses: dict[str, str],
    names: dict[str, str],
    labels: dict[str, str],
    title: str,
    description: str,
    id_prefix: str = "map",
) -> SafeString:
    """One outline (or a dot, for states too small to draw) per UN member state.

    statuses: alpha-3 → status slug ("endorsed", "withdrawn", …), used as the class map-state--{slug};
    states without one get map-state--none. names: alpha-3 → name; labels: slug → label. Each state's
    <title> reads "Name: Label" (or just "Name")."""
    data = map_data()
    title_id, desc_id = escape(f"{id_prefix}-title"), escape(f"{id_prefix}-desc")
    # A page draws some 240 states: every value is escaped once here, with the standard library's
    # escape (Django's marks each result safe, which costs more than the map itself).
    label_of = {slug: html.escape(str(label)) for slug, label in labels.items()}

    def state(code: str, element: str, geometry: str, css: str, content: str = "") -> str:
        status = statuses.get(code)
        label = (label_of.get(status) or html.escape(status)) if status else ""
        return _state(code, names.get(code, code), status or NO_STATUS, label, element, geometry, css, content)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(data["viewBox"])}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="world-map" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        '<g class="map-states">',
    ]
    sprite = html.escape(static(SPRITE))
    for code in data["shapes"]:
        # A group carries the state's name and status; its outline comes from the cached sprite.
        parts.append(state(code, "g", "", "", f'<use href="{sprite}#{html.escape(code)}"/>'))
    for code, (x, y) in data["markers"].items():
        parts.append(state(code, "circle", f'cx="{x:g}" cy="{y:g}" r="{MARKER_RADIUS}" ', " map-marker"))
    parts.append("</g></svg>")
    # Every text and attribute above is escaped.
    return mark_safe("".join(parts))  # nosec  # noqa: S308
