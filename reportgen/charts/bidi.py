"""Right-to-left text in the charts' SVG labels: found, isolated in its direction, or left out
where the PDF could not draw it.

WeasyPrint 70 on its own draws SVG text letter by letter, left to right, so Arabic would come
out reversed and unjoined; `reportgen.render.svgtext` makes it draw whole runs (shaped), and
only then do the charts draw right-to-left labels. Otherwise a label holding right-to-left
script is replaced by a code, a symbol or nothing (`drawn`, `label_or_placeholder`) and the
chart's text alternative spells out a key; browsers draw such labels well either way.
"""

from __future__ import annotations

import unicodedata

from reportgen.charts.text import clean


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def has_ltr(text: str) -> bool:
    return any(unicodedata.bidirectional(char) == "L" for char in text)


def isolate_rtl(text: str, rtl_chart: bool = True) -> str:
    """Text holding right-to-left script as a bidi isolate, its surrounding spaces outside.

    In a right-to-left chart (an Arabic report) a label is a right-to-left line of its own
    (U+2067 … U+2069): without it, "2009: 93 · القيمة المستهدفة 90" or "قطاع الاتصالات
    الراديوية (ITU-R)" would be ordered as left-to-right text and read in the wrong order; so is
    a label of numbers and symbols alone ("2009: 113,629", "● 12"), which then reads as the
    Arabic around it does. A label in a left-to-right script (a code, an English KPI name) is
    left in its own direction. In a left-to-right chart, right-to-left workbook or plan text is
    a first-strong isolate (U+2068 … U+2069): laid out in its own direction, it leaves the
    English around it in place (a label joining several pieces isolates each piece first; see
    the trends chart's cells). Browsers and Pango both follow the Unicode bidi algorithm for
    isolates."""
    if not (has_rtl(text) or (rtl_chart and text.strip() and not has_ltr(text))):
        return text
    core = text.strip()
    start = len(text) - len(text.lstrip())
    opener = "\u2067" if rtl_chart else "\u2068"
    return f"{text[:start]}{opener}{core}\u2069{text[start + len(core):]}"


def unshapeable(text: str) -> bool:
    """Right-to-left text in a PDF whose WeasyPrint draws SVG text letter by letter."""
    from reportgen.render.svgtext import supported

    return has_rtl(text) and not supported()


def drawn(text: str, fallback: str = "") -> str:
    """`text` for a label drawn inside the SVG, or `fallback` (a code, a symbol or nothing)
    if it holds right-to-left script that WeasyPrint would draw reversed and unjoined."""
    return fallback if unshapeable(text) else text


def label_or_placeholder(text: str, placeholder: str) -> str:
    """Workbook or plan text for a visible label, or `placeholder` if it has right-to-left
    script that the installed WeasyPrint cannot draw: a KPI name then gets a pointer to the
    table; a plan title (an Arabic plan file) is left out, its code stays. The full text stays
    in the <title> elements and the table."""
    return placeholder if unshapeable(text) else clean(text)
