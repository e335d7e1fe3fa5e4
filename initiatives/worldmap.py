"""A world map of the UN member states as inline SVG, coloured by CSS classes only (the CSP forbids
inline styles). The outlines come from reference/world-map.json, written by reference/build_map.py.

The outlines themselves (about 160 KB) are a static sprite, static/maps/world.svg, which browsers
cache once; each page only names the states, their status and where to find their outline."""

from __future__ import annotations

import json
from functools import cache
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


def _state(
    element: str,
    geometry: str,
    css: str,
    code: str,
    statuses: dict[str, str],
    names: dict[str, str],
    labels: dict[str, str],
    content: str = "",
) -> str:
    status = statuses.get(code)
    name = names.get(code, code)
    title = f"{name}: {labels.get(status, status)}" if status else name
    classes = f"map-state map-state--{status or NO_STATUS}{css}"
    attributes = f'{geometry} class="{escape(classes)}"' if geometry else f'class="{escape(classes)}"'
    return f'<{element} {attributes} data-code="{escape(code)}"><title>{escape(title)}</title>{content}</{element}>'


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
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{escape(data["viewBox"])}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="world-map" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        '<g class="map-states">',
    ]
    sprite = static(SPRITE)
    for code in data["shapes"]:
        # A group carries the state's name and status; its outline comes from the cached sprite.
        outline = f'<use href="{escape(sprite)}#{escape(code)}"/>'
        parts.append(_state("g", "", "", code, statuses, names, labels, outline))
    for code, (x, y) in data["markers"].items():
        geometry = f'cx="{x:g}" cy="{y:g}" r="{MARKER_RADIUS}"'
        parts.append(_state("circle", geometry, " map-marker", code, statuses, names, labels))
    parts.append("</g></svg>")
    # Every text and attribute above is escaped.
    return mark_safe("".join(parts))  # nosec  # noqa: S308
