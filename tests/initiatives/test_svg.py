"""The inline SVG charts: well-formed, accessible, escaped, free of inline styles and scripts."""

import csv
import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from initiatives.timeline import render_timeline, y_ticks
from initiatives.worldmap import map_data, render_world_map, sprite_document

SVG = "{http://www.w3.org/2000/svg}"
REFERENCE = Path(__file__).resolve().parents[2] / "reference"
LABELS = {"endorsed": "Endorsed", "withdrawn": "Withdrawn", "not-endorsed": "Not endorsed"}


def un_members() -> set[str]:
    with (REFERENCE / "states.csv").open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle) if row["kind"] == "un_member"}


def world_map(**overrides):
    arguments = {
        "statuses": {
            "FRA": "endorsed",
            "DEU": "endorsed",
            "USA": "not-endorsed",
            "BRA": "withdrawn",
            "MCO": "endorsed",
        },
        "names": {"FRA": "France", "DEU": "Germany", "USA": "United States", "BRA": "Brazil", "MCO": "Monaco"},
        "labels": LABELS,
        "title": "Endorsements of the Paris Call",
        "description": "States that endorsed the Paris Call, by country.",
        **overrides,
    }
    return str(render_world_map(**arguments))


def timeline(points, **overrides):
    arguments = {
        "points": points,
        "title": "Endorsements in force",
        "description": "From 3 in 2019 to 7 in 2021.",
        "y_label": "States",
        **overrides,
    }
    return str(render_timeline(**arguments))


def parse(markup: str) -> ET.Element:
    """Parse the renderers' own output; raises if it is not well-formed XML."""
    return ET.fromstring(markup)  # noqa: S314 - our own markup, not untrusted input


def by_code(root: ET.Element) -> dict[str, ET.Element]:
    return {element.get("data-code"): element for element in root.iter() if element.get("data-code")}


def assert_accessible_svg(markup: str, title: str, description: str) -> ET.Element:
    root = parse(markup)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    children = {child.get("id"): child for child in root if child.get("id")}
    assert children[title_id].tag == f"{SVG}title"
    assert children[title_id].text == title
    assert children[desc_id].tag == f"{SVG}desc"
    assert children[desc_id].text == description
    return root


def assert_no_inline_style_or_script(markup: str) -> None:
    root = parse(markup)
    for element in root.iter():
        assert "style" not in element.attrib
        assert not any(name.lower().startswith("on") for name in element.attrib)
        assert element.tag not in (f"{SVG}style", f"{SVG}script")
    assert "<script" not in markup.lower()
    assert "<style" not in markup.lower()
    assert "style=" not in markup.lower()


# World map


def test_map_data_covers_every_un_member_and_nothing_else():
    data = map_data()
    shapes, markers = set(data["shapes"]), set(data["markers"])
    assert not shapes & markers, "a state is drawn either as an outline or as a dot"
    # Every member is found: Natural Earth 1:50m has all of them but Tuvalu, which build_map.py
    # takes from the 1:10m file; states too small to draw at this scale are markers.
    assert shapes | markers == un_members()
    assert len(shapes | markers) == 193
    assert re.fullmatch(r"0 0 1000 \d+", data["viewBox"])
    assert "Natural Earth" in data["source"]
    width, height = 1000, int(data["viewBox"].split()[3])
    for code, (x, y) in data["markers"].items():
        assert 0 <= x <= width and 0 <= y <= height, code
    for code, d in data["shapes"].items():
        assert re.fullmatch(r"(M[-\d.]+,[-\d.]+L[-\d.]+,[-\d.]+( [-\d.]+,[-\d.]+)+Z)+", d), code


def test_map_is_accessible_and_coloured_by_class():
    markup = world_map()
    root = assert_accessible_svg(
        markup, "Endorsements of the Paris Call", "States that endorsed the Paris Call, by country."
    )
    assert root.get("class") == "world-map"
    assert root.get("focusable") == "false"
    assert root.get("viewBox") == map_data()["viewBox"]
    states = by_code(root)
    assert set(states) == un_members()

    france = states["FRA"]
    assert france.tag == f"{SVG}g"
    assert france.get("class") == "map-state map-state--endorsed"
    assert france.find(f"{SVG}use").get("href") == "/static/maps/world.svg#FRA"
    assert france.find(f"{SVG}title").text == "France: Endorsed"
    assert states["DEU"].find(f"{SVG}title").text == "Germany: Endorsed"
    assert states["USA"].get("class") == "map-state map-state--not-endorsed"
    assert states["USA"].find(f"{SVG}title").text == "United States: Not endorsed"
    assert states["BRA"].get("class") == "map-state map-state--withdrawn"
    assert states["BRA"].find(f"{SVG}title").text == "Brazil: Withdrawn"

    monaco = states["MCO"]
    assert monaco.tag == f"{SVG}circle"
    assert monaco.get("r") == "3"
    assert "map-state--endorsed" in monaco.get("class").split()
    assert monaco.find(f"{SVG}title").text == "Monaco: Endorsed"

    # Not in statuses: no status class and the name alone; no name given: the code.
    assert states["JPN"].get("class") == "map-state map-state--none"
    assert states["JPN"].find(f"{SVG}title").text == "JPN"
    assert_no_inline_style_or_script(markup)


def test_every_state_has_an_accessible_name():
    names = {code: f"State {code}" for code in un_members()}
    root = parse(world_map(statuses={}, names=names))
    for code, element in by_code(root).items():
        assert element.find(f"{SVG}title").text == f"State {code}"


