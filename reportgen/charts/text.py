"""Text fitted to a chart: labels cleaned for SVG, their widths measured, cut or wrapped to fit.

Widths are estimated from DejaVu Sans's advance widths (the face the PDF draws Latin and
Cyrillic with), so a label can be wrapped or truncated before it overflows; the full text stays
in the chart's table and in its `<title>` elements.
"""

from __future__ import annotations

import re
import unicodedata

# DejaVu Sans advance widths in thousandths of an em, for U+0020..U+007E (from the font's hmtx).
_ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698, 770, 632,
    575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989, 685,
    611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579,
    278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838)
_ASCII_WIDTHS_BOLD = (
    348, 456, 521, 838, 696, 1002, 872, 306, 457, 457, 523, 838, 380, 415, 380, 365, 696, 696, 696,
    696, 696, 696, 696, 696, 696, 696, 400, 400, 838, 838, 838, 580, 1000, 774, 762, 734, 830, 683,
    683, 821, 837, 372, 372, 775, 637, 995, 837, 850, 733, 850, 770, 720, 682, 812, 774, 1103, 771,
    724, 725, 457, 365, 457, 838, 500, 500, 675, 716, 593, 716, 678, 435, 716, 712, 343, 343, 665,
    343, 1042, 712, 687, 716, 716, 493, 595, 478, 712, 652, 924, 645, 652, 582, 712, 365, 712, 838)
_OTHER_WIDTHS = {"●": 873, "◐": 873, "○": 873, "–": 500, "—": 1000, "…": 1000, "▲": 769, "▼": 769,
                 "’": 318, "‘": 318, "“": 500, "”": 500, "×": 838, "÷": 838, "↓": 838, "↑": 838,
                 "\u00a0": 318, "\u2009": 200, "\u202f": 200, "Σ": 632}

# Characters XML 1.0 does not allow (a workbook cell may hold them); they are dropped.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# Bidi embeddings, overrides and isolates typed in workbook text: dropped from labels, so that
# they cannot close or break the isolates the charts put around right-to-left text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
SPACES = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")  # not U+00A0, which keeps a gap


def clean(text: object) -> str:
    """Text fit for one SVG label: XML-invalid characters dropped, white space folded."""
    return SPACES.sub(" ", NOT_XML.sub("", _BIDI_CONTROLS.sub("", str(text)))).strip(" ")


def _char_width(char: str, bold: bool) -> int:
    code = ord(char)
    if 32 <= code <= 126:
        return (_ASCII_WIDTHS_BOLD if bold else _ASCII_WIDTHS)[code - 32]
    if char in _OTHER_WIDTHS:
        return _OTHER_WIDTHS[char]
    if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
        return 0  # marks and invisible format characters (bidi isolates)
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1000
    if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f":
        return 540 if bold else 500  # Arabic letters, joined as they are drawn (measured in Noto Naskh/DejaVu)
    return 700 if bold else 650  # an unknown letter: a little wider than the Latin average


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated rendered width of `text` in DejaVu Sans at `size` (same units as size)."""
    return sum(_char_width(char, bold) for char in text) * size / 1000


def truncate(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """`text`, cut at a word (or character) and ended with '…' if wider than `max_width`."""
    text = clean(text)
    if text_width(text, size, bold) <= max_width:
        return text
    room = (max_width - text_width("…", size, bold)) * 1000 / size
    used = 0
    cut = ""
    for char in text:
        used += _char_width(char, bold)
        if used > room:
            break
        cut += char
    # Prefer ending on a word boundary when that loses little.
    space = cut.rfind(" ")
    if space >= len(cut) * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


def wrap(text: str, max_width: float, size: float, max_lines: int = 2,
         first_line_width: float | None = None, bold: bool = False) -> list[str]:
    """Lines of at most `max_width` (the first may be narrower); the last ends in '…' if cut."""
    words = clean(text).split(" ")
    lines: list[str] = []
    current = ""
    index = 0
    while index < len(words):
        width = first_line_width if (not lines and first_line_width is not None) else max_width
        candidate = f"{current} {words[index]}" if current else words[index]
        if text_width(candidate, size, bold) <= width:
            current = candidate
            index += 1
            continue
        if not current:  # one word wider than the line: cut it
            current = truncate(words[index], width, size, bold)
            index += 1
        if len(lines) == max_lines - 1:
            rest = " ".join([current, *words[index:]]) if index < len(words) else current
            lines.append(truncate(rest, width, size, bold))
            return lines
        lines.append(current)
        current = ""
    if current or not lines:
        lines.append(current)
    return lines
