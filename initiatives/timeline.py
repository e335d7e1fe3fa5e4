"""A step chart of the endorsements in force over time, as inline SVG (templates/includes/timeline.svg)
coloured by CSS classes only (the CSP forbids inline styles). Left to right even on right-to-left
pages: time reads that way."""

from __future__ import annotations

import datetime
import math
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# The plot area inside the viewBox (0 0 640 260), as templates/includes/timeline.svg draws it.
LEFT, RIGHT, TOP, BOTTOM = 48, 624, 32, 228
MAX_YEAR_LABELS = 12


def y_ticks(maximum: int) -> list[int]:
    """4 to 6 integer ticks from 0 to a round top (a multiple of 1, 2 or 5 × 10ⁿ) at or above maximum."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            count = max(3, math.ceil(maximum / step))
            if count <= 5:
                return [step * i for i in range(count + 1)]
        magnitude *= 10


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def render_timeline(
    *,
    points: list[tuple[datetime.date, int]],
    title: str,
    description: str,
    y_label: str,
    id_prefix: str = "timeline",
) -> SafeString:
    """points: (date, count) in ascending date order; each count holds until the next date, the last
    until the end of its year. The x axis runs from 1 January of the first year to 1 January after the
    last, labelled with the years; with no points only the axes are drawn."""
    points = sorted(points)
    ticks = y_ticks(max((count for _date, count in points), default=0))

    def y(count: int) -> str:
        return _num(BOTTOM - (BOTTOM - TOP) * count / ticks[-1])

    chart: dict[str, Any] = {
        "title": title,
        "description": description,
        "y_label": y_label,
        "id_prefix": id_prefix,
        "ticks": [{"value": tick, "y": y(tick)} for tick in ticks],
        "years": [],
    }
    if points:
        first_year, last_year = points[0][0].year, points[-1][0].year
        start, end = datetime.date(first_year, 1, 1), datetime.date(last_year + 1, 1, 1)
        span = (end - start).days

        def x(date: datetime.date) -> str:
            return _num(LEFT + (RIGHT - LEFT) * (date - start).days / span)

        every = math.ceil((last_year - first_year + 1) / MAX_YEAR_LABELS)
        chart["years"] = [
            {
                "boundary": x(datetime.date(year, 1, 1)),
                "label": year if year <= last_year and (year - first_year) % every == 0 else None,
                "middle": x(datetime.date(year, 7, 2)),
            }
            for year in range(first_year, last_year + 2)
        ]
        (first_date, first_count), rest = points[0], points[1:]
        steps = "".join(f"H{x(date)}V{y(count)}" for date, count in rest) + f"H{x(end)}"
        chart["line"] = f"M{x(first_date)},{y(first_count)}{steps}"
        chart["area"] = f"M{x(first_date)},{y(0)}V{y(first_count)}{steps}V{y(0)}Z"
    return render_to_string("includes/timeline.svg", chart)
