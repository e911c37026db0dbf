"""The SVG canvas the charts draw on: elements collected as strings, every text escaped and every
attribute value quoted here (callers pass workbook text as it is), coordinates written with one
decimal so that the same chart is always the same bytes.
"""

from __future__ import annotations

import re
from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from reportgen.charts.bidi import isolate_rtl
from reportgen.charts.text import NOT_XML, SPACES, clean

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
    so callers pass workbook text as it is."""

    def __init__(self, rtl: bool = False) -> None:
        self.parts: list[str] = []
        self.rtl = rtl  # a right-to-left chart: see isolate_rtl

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
        self.parts.append(f"<{tag}{self._attrs(attrs)}/>")

    def rect(self, x: float, y: float, width: float, height: float, **attrs: object) -> None:
        self.element("rect", x=x, y=y, width=max(width, 0.0), height=height, **attrs)

    def line(self, x1: float, y1: float, x2: float, y2: float, **attrs: object) -> None:
        self.element("line", x1=x1, y1=y1, x2=x2, y2=y2, **attrs)

    def text(self, x: float, y: float, content: str, **attrs: object) -> None:
        self.parts.append(f"<text{self._attrs({'x': x, 'y': y, **attrs})}>"
                          f"{escape(isolate_rtl(clean(content), self.rtl))}</text>")

    def rich_text(self, x: float, y: float, spans: Sequence[tuple[str, dict[str, object]]],
                  **attrs: object) -> None:
        """One <text> made of <tspan>s, each with its own attributes (e.g. a bold code)."""
        # Spans are not stripped: a leading U+00A0 keeps the gap after a bold code (renderers
        # collapse ordinary spaces at a tspan's edge differently).
        inner = "".join(f"<tspan{self._attrs(a)}>{_escaped_span(isolate_rtl(t, self.rtl))}</tspan>" if a
                        else _escaped_span(isolate_rtl(t, self.rtl)) for t, a in spans)
        self.parts.append(f"<text{self._attrs({'x': x, 'y': y, **attrs})}>{inner}</text>")

    def open(self, tag: str, **attrs: object) -> None:
        self.parts.append(f"<{tag}{self._attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def title(self, content: str) -> None:
        self.parts.append(f"<title>{escaped(content)}</title>")

    def markup(self) -> str:
        return "".join(self.parts)
