"""Status drawn so that it reads without colour, and the legends that name it.

A status is a fill with a texture (bars), a shape (● ◐ ○ – markers) and, in every legend,
its icon and words; a legend lays out swatches and words, wrapping to a new line when full.
"""

from __future__ import annotations

from typing import Iterable

from reportgen.charts.canvas import WIDTH, Canvas, coord
from reportgen.charts.palette import INK, NOT_REPORTED_MARK, STATUS_COLOURS
from reportgen.charts.text import text_width
from reportgen.render.symbols import STATUS_CLASSES


def status_patterns(chart_id: str) -> str:
    """One fill per status: achieved solid; the others carry a texture over their colour,
    so a segment too narrow for its icon still reads without colour."""
    lines = {
        "partially achieved": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="#ffffff" '
                              'stroke-width="1.4" stroke-opacity="0.6"/>',
        "not achieved": '<circle cx="1.5" cy="1.5" r="1.1" fill="#ffffff" fill-opacity="0.6"/>'
                        '<circle cx="4.5" cy="4.5" r="1.1" fill="#ffffff" fill-opacity="0.6"/>',
        "not reported": '<path d="M0,1.5 h6 M0,4.5 h6" stroke="#ffffff" stroke-width="1" '
                        'stroke-opacity="0.7"/>',
    }
    out = []
    for status, texture in lines.items():
        out.append(f'<pattern id="{chart_id}-{STATUS_CLASSES[status]}" patternUnits="userSpaceOnUse" '
                   f'width="6" height="6"><rect width="6" height="6" fill="{STATUS_COLOURS[status]}"/>'
                   f"{texture}</pattern>")
    return "".join(out)


def status_fill(chart_id: str, status: str) -> str:
    """The fill of a bar segment of `status` (see `status_patterns`)."""
    if status == "achieved":
        return STATUS_COLOURS[status]
    return f"url(#{chart_id}-{STATUS_CLASSES[status]})"


def status_marker(canvas: Canvas, status: str, x: float, y: float, r: float = 4.0) -> None:
    """The status as a shape (● ◐ ○ –) in its colour, so it reads without colour. The shape
    is the icon's, in a right-to-left chart too (◐: filled on the left)."""
    colour = STATUS_COLOURS[status]
    if status == "achieved":
        canvas.circle(x, y, r, fill=colour, stroke=INK, stroke_width=0.6)
    elif status == "partially achieved":
        canvas.circle(x, y, r, fill="#ffffff", stroke=colour, stroke_width=1.4)
        canvas.element("path", d=f"M{coord(canvas.x(x))},{coord(y - r)}a{coord(r)},{coord(r)} 0 0 0 0,"
                                 f"{coord(2 * r)}z", fill=colour)
        canvas.circle(x, y, r, fill="none", stroke=INK, stroke_width=0.6)
    elif status == "not achieved":
        canvas.circle(x, y, r - 0.4, fill="#ffffff", stroke=colour, stroke_width=2)
    else:
        canvas.line(x - r - 1, y, x + r + 1, y, stroke=NOT_REPORTED_MARK, stroke_width=3)


def legend(canvas: Canvas, y: float, items: Iterable[tuple[str, str]],
           x: float = 0.0, size: float = 10.5) -> float:
    """Swatch + words (fill, label), left to right, wrapping to a new line when full.
    An empty label (a right-to-left word that cannot be drawn, see `bidi.drawn`) leaves the
    swatch alone. Returns the y below the legend."""
    for fill, label in items:
        width = 18 + 6 + text_width(label, size) + 16 if label else 18 + 12
        if x + width > WIDTH and x > 0:
            x, y = 0.0, y + 18
        canvas.rect(x, y, 18, 13, fill=fill, stroke=INK, stroke_width=0.5)
        if label:
            canvas.text(x + 24, y + 11, label, font_size=size)
        x += width
    return y + 20


def legend_width(items: Iterable[tuple[str, str]], size: float = 10.5) -> float:
    """The width `legend` takes for `items` on one line."""
    return sum(18 + 6 + text_width(label, size) + 16 if label else 18 + 12 for _fill, label in items)
