"""The SVG canvas the charts draw on: elements collected as strings, every text escaped and every
attribute value quoted here (callers pass workbook text as it is), coordinates written with one
decimal so that the same chart is always the same bytes.

A right-to-left canvas (an Arabic report) mirrors what is drawn on it, as the report's tables
mirror: a chart is written once, in coordinates from its start edge, and x runs from the right.
Labels then hang from their start (right) edge, bars grow leftwards, a time axis runs right to
left and a grid of small multiples starts at the top right. Text itself is not mirrored (each
label is laid out in its own direction, see bidi.isolate_rtl), nor are symbols (◐ keeps its
filled half on the left, as the character does).
"""

from __future__ import annotations

import re
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from reportgen.charts.bidi import isolate_rtl
from reportgen.charts.text import NOT_XML, SPACES, clean

WIDTH = 680  # viewBox width: about the PDF's text width (174 mm at 96 px/in), so text keeps its size
_NEEDS_QUOTING = re.compile(r"[&<>\"']")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def coord(value: float) -> str:
    """A coordinate with one decimal, without a trailing '.0' (so output is byte-stable)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def escaped(text: object) -> str:
    """Workbook text as one label's XML character data."""
    return escape(clean(text))


def _escaped_span(text: str) -> str:
    return escape(SPACES.sub(" ", NOT_XML.sub("", text)))


def _attr(value: object) -> str:
    """An attribute value with its quotes; numbers need no escaping (the common, fast case)."""
    if isinstance(value, str):
        text = clean(value)
        return quoteattr(text) if _NEEDS_QUOTING.search(text) else f'"{text}"'
    return f'"{coord(value)}"'


def safe_id(text: str) -> str:
    """An XML id made of `text` (letters, digits, '-' and '_'), starting with a letter."""
    slug = _ID_UNSAFE.sub("-", text).strip("-")
    return slug if slug[:1].isalpha() else f"c-{slug}"


class Canvas:
    """Collects SVG elements as strings. Text is escaped and attribute values quoted here,
    so callers pass workbook text as it is. x is measured from the chart's start edge: the
    left one, or the right one in a right-to-left chart (`rtl`)."""

    _FLIPPED_ANCHORS = {None: "end", "start": "end", "end": "start", "middle": "middle"}

    def __init__(self, rtl: bool = False) -> None:
        self.parts: list[str] = []
        self.rtl = rtl

    def x(self, value: float) -> float:
        """Where `value` (from the start edge) is drawn."""
        return WIDTH - value if self.rtl else value

    def _anchor(self, attrs: dict[str, object]) -> dict[str, object]:
        if self.rtl:
            attrs["text_anchor"] = self._FLIPPED_ANCHORS[attrs.get("text_anchor")]  # type: ignore[index]
        return attrs

    @staticmethod
    def _attrs(attrs: dict[str, object]) -> str:
        out = []
        for name, value in attrs.items():
            if value is None:
                continue
            out.append(f" {name.rstrip('_').replace('_', '-')}={_attr(value)}")
        return "".join(out)

    def add(self, markup: str) -> None:
        self.parts.append(markup)

    def element(self, tag: str, **attrs: object) -> None:
        """An element as given: its coordinates already placed with `x()`."""
        self.parts.append(f"<{tag}{self._attrs(attrs)}/>")

    def rect(self, x: float, y: float, width: float, height: float, **attrs: object) -> None:
        width = max(width, 0.0)
        self.element("rect", x=self.x(x + width) if self.rtl else x, y=y, width=width, height=height, **attrs)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: object) -> None:
        self.element("line", x1=self.x(x1), y1=y1, x2=self.x(x2), y2=y2, **attrs)

    def circle(self, cx: float, cy: float, r: float, **attrs: object) -> None:
        self.element("circle", cx=self.x(cx), cy=cy, r=r, **attrs)

    def text(self, x: float, y: float, content: str, **attrs: object) -> None:
        """A label starting at x (text_anchor "middle": centred on x)."""
        attrs = self._anchor({"x": self.x(x), "y": y, **attrs})
        self.parts.append(f"<text{self._attrs(attrs)}>{escape(isolate_rtl(clean(content), self.rtl))}</text>")

    def rich_text(self, x: float, y: float, spans: Sequence[tuple[str, dict[str, object]]],
                  **attrs: object) -> None:
        """One <text> made of <tspan>s, each with its own attributes (e.g. a bold code), the
        first span at the start edge. In a right-to-left chart the spans are written in
        reverse and the text hangs from its right end, so that the first span is rightmost:
        each span keeps its own direction (WeasyPrint lays a <tspan> out on its own)."""
        # Spans are not stripped: a leading U+00A0 keeps the gap after a bold code (renderers
        # collapse ordinary spaces at a tspan's edge differently).
        spans = [(text, a) for text, a in spans if text.strip("\u00a0 ")]  # no gap after a lone code
        if self.rtl:
            spans = [(_moved_gap(text), a) for text, a in reversed(spans)]
        inner = "".join(f"<tspan{self._attrs(a)}>{_escaped_span(isolate_rtl(t, self.rtl))}</tspan>" if a
                        else _escaped_span(isolate_rtl(t, self.rtl)) for t, a in spans)
        attrs = self._anchor({"x": self.x(x), "y": y, **attrs})
        self.parts.append(f"<text{self._attrs(attrs)}>{inner}</text>")

    def open(self, tag: str, **attrs: object) -> None:
        self.parts.append(f"<{tag}{self._attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def title(self, content: str) -> None:
        self.parts.append(f"<title>{escaped(content)}</title>")

    def markup(self) -> str:
        return "".join(self.parts)


def _moved_gap(text: str) -> str:
    """A span's leading gap (the U+00A0 after a code) moved to its end: in a right-to-left
    chart the span is drawn before (left of) the code it follows."""
    core = text.lstrip("\u00a0 ")
    return core + text[:len(text) - len(core)]
