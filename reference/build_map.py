"""Rebuild reference/world-map.json, the outlines drawn by initiatives/worldmap.py.

Run by a developer, never by the app: `python reference/build_map.py PATH/countries-50m.json [PATH/countries.json]`.

Source: Natural Earth 1:50m admin-0 countries (public domain) as TopoJSON in the npm package
`world-atlas` 2.x. Install it outside the repository, for example
`npm install --prefix /tmp/wa world-atlas@2 world-countries` and pass
`/tmp/wa/node_modules/world-atlas/countries-50m.json`.

Steps: decode the quantized, delta-encoded TopoJSON arcs (transform scale/translate; a negative
arc index ~i is arc i reversed); project with Equal Earth into a viewBox 1000 units wide;
simplify each arc with Douglas–Peucker (tolerance TOLERANCE units); simplifying the shared arcs
rather than whole rings keeps neighbouring borders identical, so every ring is simplified with
its neighbours and no slivers open between them. Rings that collapse (fewer than three distinct
points, or almost no area) are dropped; coordinates are rounded to one decimal. Feature ids are
ISO 3166-1 numeric codes, mapped to alpha-3 with ../shared/data/un_member_states.csv; only the
193 UN member states are kept.

Markers. A member state gets a point in "markers" (drawn as a dot) instead of an outline when it
has no outline left: it is absent from the 1:50m file (Tuvalu, in world-atlas 2.0.2), or all of
its rings collapse, or what is left covers less than MIN_AREA square units (too small to see or
to point at). The point is, in order of preference:
1. the centroid of the largest polygon of the state's feature in the 1:50m file;
2. else the same in the 1:10m or 1:110m file of the same package (next to the 1:50m file);
3. else the `latlng` field (a representative point of the country, not its capital) of the
   state in the npm package `world-countries` (mledoze/countries, ODbL), whose countries.json is
   the optional second argument (default: node_modules/world-countries/countries.json beside
   world-atlas).
The states with markers are printed.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
MEMBERS_CSV = HERE.parent.parent / "shared" / "data" / "un_member_states.csv"
OUTPUT = HERE / "world-map.json"
SOURCE = "Natural Earth 1:50m admin-0 countries via npm world-atlas 2.x (public domain)"
WIDTH = 1000.0
TOLERANCE = 0.3  # Douglas–Peucker tolerance, in viewBox units
MIN_RING_AREA = 0.05  # square viewBox units; smaller rings are dropped
MIN_AREA = 1.0  # square viewBox units; a state with less is drawn as a marker
PADDING = 4.0  # viewBox units above and below the drawn states

Point = tuple[float, float]

# Equal Earth (Šavrič, Patterson, Jenny 2018).
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = 2 * math.sqrt(3) * math.pi / (3 * A1)  # projected x of longitude 180° on the equator
SCALE = WIDTH / (2 * X_MAX)


def equal_earth(lon: float, lat: float) -> Point:
    """Longitude/latitude in degrees → Equal Earth x, y (y up) in viewBox units, x from 0 to WIDTH."""
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = 2 * math.sqrt(3) * lam * math.cos(theta) / (3 * (9 * A4 * t6 * t2 + 7 * A3 * t6 + 3 * A2 * t2 + A1))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return (x + X_MAX) * SCALE, y * SCALE


def decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Quantized, delta-encoded arcs → absolute longitude/latitude positions."""
    transform = topology.get("transform")
    arcs: list[list[Point]] = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (kx, ky), (dx, dy) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * kx + dx, y * ky + dy))
        arcs.append(points)
    return arcs


