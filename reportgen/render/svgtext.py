"""SVG text drawn as whole runs in WeasyPrint 70, for speed and for Arabic.

WeasyPrint 70 lays out and draws SVG `<text>` one code point at a time (weasyprint/svg/text.py:
one Pango layout and one text-drawing operation per character), because SVG allows each glyph
to be placed on its own. The report's charts hold about 15,000 characters of text, so the
PDF spent about a sixth of its time there (docs/performance.md); and code point by code point
also breaks shaping: Arabic letters come out unjoined and left to right, combining marks apart
(WeasyPrint issue #2249; the fix proposed upstream, PR #2754, takes the same route and is not
released).

`install()` replaces WeasyPrint's SVG text function with one that, when a text node places no
glyph on its own (at most one value in each of x, y, dx, dy; no rotate, letter-spacing or
textLength; no line break), shapes and draws the node's text as one run, with the same
position, cursor advance and bounding box (so `text-anchor` works as before). Every other
node goes through WeasyPrint's own code. It patches WeasyPrint's internals, so it only
installs on the 70.x series pinned in requirements.txt; `supported()` says, without importing
WeasyPrint, whether it will, and the charts draw right-to-left labels only then.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from math import inf
from typing import Any

log = logging.getLogger(__name__)
SUPPORTED_SERIES = "70."
_ORIGINAL: Any = None


def _single(node: Any, name: str) -> bool:
    value = node.attrib.get(name)
    return value is None or len(value.replace(",", " ").split()) <= 1


def _simple(node: Any) -> bool:
    return (node.tag in ("text", "tspan") and node.text and "\n" not in node.text
            and all(_single(node, name) for name in ("x", "y", "dx", "dy"))
            and not any(node.attrib.get(name) for name in ("rotate", "textLength"))
            and node.get("letter-spacing") in (None, "", "0", "normal"))


def _whole_text(svg: Any, node: Any, font_size: float) -> None:
    if not _simple(node):
        return _ORIGINAL(svg, node, font_size)
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    # The style, as weasyprint.svg.text.text builds it.
    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    # Strip the spaces first: "'DejaVu Sans', 'Noto Sans CJK SC'" splits into a second name with
    # a space before its quote, which WeasyPrint's own parser keeps (the face named second is
    # then never found, and fontconfig's default CJK face, the Japanese one, draws the Chinese).
    style["font_family"] = [font.strip().strip("\"'") for font in node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    style["font_weight"] = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(style["font_weight"])
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size

    layout, _, _, width, height, baseline = split_first_line(node.text, style, svg.context, inf, 0)

    def first(name: str, reference: float) -> float | None:
        value = node.attrib.get(name)
        if value is None or not normalize(value).strip():
            return None
        return size(normalize(value).strip(), font_size, reference)

    x, y = first("x", svg.inner_width), first("y", svg.inner_height)
    dx, dy = first("dx", svg.inner_width), first("dy", svg.inner_height)

    # Vertical alignment, as in weasyprint.svg.text.text.
    ascent, descent = font_size * .8, font_size * .2
    y_align = 0.0
    display_anchor = node.get("display-anchor")
    alignment_baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if display_anchor == "middle":
        y_align = -height / 2
    elif display_anchor == "top":
        pass
    elif display_anchor == "bottom":
        y_align = -height
    elif alignment_baseline in ("central", "middle"):
        y_align = (ascent + descent) / 2 - descent
    elif alignment_baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        y_align = ascent
    elif alignment_baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        y_align = -descent

    # The first glyph's placement, as the per-code-point loop does it for its first letter.
    if x:
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    svg.cursor_d_position[0] += dx or 0
    svg.cursor_d_position[1] += dy or 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    x_position = x + svg.cursor_d_position[0]
    y_position = y + svg.cursor_d_position[1] + y_align
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box,
        ((x_position, y_position - baseline), (x_position + width, y_position - baseline + height)))

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none", Matrix(d=-1, e=x_position, f=y_position))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
    return None


@lru_cache(maxsize=None)
def supported() -> bool:
    """True if `install()` will work with the installed WeasyPrint (read from its metadata)."""
    try:
        return version("weasyprint").startswith(SUPPORTED_SERIES)
    except PackageNotFoundError:
        return False


@lru_cache(maxsize=None)
def _warn_unsupported(found: str) -> None:
    log.warning("WeasyPrint %s is not the %sx series reportgen was built for: chart text is drawn letter "
                "by letter (slower; right-to-left labels left out)", found, SUPPORTED_SERIES)


def install() -> bool:
    """Use whole-run SVG text in this process; True if installed (WeasyPrint 70.x only)."""
    global _ORIGINAL
    import weasyprint
    import weasyprint.svg as svg_module

    if _ORIGINAL is not None:
        return True
    if not weasyprint.__version__.startswith(SUPPORTED_SERIES):
        _warn_unsupported(weasyprint.__version__)
        return False
    _ORIGINAL = svg_module.text
    # draw_node compares TAGS.get(tag) with the module's `text` to find text nodes: replace the
    # function and every tag drawn with it (text, tspan, textPath, and `a`, a link inside text).
    svg_module.text = _whole_text
    for tag, function in list(svg_module.TAGS.items()):
        if function is _ORIGINAL:
            svg_module.TAGS[tag] = _whole_text
    return True


def uninstall() -> None:
    global _ORIGINAL
    import weasyprint.svg as svg_module

    if _ORIGINAL is None:
        return
    for tag, function in list(svg_module.TAGS.items()):
        if function is _whole_text:
            svg_module.TAGS[tag] = _ORIGINAL
    svg_module.text = _ORIGINAL
    _ORIGINAL = None
