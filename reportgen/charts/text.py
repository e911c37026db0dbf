"""Text fitted to a chart: labels cleaned for SVG, measured with the font that draws them, and
wrapped to fit (cut with '…' only past a chart's most lines, which no label of the samples
reaches; the full text stays in the chart's table and its `<title>` elements).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from reportgen.charts.fonts import advance, shaped

# Characters XML 1.0 does not allow (a workbook cell may hold them); they are dropped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# Bidi embeddings, overrides and isolates typed in workbook text: dropped from labels, so that
# they cannot close or break the isolates the charts put around right-to-left text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SPACES = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")  # not U+00A0, which keeps a gap
ELLIPSIS = "…"


def clean(text: object) -> str:
    """Text fit for one SVG label: XML-invalid characters dropped, white space folded."""
    return SPACES.sub(" ", NOT_XML.sub("", _BIDI_CONTROLS.sub("", str(text)))).strip(" ")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` drawn at `size` (same units as size), in the charts' fonts."""
    return _em_width(text, bold) * size / 1000


@lru_cache(maxsize=32768)  # a chart set measures ~13,000 texts, many of them again and again
def _em_width(text: str, bold: bool) -> float:
    return sum(advance(char, bold) for char in shaped(text))


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _no_break_before(char: str) -> bool:
    """Closing punctuation (，。、）：…) stays on the line of the text before it."""
    return unicodedata.category(char) in ("Pe", "Pf", "Po") and _wide(char)


def _pieces(text: str) -> list[tuple[str, str]]:
    """`text` as (separator, piece) at each place a line may break: at a space (the space goes
    when the line breaks there), and between Chinese, Japanese or Korean characters."""
    pieces: list[tuple[str, str]] = []
    for index, word in enumerate(text.split(" ")):
        separator = " " if index else ""
        current = ""
        for char in word:
            breaks = current and (_wide(char) or _wide(current[-1])) and not _no_break_before(char)
            if breaks:
                pieces.append((separator, current))
                separator, current = "", ""
            current += char
        pieces.append((separator, current))
    return [(s, p) for s, p in pieces if p or s == ""]


def truncate(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """`text`, cut at a word (or character) and ended with '…' if wider than `max_width`."""
    text = clean(text)
    if text_width(text, size, bold) <= max_width:
        return text
    cut = ""
    for char in text:
        if text_width(cut + char + ELLIPSIS, size, bold) > max_width:
            break
        cut += char
    # Prefer ending on a word boundary when that loses little.
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + ELLIPSIS


def _hard_break(piece: str, width: float, size: float, bold: bool) -> tuple[str, str]:
    """The longest head of `piece` (a word wider than a whole line) that fits, and the rest."""
    head = piece[:1]
    for char in piece[1:]:
        if text_width(head + char, size, bold) > width:
            break
        head += char
    return head, piece[len(head):]


def wrap(text: str, max_width: float, size: float, max_lines: int = 2,
         first_line_width: float | None = None, bold: bool = False) -> list[str]:
    """`text` in lines of at most `max_width` (the first may be narrower), broken at spaces and
    between CJK characters, a word wider than a line broken where it must. Past `max_lines`
    the last line is cut with '…'."""
    pieces = _pieces(clean(text))
    lines: list[str] = []
    current = ""
    index = 0
    while index < len(pieces):
        width = first_line_width if (not lines and first_line_width is not None) else max_width
        separator, piece = pieces[index]
        candidate = f"{current}{separator}{piece}" if current else piece
        if text_width(candidate, size, bold) <= width:
            current = candidate
            index += 1
            continue
        if not current:  # one word wider than the line: break it
            current, rest = _hard_break(piece, width, size, bold)
            if rest:
                pieces[index] = ("", rest)
            else:
                index += 1
        if len(lines) == max_lines - 1:
            rest = "".join(f"{s}{p}" for s, p in pieces[index:])
            lines.append(truncate(f"{current}{rest}", width, size, bold) if rest else current)
            return lines
        lines.append(current)
        current = ""
    if current or not lines:
        lines.append(current)
    return lines


def wrap_at(text: str, separator: str, max_width: float, size: float, max_lines: int = 3,
            bold: bool = False) -> list[str]:
    """`text` in lines of at most `max_width`, broken first where `separator` stands (" · "
    between the parts of a label; it goes where the line breaks), a part wider than a line
    wrapped on its own. Past `max_lines` the last line is cut with '…'."""
    text = clean(text)
    lines: list[str] = []
    current = ""
    for part in text.split(separator):
        candidate = f"{current}{separator}{part}" if current else part
        if text_width(candidate, size, bold) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        *full, current = wrap(part, max_width, size, max_lines=len(part) + 1, bold=bold)
        lines += full
    lines.append(current)
    if len(lines) > max_lines:
        lines[max_lines - 1:] = [truncate(" ".join(lines[max_lines - 1:]), max_width, size, bold)]
    return lines