def ring_points(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Join a ring's arcs; ~i (negative) is arc i reversed. Shared end points appear once."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _segment_distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def douglas_peucker(points: list[Point], tolerance: float) -> list[int]:
    """Indexes of the points to keep: the end points and every point farther than tolerance from
    the simplified line (iterative, so long arcs do not hit the recursion limit)."""
    if len(points) < 3:
        return list(range(len(points)))
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _segment_distance(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [i for i, kept in enumerate(keep) if kept]


def jumps(points: list[Point]) -> list[int]:
    """Indexes k where the segment k → k+1 crosses the antimeridian (longitude jumps by over 180°)."""
    return [k for k in range(len(points) - 1) if abs(points[k + 1][0] - points[k][0]) > 180]


def simplify_arc(arc: list[Point]) -> list[Point]:
    """Douglas–Peucker in projected units on a longitude/latitude arc; the points on either side of
    an antimeridian crossing are kept, each side being simplified on its own."""
    projected = [equal_earth(lon, lat) for lon, lat in arc]
    bounds = [0, *(k + 1 for k in jumps(arc)), len(arc)]
    kept: list[int] = []
    for start, stop in zip(bounds, bounds[1:], strict=False):
        kept.extend(start + i for i in douglas_peucker(projected[start:stop], TOLERANCE))
    return [arc[i] for i in kept]


def _clip(ring: list[Point], edge: float, keep_below: bool) -> list[Point]:
    """Sutherland–Hodgman: the part of a closed ring on one side of the meridian lon = edge."""

    def inside(point: Point) -> bool:
        return point[0] <= edge if keep_below else point[0] >= edge

    out: list[Point] = []
    for current, following in zip(ring, ring[1:] + ring[:1], strict=True):
        if inside(current):
            out.append(current)
        if inside(current) != inside(following):
            t = (edge - current[0]) / (following[0] - current[0])
            out.append((edge, current[1] + t * (following[1] - current[1])))
    return out


def split_antimeridian(ring: list[Point]) -> list[list[Point]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) → the rings of its parts on
    either side, each closed along longitude ±180. Other rings are returned unchanged."""
    if not jumps(ring + ring[:1]):
        return [ring]
    unwrapped = [ring[0]]
    for lon, lat in ring[1:]:
        previous = unwrapped[-1][0]
        lon += 360 * round((previous - lon) / 360)
        unwrapped.append((lon, lat))
    if abs(unwrapped[-1][0] - unwrapped[0][0]) > 180:
        return [ring]  # goes round a pole (Antarctica): not one of the states drawn here
    parts = []
    for shift in (-360, 0, 360):
        part = [(lon + shift, lat) for lon, lat in unwrapped]
        part = _clip(_clip(part, 180, keep_below=True), -180, keep_below=False)
        if len(part) >= 3:
            parts.append(part)
    return parts


def area(ring: list[Point]) -> float:
    """Signed shoelace area."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def centroid(ring: list[Point]) -> Point:
    total = area(ring)
    if abs(total) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return cx / (6 * total), cy / (6 * total)


def clean(ring: list[Point]) -> list[Point]:
    """Round to one decimal, drop repeated points and the closing point."""
    out: list[Point] = []
    for x, y in ring:
        point = (round(x, 1), round(y, 1))
        if not out or point != out[-1]:
            out.append(point)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def fmt(value: float) -> str:
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def path_data(rings: list[list[Point]]) -> str:
    return "".join(
        "M"
        + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in ring[:1])
        + "L"
        + " ".join(f"{fmt(x)},{fmt(y)}" for x, y in ring[1:])
        + "Z"
        for ring in rings
    )


def load_features(path: Path) -> dict[int, dict[str, Any]]:
    """ISO numeric → {"polygons": [...], "arcs": decoded arcs}. Features sharing an id are merged
    (world-atlas gives Ashmore and Cartier Is. the id of Australia, 036)."""
    topology = json.loads(path.read_text())
    arcs = decode_arcs(topology)
    features: dict[int, dict[str, Any]] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        if str(geometry.get("id", "")).isdigit():
            feature = features.setdefault(int(geometry["id"]), {"polygons": [], "arcs": arcs})
            feature["polygons"].extend(polygons(geometry))
    return features


def representative(feature: dict[str, Any]) -> Point:
    """Centroid (longitude, latitude) of the outer ring of the feature's largest polygon."""
    outers = [ring_points(polygon[0], feature["arcs"]) for polygon in feature["polygons"]]
    largest = max(outers, key=lambda ring: abs(area(ring)))
    return centroid(largest)


def build(atlas: Path, world_countries: Path) -> dict[str, Any]:
    members = {int(row["iso_numeric"]): row["iso_alpha3"] for row in csv.DictReader(MEMBERS_CSV.open())}
    topology = json.loads(atlas.read_text())
    simplified = [simplify_arc(arc) for arc in decode_arcs(topology)]

    features = load_features(atlas)
    shapes: dict[str, list[list[Point]]] = {}
    for number, feature in features.items():
        code = members.get(number)
        if code is None:
            continue
        rings: list[list[Point]] = []
        total = 0.0
        for polygon in feature["polygons"]:
            # Each ring of the polygon → its parts on either side of the antimeridian, projected.
            parts = [
                [clean([equal_earth(lon, lat) for lon, lat in part]) for part in split_antimeridian(ring)]
                for ring in (ring_points(indexes, simplified) for indexes in polygon)
            ]
            kept = [
                [ring for ring in ring_parts if len(ring) >= 3 and abs(area(ring)) >= MIN_RING_AREA]
                for ring_parts in parts
            ]
            if not kept[0]:
                continue  # the outer ring collapsed: so does the polygon, holes included
            rings.extend(ring for ring_parts in kept for ring in ring_parts)
            total += sum(abs(area(ring)) for ring in kept[0])
            total -= sum(abs(area(ring)) for ring_parts in kept[1:] for ring in ring_parts)
        if rings and total >= MIN_AREA:
            shapes[code] = rings

    others = [atlas.with_name(name) for name in ("countries-10m.json", "countries-110m.json")]
    other_features = [load_features(path) for path in others if path.exists()]
    latlng = {}
    if world_countries.exists():
        latlng = {c["cca3"]: c["latlng"] for c in json.loads(world_countries.read_text()) if c.get("latlng")}

    markers: dict[str, Point] = {}
    for number, code in sorted(members.items(), key=lambda item: item[1]):
        if code in shapes:
            continue
        found = [source[number] for source in [features, *other_features] if number in source]
        if found:
            lon, lat = representative(found[0])
            how = "too small at 1:50m" if number in features else "absent at 1:50m, point from another scale"
        elif code in latlng:
            lat, lon = latlng[code]
            how = "absent from world-atlas, point from world-countries latlng"
        else:
            sys.stdout.write(f"{code}: no shape and no point, not drawn\n")
            continue
        x, y = equal_earth(lon, lat)
        markers[code] = (x, y)
        sys.stdout.write(f"{code}: no outline ({how}): marker\n")

    # Vertical extent: what is drawn, padded; the projected y grows upwards, SVG's downwards.
    ys = [y for rings in shapes.values() for ring in rings for _x, y in ring] + [y for _x, y in markers.values()]
    top, bottom = round(max(ys) + PADDING, 1), min(ys) - PADDING
    height = math.ceil(top - bottom)

    def flip(ring: list[Point]) -> list[Point]:
        return [(x, top - y) for x, y in ring]

    return {
        "viewBox": f"0 0 {fmt(WIDTH)} {height}",
        "source": SOURCE,
        "shapes": {code: path_data([clean(flip(ring)) for ring in shapes[code]]) for code in sorted(shapes)},
        "markers": {code: [round(x, 1), round(top - y, 1)] for code, (x, y) in sorted(markers.items())},
    }


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    atlas_path = Path(sys.argv[1])
    countries_path = (
        Path(sys.argv[2]) if len(sys.argv) > 2 else atlas_path.parent.parent / "world-countries" / "countries.json"
    )
    result = build(atlas_path, countries_path)
    OUTPUT.write_text(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
    drawn = len(result["shapes"]) + len(result["markers"])
    sys.stdout.write(
        f"{OUTPUT.name}: {len(result['shapes'])} outlines, {len(result['markers'])} markers, {drawn} states\n"
    )
