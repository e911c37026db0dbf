"""A chart ready to embed (`Chart`): its SVG document, title, text alternative and the table of
the numbers behind it; and the HTML <figure> that shows them together.

The SVG is valid XML with no scripts, no external references and no fetched fonts; it is
labelled by its own <title> and <desc>, and every id in it derives from the chart's id, so
several charts can share a page.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from reportgen.charts.canvas import WIDTH, escaped
from reportgen.charts.fonts import FONT_FAMILY
from reportgen.charts.palette import INK
from reportgen.charts.words import _
from reportgen.render.locale import ENGLISH, Locale

LINE = 12.0  # from one line of a wrapped label to the next (10 px text)
MAX_LINES = 4  # a label wraps to at most this many lines; past them it is cut with '…'
CODE_COLUMN = 33.0  # where an objective's title starts, after its code ("INT5" in bold is ~27)
# A number or a share in any of the report's locales: 1,234.5 / 1 234,5 / 1.234 / 116 % / –
_NUMERIC = re.compile(r"^[–-]?$|^-?[\d][\d,.'\u00a0\u202f ]*(\s?%)?$")


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart, ready to embed: `svg` is inline markup (insert it unescaped, e.g. `|safe`)."""

    id: str  # XML-safe; the SVG's own ids are "<id>-title", "<id>-desc", "<id>-…"
    title: str
    alt: str  # the text alternative: the main finding, with numbers
    svg: str
    table: tuple[tuple[str, ...], ...]  # header row first; the numbers behind the chart


def svg_document(chart_id: str, height: float, title: str, desc: str, body: str, defs: str = "",
                 rtl: bool = False) -> str:
    """The <svg> root: role="img" labelled by its own <title> and <desc>, sized by its viewBox.

    width="100%" and no height: browsers and WeasyPrint then take the height from the
    viewBox's ratio. (Fixed width/height attributes letterbox when CSS narrows the SVG, and in
    WeasyPrint 70 an inline style="height:auto" makes the box square.)

    A right-to-left chart (`rtl`) places its labels itself (see canvas.Canvas) and isolates
    their direction: its root says direction="ltr" so that the page's direction, which an
    inline SVG inherits in an Arabic HTML report, does not turn its text anchors round."""
    height = math.ceil(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" '
        + ('direction="ltr" ' if rtl else "")
        + f'font-family={quoteattr(FONT_FAMILY)} font-size="11" fill={quoteattr(INK)}>'
        f'<title id="{chart_id}-title">{escaped(title)}</title>'
        f'<desc id="{chart_id}-desc">{escaped(desc)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body + "</svg>"
    )


def figure_html(chart: Chart, number: str | None = None, locale: Locale = ENGLISH) -> str:
    """The chart as an HTML <figure>: caption, SVG and its data table (all escaped here)."""
    summary = locale.say(_("The numbers behind the chart"))
    caption = (f"{escape(number)} " if number else "") + escaped(chart.title)
    header, *rows = chart.table
    head = "".join(f'<th scope="col">{escaped(c)}</th>' for c in header)
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{escaped(c)}</th>' if i == 0
             else f'<td class="n">{escaped(c)}</td>' if _NUMERIC.match(c) else f"<td>{escaped(c)}</td>")
            for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return (f'<figure class="chart" id="{chart.id}">'
            f'<figcaption>{caption}</figcaption>{chart.svg}'
            f'<details class="chart-data"><summary>{escaped(summary)}</summary>'
            f'<table class="chart-data"><caption>{escaped(chart.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></figure>")
