"""A step chart of the endorsements in force over time, as inline SVG coloured by CSS classes only
(the CSP forbids inline styles). Left to right even on right-to-left pages: time reads that way."""

from __future__ import annotations

import datetime
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 624, 32, 228  # the plot area inside the viewBox
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

    def y(count: int) -> float:
        return BOTTOM - (BOTTOM - TOP) * count / ticks[-1]

    title_id, desc_id = escape(f"{id_prefix}-title"), escape(f"{id_prefix}-desc")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" class="timeline" focusable="false" direction="ltr">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<text class="timeline-axis-label" x="{LEFT}" y="{TOP - 14}" text-anchor="start">{escape(y_label)}</text>',
    ]
    for tick in ticks:
        parts.append(
            f'<line class="timeline-grid" x1="{LEFT}" x2="{RIGHT}" y1="{_num(y(tick))}" y2="{_num(y(tick))}"/>'
        )
        parts.append(
            f'<text class="timeline-tick timeline-tick--y" x="{LEFT - 6}" y="{_num(y(tick))}" '
            f'text-anchor="end" dominant-baseline="middle">{tick}</text>'
        )
    parts.append(f'<line class="timeline-axis" x1="{LEFT}" x2="{RIGHT}" y1="{BOTTOM}" y2="{BOTTOM}"/>')
    parts.append(f'<line class="timeline-axis" x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{BOTTOM}"/>')

    if points:
        first_year, last_year = points[0][0].year, points[-1][0].year
        start, end = datetime.date(first_year, 1, 1), datetime.date(last_year + 1, 1, 1)
        span = (end - start).days

        def x(date: datetime.date) -> float:
            return LEFT + (RIGHT - LEFT) * (date - start).days / span

        every = math.ceil((last_year - first_year + 1) / MAX_YEAR_LABELS)
        for year in range(first_year, last_year + 2):
            boundary = _num(x(datetime.date(year, 1, 1)))
            parts.append(
                f'<line class="timeline-tick-mark" x1="{boundary}" x2="{boundary}" y1="{BOTTOM}" y2="{BOTTOM + 5}"/>'
            )
            if year <= last_year and (year - first_year) % every == 0:
                middle = _num(x(datetime.date(year, 7, 2)))
                parts.append(
                    f'<text class="timeline-tick timeline-tick--x" x="{middle}" y="{BOTTOM + 18}" '
                    f'text-anchor="middle">{escape(str(year))}</text>'
                )

        (first_date, first_count), rest = points[0], points[1:]
        steps = "".join(f"H{_num(x(date))}V{_num(y(count))}" for date, count in rest) + f"H{_num(x(end))}"
        line = f"M{_num(x(first_date))},{_num(y(first_count))}{steps}"
        area = f"M{_num(x(first_date))},{_num(y(0))}V{_num(y(first_count))}{steps}V{_num(y(0))}Z"
        parts.append(f'<path class="timeline-area" d="{area}"/>')
        parts.append(f'<path class="timeline-line" d="{line}"/>')
    parts.append("</svg>")
    # Every text above is escaped; the rest are numbers.
    return mark_safe("".join(parts))  # nosec  # noqa: S308