def test_map_escapes_every_text():
    markup = world_map(
        statuses={"FRA": 'end"orsed'},
        names={"FRA": "Fr<&>nce"},
        labels={'end"orsed': "<b>Endorsed</b> & co"},
        title="Map <script>alert(1)</script>",
        description="A & B",
        id_prefix='m"x',
    )
    root = assert_accessible_svg(markup, "Map <script>alert(1)</script>", "A & B")
    france = by_code(root)["FRA"]
    assert france.find(f"{SVG}title").text == "Fr<&>nce: <b>Endorsed</b> & co"
    assert france.get("class") == 'map-state map-state--end"orsed'
    assert "Fr&lt;&amp;&gt;nce" in markup
    assert_no_inline_style_or_script(markup)


def test_id_prefix_keeps_two_maps_apart():
    root = parse(world_map(id_prefix="paris-call"))
    assert root.get("aria-labelledby") == "paris-call-title paris-call-desc"


# Timeline

POINTS = [
    (datetime.date(2019, 3, 1), 3),
    (datetime.date(2020, 6, 15), 5),
    (datetime.date(2021, 1, 10), 7),
    (datetime.date(2021, 9, 30), 6),
]


def path_commands(d: str) -> list[tuple[str, list[float]]]:
    return [
        (command, [float(n) for n in re.findall(r"-?[\d.]+", numbers)])
        for command, numbers in re.findall(r"([MHVZ])([^MHVZ]*)", d)
    ]


def test_timeline_is_accessible_and_left_to_right():
    markup = timeline(POINTS)
    root = assert_accessible_svg(markup, "Endorsements in force", "From 3 in 2019 to 7 in 2021.")
    assert root.get("direction") == "ltr"
    assert root.get("class") == "timeline"
    assert root.get("viewBox") == "0 0 640 260"
    texts = {element.text for element in root.iter(f"{SVG}text")}
    assert {"2019", "2020", "2021", "States"} <= texts
    y_labels = [e.text for e in root.iter(f"{SVG}text") if "timeline-tick--y" in e.get("class", "")]
    assert y_labels == ["0", "2", "4", "6", "8"]
    assert all(e.get("class") for e in root.iter(f"{SVG}text"))
    assert_no_inline_style_or_script(markup)


def test_timeline_line_steps_at_every_point():
    root = parse(timeline(POINTS))
    line = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "timeline-line")
    area = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "timeline-area")
    commands = path_commands(line.get("d"))

    # Starts at the first point: 1 March 2019 is 59 days into a three-year axis, at 3 of 8.
    assert commands[0][0] == "M"
    x0, y0 = commands[0][1]
    assert x0 == pytest.approx(48 + 576 * 59 / 1096, abs=0.06)
    assert y0 == pytest.approx(228 - 196 * 3 / 8, abs=0.06)

    # Then a horizontal run to each later date and a vertical step to its count, then on to the end.
    steps = commands[1:]
    assert [c for c, _ in steps] == ["H", "V"] * (len(POINTS) - 1) + ["H"]
    xs = [x0] + [n[0] for c, n in steps if c == "H"]
    assert xs == sorted(xs)
    assert xs[-1] == 624
    ys = [n[0] for c, n in steps if c == "V"]
    assert ys == [pytest.approx(228 - 196 * count / 8, abs=0.06) for _date, count in POINTS[1:]]

    area_commands = path_commands(area.get("d"))
    assert area_commands[0] == ("M", [x0, 228])
    assert area_commands[-1] == ("Z", [])
    assert area_commands[1:-2] == [("V", [y0]), *steps]


def test_timeline_single_point_and_escaping():
    markup = timeline([(datetime.date(2018, 11, 12), 51)], title="A <&> B", y_label="États « signataires »")
    root = assert_accessible_svg(markup, "A <&> B", "From 3 in 2019 to 7 in 2021.")
    line = next(e for e in root.iter(f"{SVG}path") if e.get("class") == "timeline-line")
    assert [c for c, _ in path_commands(line.get("d"))] == ["M", "H"]
    assert "États « signataires »" in {e.text for e in root.iter(f"{SVG}text")}


def test_timeline_without_points_draws_only_the_axes():
    markup = timeline([])
    root = assert_accessible_svg(markup, "Endorsements in force", "From 3 in 2019 to 7 in 2021.")
    assert not list(root.iter(f"{SVG}path"))
    assert [e.get("class") for e in root.iter(f"{SVG}line")].count("timeline-axis") == 2
    assert_no_inline_style_or_script(markup)


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1, 2, 3]),
        (1, [0, 1, 2, 3]),
        (5, [0, 1, 2, 3, 4, 5]),
        (7, [0, 2, 4, 6, 8]),
        (51, [0, 20, 40, 60]),
        (193, [0, 50, 100, 150, 200]),
        (1000, [0, 200, 400, 600, 800, 1000]),
    ],
)
def test_y_ticks_are_round(maximum, ticks):
    assert y_ticks(maximum) == ticks
    assert 4 <= len(ticks) <= 6


def test_the_committed_sprite_holds_every_outline_of_the_map_data():
    """static/maps/world.svg is written by sprite_document(); the two never drift apart."""
    sprite = Path(__file__).resolve().parents[2] / "static" / "maps" / "world.svg"
    assert sprite.read_text(encoding="utf-8") == sprite_document()
    root = ET.fromstring(sprite_document())
    outlines = {path.get("id"): path.get("d") for path in root.iter(f"{SVG}path")}
    assert outlines == map_data()["shapes"]
    assert not any(path.get("fill") or path.get("style") for path in root.iter(f"{SVG}path"))
