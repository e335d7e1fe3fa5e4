"""A world map of the UN member states as inline SVG (templates/includes/world_map.svg), coloured by
CSS classes only (the CSP forbids inline styles). The outlines come from reference/world-map.json,
written by reference/build_map.py.

The outlines themselves (about 160 KB) are a static sprite, static/maps/world.svg, which browsers
cache once; each page only names the states, their status and where to find their outline."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TypedDict

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.html import escape
from django.utils.safestring import SafeString

MARKER_RADIUS = 3
NO_STATUS = "none"


class WorldMapData(TypedDict):
    viewBox: str
    source: str
    shapes: dict[str, str]
    markers: dict[str, list[float]]


@cache  # a file of the release, read once per process
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

    def state(code: str) -> tuple[str, str, str]:
        """(code, status, the <title>: "Name: Label", or just "Name" without a status)."""
        name, status = names.get(code, code), statuses.get(code)
        return code, status or NO_STATUS, f"{name}: {labels.get(status) or status}" if status else name

    return render_to_string(
        "includes/world_map.svg",
        {
            "view_box": data["viewBox"],
            "title": title,
            "description": description,
            "id_prefix": id_prefix,
            "sprite": static(SPRITE),  # where each state's outline is, in the cached sprite
            "shapes": [state(code) for code in data["shapes"]],
            "markers": [(*state(code), f"{x:g}", f"{y:g}") for code, (x, y) in data["markers"].items()],
            "radius": MARKER_RADIUS,
        },
    )
