"""Charts drawn as small hand-built SVGs, from the report model and nothing else.

Each chart function is pure: it reads a `ReportModel` and returns a `Chart` holding inline SVG
markup (valid XML, no scripts, no external references, no fetched fonts), a title, a one- or
two-sentence text alternative with the main finding, and the numbers behind the chart as a
table. The same model always gives byte-identical SVG: coordinates have fixed precision and
every id derives from the chart's id.

Status is never shown by colour alone: segments and cells carry the status icons (● ◐ ○ –),
a pattern or a shape, and every legend spells the statuses out. Colours are Okabe-Ito, which
colour-blind readers can tell apart; text on a coloured fill is black or white, whichever
contrasts more.

Text widths are estimated from DejaVu Sans's advance widths (the only font the PDF has), so
labels can be truncated with an ellipsis before they overflow; the full text stays in the
chart's table and in `<title>` elements.

Languages: every fixed text is marked with `_()` (extracted by `reportgen i18n extract`) and
translated when drawn, through a `Language` (a gettext function and a Babel locale, which also
formats the numbers). Titles, text alternatives and tables are shown as HTML, so they are fully
translated; a label drawn inside the SVG that would hold right-to-left script (an Arabic
translation or plan text) is replaced by a code, a symbol or nothing, since WeasyPrint draws SVG
text letter by letter from left to right, and the text alternative then spells out a key.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence
from xml.sax.saxutils import escape, quoteattr

from reportgen.model import STATUSES, HistoryPoint, KPIResult, ReportModel, StatusCounts
from reportgen.render.report import RTL_LANGUAGES, STATUS_LABELS
from reportgen.settings import Thresholds

log = logging.getLogger(__name__)


def _(message: str) -> str:
    """Marks a fixed text for extraction; `Language.say` translates it when the chart is drawn."""
    return message


# ------------------------------------------------------------------------------------ records


@dataclass(frozen=True, slots=True)
class Chart:
    """One chart, ready to embed: `svg` is inline markup (insert it unescaped, e.g. `|safe`)."""

    id: str  # XML-safe; the SVG's own ids are "<id>-title", "<id>-desc", "<id>-…"
    title: str
    alt: str  # the text alternative: the main finding, with numbers
    svg: str
    table: tuple[tuple[str, ...], ...]  # header row first; the numbers behind the chart


def _same(message: str) -> str:
    return message


@dataclass(frozen=True, slots=True)
class Language:
    """The language a chart is drawn in: `gettext` translates a text marked with `_()`, `locale`
    (a Babel locale: "en", "fr", "ar"…) formats numbers and lists. English by default."""

    gettext: Callable[[str], str] = _same
    locale: str = "en"

    @property
    def rtl(self) -> bool:
        return self.locale.replace("-", "_").split("_")[0].lower() in RTL_LANGUAGES

    def say(self, message: str, **values: object) -> str:
        """The translation of `message` with its {placeholders} filled in. A translation whose
        placeholders do not match the English ones falls back to the English text."""
        translated = self.gettext(message)
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            _warn_misfit(self.locale, message)
            return message.format(**values)

    def status(self, status: str) -> str:
        return self.gettext(STATUS_LABELS[status])

    def number(self, value: float | None) -> str:
        return fmt_number(value, self.locale)

    def percent(self, value: float | None) -> str:
        return fmt_percent(value, self.locale)

    def join(self, items: Iterable[str]) -> str:
        """A list in a sentence: "A, B, and C", "A, B et C", "A、B和C"…"""
        return _join(tuple(items), self.locale)

    @staticmethod
    def drawn(text: str, fallback: str = "") -> str:
        """`text` for a label drawn inside the SVG, or `fallback` (a code, a symbol or nothing)
        if it holds right-to-left script that WeasyPrint would draw reversed and unjoined."""
        return fallback if _unshapeable(text) else text


ENGLISH = Language()


@lru_cache(maxsize=None)
def _warn_misfit(locale: str, message: str) -> None:
    """Once per text, not once per KPI that uses it."""
    log.warning("the %s translation of %r does not fit its placeholders: English used", locale, message[:60])


def _capital(text: str) -> str:
    """A label as a heading: first letter upper-cased ("not achieved" → "Not achieved")."""
    return text[:1].upper() + text[1:]


# ------------------------------------------------------------------------------------ palette

WIDTH = 680  # viewBox width: about the PDF's text width (174 mm at 96 px/in), so text keeps its size
# DejaVu draws Latin and Cyrillic; Chinese falls back to the Simplified Chinese face, not Japanese.
FONT_FAMILY = "'DejaVu Sans', 'Noto Sans CJK SC', sans-serif"
INK = "#1b1b1b"
MUTED = "#555555"
RULE = "#c8ccd0"
GRID = "#e3e6ea"
BAND = "#f4f6f9"
CODE_COLUMN = 33.0  # where an objective's title starts, after its code ("INT5" in bold is ~27)

STATUS_COLOURS = {  # Okabe-Ito
    "achieved": "#009E73",
    "partially achieved": "#E69F00",
    "not achieved": "#D55E00",
    "not reported": "#999999",
}
STATUS_ICONS = {"achieved": "●", "partially achieved": "◐", "not achieved": "○", "not reported": "–"}
STATUS_SLUGS = {s: s.replace(" ", "-") for s in STATUSES}
STATUS_RANK = {"achieved": 3, "partially achieved": 2, "not achieved": 1}

BUDGET_FILL = "#D6E6F4"  # budget: pale fill with a blue outline; expenditure: solid blue
BUDGET_STROKE = "#0072B2"
SPENT_FILL = "#0072B2"
# Over- and under-spending: darkened Okabe-Ito vermilion and orange (the report's CSS uses the
# same), so the marks and their words reach 4.5:1 on white.
OVER_COLOUR = "#A33F00"
UNDER_COLOUR = "#8A5D00"
NOT_REPORTED_MARK = "#767676"  # a trend point not reported: darker than the bar grey, 4.5:1

# Goals matrix: an objective's results as the share of its reported KPIs achieved.
# (lower bound, label, icon, colour), best first; below the last bound is the worst class.
# The labels are English msgids: translate them where they are shown.
MATRIX_CLASSES = (
    (1 / 2, _("half or more achieved"), "●", "#009E73"),
    (1 / 3, _("a third to a half achieved"), "◐", "#E69F00"),
    (0.0, _("under a third achieved"), "○", "#D55E00"),
)
MATRIX_NO_DATA = (_("no KPI reported"), "–", "#999999")

# In a KPI name drawn in the SVG when the name is in right-to-left script (see has_rtl).
RTL_PLACEHOLDER = _("(right-to-left name: see the table)")

# ------------------------------------------------------------------------------------ text

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
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# Bidi embeddings, overrides and isolates typed in workbook text: dropped from labels, so that
# they cannot close or break the isolates the charts put around right-to-left text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\n\r\f\v\x85\u2028\u2029]+")  # not U+00A0, which keeps a gap
_NEEDS_QUOTING = re.compile(r"[&<>\"']")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def clean(text: object) -> str:
    """Text fit for one SVG label: XML-invalid characters dropped, white space folded."""
    return _SPACES.sub(" ", _NOT_XML.sub("", _BIDI_CONTROLS.sub("", str(text)))).strip(" ")


def _esc(text: object) -> str:
    return escape(clean(text))


def _esc_span(text: str) -> str:
    return escape(_SPACES.sub(" ", _NOT_XML.sub("", text)))


def _attr(value: object) -> str:
    """An attribute value with its quotes; numbers need no escaping (the common, fast case)."""
    if isinstance(value, str):
        text = clean(value)
        return quoteattr(text) if _NEEDS_QUOTING.search(text) else f'"{text}"'
    return f'"{_coord(value)}"'


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


def has_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def isolate_rtl(text: str, rtl_chart: bool = True) -> str:
    """Text holding right-to-left script as a bidi isolate, its surrounding spaces outside.

    In a right-to-left chart (an Arabic report) a label is a right-to-left line of its own
    (U+2067 … U+2069): without it, "2009: 93 · القيمة المستهدفة 90" or "قطاع الاتصالات
    الراديوية (ITU-R)" would be ordered as left-to-right text and read in the wrong order. In a
    left-to-right chart, right-to-left workbook or plan text is a first-strong isolate
    (U+2068 … U+2069): laid out in its own direction, it leaves the English around it in place
    (a label joining several pieces isolates each piece first; see `_trend_cell`). Browsers
    and Pango both follow the Unicode bidi algorithm for isolates."""
    if not has_rtl(text):
        return text
    core = text.strip()
    start = len(text) - len(text.lstrip())
    opener = "\u2067" if rtl_chart else "\u2068"
    return f"{text[:start]}{opener}{core}\u2069{text[start + len(core):]}"


def label_or_placeholder(text: str, placeholder: str = RTL_PLACEHOLDER) -> str:
    """Text for a visible SVG label, or a placeholder if it has right-to-left script that the
    installed WeasyPrint cannot draw (see `svgtext`: WeasyPrint 70 on its own lays SVG text out
    letter by letter, so Arabic would come out reversed and unjoined; browsers draw it well).
    A KPI name then gets a pointer to the table; a plan title (an Arabic plan file) is left
    out, its code stays. The full text stays in the <title> elements and the table."""
    return placeholder if _unshapeable(text) else clean(text)


def _unshapeable(text: str) -> bool:
    """Right-to-left text in a PDF whose WeasyPrint draws SVG text letter by letter."""
    from reportgen.render.svgtext import supported

    return has_rtl(text) and not supported()


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


# ------------------------------------------------------------------------------------ numbers


def _coord(value: float) -> str:
    """A coordinate with one decimal, without a trailing '.0' (so output is byte-stable)."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def fmt_number(value: float | None, locale: str = "en") -> str:
    """A number as `locale` writes it (Babel): 1,234 / 1 234 / 1.234 for whole numbers, up to
    two decimals otherwise; '–' for no value."""
    if value is None:
        return "–"
    value = float(value)
    return _decimal(value, locale) if math.isfinite(value) else "–"


def fmt_percent(value: float | None, locale: str = "en") -> str:
    """A share as `locale` writes a percentage (Babel): 116%, 116 %, 116 %."""
    if value is None:
        return "–"
    value = float(value)
    return _percent(value, locale) if math.isfinite(value) else "–"


# Babel parses its pattern on every call (~30 µs); a chart set formats ~1,300 numbers, most of
# them repeated (targets, ticks, years of history), so the results are kept.
@lru_cache(maxsize=8192)
def _decimal(value: float, locale: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0" if value == round(value) else "#,##0.##", locale=locale)


@lru_cache(maxsize=2048)
def _percent(value: float, locale: str) -> str:
    from babel.numbers import format_percent

    return format_percent(value, locale=locale)


def _join(items: tuple[str, ...], locale: str) -> str:
    from babel.lists import format_list

    try:
        return format_list(list(items), style="standard", locale=locale)
    except (KeyError, ValueError):  # a locale without list patterns
        return ", ".join(items)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _reported(counts: StatusCounts) -> int:
    return sum(counts.values()) - counts.get("not reported", 0)


def _nice_step(maximum: float, ticks: int = 6) -> float:
    """A round tick step (1, 2 or 5 × 10^n) giving at most about `ticks` intervals."""
    if maximum <= 0:
        return 1.0
    raw = maximum / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def text_colour_on(fill: str) -> str:
    """Black or white, whichever has the higher WCAG contrast ratio on `fill` (#rrggbb)."""
    lum = _luminance(fill)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ------------------------------------------------------------------------------------ drawing


class _Canvas:
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
        inner = "".join(f"<tspan{self._attrs(a)}>{_esc_span(isolate_rtl(t, self.rtl))}</tspan>" if a
                        else _esc_span(isolate_rtl(t, self.rtl)) for t, a in spans)
        self.parts.append(f"<text{self._attrs({'x': x, 'y': y, **attrs})}>{inner}</text>")

    def open(self, tag: str, **attrs: object) -> None:
        self.parts.append(f"<{tag}{self._attrs(attrs)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def title(self, content: str) -> None:
        self.parts.append(f"<title>{_esc(content)}</title>")

    def markup(self) -> str:
        return "".join(self.parts)


def _safe_id(text: str) -> str:
    slug = _ID_UNSAFE.sub("-", text).strip("-")
    return slug if slug[:1].isalpha() else f"c-{slug}"


def _document(chart_id: str, height: float, title: str, desc: str, body: str, defs: str = "") -> str:
    """The <svg> root: role="img" labelled by its own <title> and <desc>, sized by its viewBox.

    width="100%" and no height: browsers and WeasyPrint then take the height from the
    viewBox's ratio. (Fixed width/height attributes letterbox when CSS narrows the SVG, and in
    WeasyPrint 70 an inline style="height:auto" makes the box square.)"""
    height = math.ceil(height)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart" '
        f'font-family={quoteattr(FONT_FAMILY)} font-size="11" fill={quoteattr(INK)}>'
        f'<title id="{chart_id}-title">{_esc(title)}</title>'
        f'<desc id="{chart_id}-desc">{_esc(desc)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body + "</svg>"
    )


def _status_patterns(chart_id: str) -> str:
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
        out.append(f'<pattern id="{chart_id}-{STATUS_SLUGS[status]}" patternUnits="userSpaceOnUse" '
                   f'width="6" height="6"><rect width="6" height="6" fill="{STATUS_COLOURS[status]}"/>'
                   f"{texture}</pattern>")
    return "".join(out)


def _status_fill(chart_id: str, status: str) -> str:
    if status == "achieved":
        return STATUS_COLOURS[status]
    return f"url(#{chart_id}-{STATUS_SLUGS[status]})"


def _legend(canvas: _Canvas, y: float, items: Iterable[tuple[str, str]],
            x: float = 0.0, size: float = 10.5) -> float:
    """Swatch + words (fill, label), left to right, wrapping to a new line when full.
    An empty label (a right-to-left word, see `Language.drawn`) leaves the swatch alone.
    Returns the y below the legend."""
    for fill, label in items:
        width = 18 + 6 + text_width(label, size) + 16 if label else 18 + 12
        if x + width > WIDTH and x > 0:
            x, y = 0.0, y + 18
        canvas.rect(x, y, 18, 13, fill=fill, stroke=INK, stroke_width=0.5)
        if label:
            canvas.text(x + 24, y + 11, label, font_size=size)
        x += width
    return y + 20


def _legend_width(items: Iterable[tuple[str, str]], size: float = 10.5) -> float:
    return sum(18 + 6 + text_width(label, size) + 16 if label else 18 + 12 for _fill, label in items)


def _with_key(alt: str, language: Language, items: Iterable[str]) -> str:
    """For a right-to-left language, whose words cannot be drawn in the SVG: the alt text and
    the legend spelled out (the template shows the alt text under the chart)."""
    if not language.rtl:
        return alt
    # (No _() inside an f-string: Babel's extractor does not see it on Python 3.11.)
    key = language.say(_("Key: {items}."), items=language.join(items))
    return f"{alt} {key}"


def _status_key(language: Language) -> list[str]:
    return [f"{STATUS_ICONS[s]} {language.status(s)}" for s in STATUSES]


# ------------------------------------------------------------------------------------ chart 1


def status_by_objective(model: ReportModel, language: Language | None = None) -> Chart:
    """Horizontal stacked bars of KPI status, one per objective, grouped by sector."""
    lang = language or ENGLISH
    chart_id = "status-by-objective"
    title = lang.say(_("KPI status by objective, {year}"), year=model.year)
    label_width, bar_left, total_room = 292.0, 300.0, 28.0
    bar_room = WIDTH - bar_left - total_room
    row, header_row = 20.0, 24.0
    objectives = [o for s in model.sectors for o in s.objectives]
    max_total = max((sum(o.status_counts.values()) for o in objectives), default=0)
    step = _nice_step(max_total, 7)
    axis_max = float(max_total or 1)  # the longest bar fills the room; ticks stop below it
    scale = bar_room / axis_max
    labels = {s: lang.status(s) for s in STATUSES}

    canvas = _Canvas(lang.rtl)
    y = _legend(canvas, 2, [(_status_fill(chart_id, s), lang.drawn(f"{STATUS_ICONS[s]} {labels[s]}",
                                                                    STATUS_ICONS[s])) for s in STATUSES])
    y += 6
    top = y
    body = _Canvas(lang.rtl)
    no_kpi = lang.drawn(lang.say(_("no KPI")), "0")
    for sector in model.sectors:
        body.text(0, y + 16, label_or_placeholder(sector.sector.name, sector.sector.code),
                  font_weight="bold", font_size=11.5)
        y += header_row
        for result in sector.objectives:
            objective = result.objective
            body.text(0, y + 14, objective.code, font_weight="bold", font_size=10.5)
            body.text(CODE_COLUMN, y + 14, truncate(label_or_placeholder(objective.title, ""),
                                                    label_width - CODE_COLUMN, 10),
                      font_size=10)
            x = bar_left
            total = sum(result.status_counts.values())
            body.open("g")
            counts = lang.join(lang.say(_("{count} {label}"), count=result.status_counts[s], label=labels[s])
                               for s in STATUSES)
            body.title(lang.say(_("{code} {title}: {counts} (of {total} KPIs)"), code=objective.code,
                                title=objective.title, counts=counts, total=total))
            for status in STATUSES:
                count = result.status_counts[status]
                if not count:
                    continue
                width = count * scale
                body.rect(x, y + 3, width, 14, fill=_status_fill(chart_id, status),
                          stroke="#ffffff", stroke_width=0.8)
                _segment_label(body, x, y, width, count, status)
                x += width
            body.close("g")
            body.text(x + 4, y + 14, str(total) if total else no_kpi, font_size=10, fill=MUTED)
            y += row
    bottom = y + 2
    # Grid and axis under the bars: drawn first so the bars cover the lines.
    tick = 0.0
    while tick <= axis_max + 1e-9:
        x = bar_left + tick * scale
        canvas.line(x, top, x, bottom, stroke=GRID if tick else RULE, stroke_width=1)
        canvas.text(x, bottom + 12, lang.number(tick), font_size=9.5, text_anchor="middle", fill=MUTED)
        tick += step
    canvas.add(body.markup())
    axis_label = lang.drawn(lang.say(_("Number of KPIs (a KPI whose output serves several objectives "
                                       "counts in each)")))
    lines = [line for line in wrap(axis_label, WIDTH - bar_left, 9.5, 2) if line]
    for index, line in enumerate(lines):
        canvas.text(bar_left, bottom + 27 + 12 * index, line, font_size=9.5, fill=MUTED)
    height = bottom + 34 + 12 * max(len(lines) - 1, 0)

    table: list[tuple[str, ...]] = [(lang.say(_("Objective")), *(_capital(labels[s]) for s in STATUSES),
                                     lang.say(_("Total KPIs")), lang.say(_("Share of reported achieved")))]
    for result in objectives:
        counts = result.status_counts
        table.append((f"{result.objective.code} {clean(result.objective.title)}",
                      *(str(counts[s]) for s in STATUSES), str(sum(counts.values())),
                      lang.percent(_share(counts["achieved"], _reported(counts)))))
    alt = _with_key(_status_alt(objectives, lang), lang, _status_key(lang))
    return Chart(chart_id, title, alt,
                 _document(chart_id, height, title, alt, canvas.markup(), _status_patterns(chart_id)),
                 tuple(table))


def _segment_label(canvas: _Canvas, x: float, y: float, width: float, count: int, status: str) -> None:
    """Icon and count inside a segment if they fit, else the count alone, else nothing
    (the pattern, the tooltip and the table still carry it)."""
    colour = text_colour_on(STATUS_COLOURS[status])
    for label in (f"{STATUS_ICONS[status]}\u2009{count}", f"{STATUS_ICONS[status]}{count}", str(count)):
        if text_width(label, 10) + 4 <= width:
            canvas.text(x + width / 2, y + 14, label, font_size=10, text_anchor="middle", fill=colour)
            return


def _status_alt(objectives: Sequence, lang: Language = ENGLISH) -> str:
    shares = [(o, _share(o.status_counts["achieved"], _reported(o.status_counts))) for o in objectives]
    known = [(o, s) for o, s in shares if s is not None]
    if not known:
        return lang.say(_("None of the {count} objectives has a reported KPI."), count=len(objectives))
    (low, low_share), (high, high_share) = min(known, key=lambda i: i[1]), max(known, key=lambda i: i[1])
    worst = max(objectives, key=lambda o: o.status_counts["not achieved"])
    text = lang.say(_("Across the {count} objectives, the share of reported KPIs achieved ranges from "
                      "{low_share} ({low_code}, {low_achieved} of {low_reported}) to {high_share} "
                      "({high_code}, {high_achieved} of {high_reported})."),
                    count=len(objectives),
                    low_share=lang.percent(low_share), low_code=low.objective.code,
                    low_achieved=low.status_counts["achieved"], low_reported=_reported(low.status_counts),
                    high_share=lang.percent(high_share), high_code=high.objective.code,
                    high_achieved=high.status_counts["achieved"], high_reported=_reported(high.status_counts))
    if worst.status_counts["not achieved"]:
        text += " " + lang.say(_("{code} has the most KPIs not achieved ({count} of {total})."),
                               code=worst.objective.code, count=worst.status_counts["not achieved"],
                               total=sum(worst.status_counts.values()))
    return text


# ------------------------------------------------------------------------------------ chart 2


def budget_vs_expenditure(model: ReportModel, sector_code: str, thresholds: Thresholds | None = None,
                          language: Language | None = None) -> Chart:
    """Budget and expenditure per output of one sector (thousands of CHF), with execution
    against a 100 % reference; outputs over `overspend` or under `underspend` are marked."""
    lang = language or ENGLISH
    thresholds = thresholds or Thresholds()
    sector = next((s for s in model.sectors if s.sector.code == sector_code), None)
    if sector is None:
        raise KeyError(f"no sector {sector_code!r} in the model")
    chart_id = _safe_id(f"budget-{sector_code}")
    title = lang.say(_("Budget and expenditure by output, {sector}, {year} (thousands of CHF)"),
                     sector=sector.sector.name, year=model.year)
    label_width = 196.0
    bars_left, bars_room = 204.0, 196.0  # bar lengths; value labels follow the bars
    exec_left, exec_width = 452.0, 130.0
    mark_left = exec_left + exec_width + 8
    row = 30.0
    finances = [o.finance for o in sector.outputs]
    amounts = [v for f in finances if f for v in (f.budget, f.expenditure) if v is not None]
    money_max = max(amounts, default=0.0) or 1.0
    executions = [f.execution for f in finances if f and f.execution is not None]
    exec_max = max(1.5, math.ceil(max(executions, default=0.0) * 4) / 4)
    exec_scale = exec_width / exec_max
    over, under = lang.percent(thresholds.overspend), lang.percent(thresholds.underspend)
    over_mark, under_mark = lang.say(_("over {limit}"), limit=over), lang.say(_("under {limit}"), limit=under)

    canvas = _Canvas(lang.rtl)
    money_legend = [(BUDGET_FILL, lang.drawn(lang.say(_("Budget")))),
                    (SPENT_FILL, lang.drawn(lang.say(_("Expenditure"))))]
    y = _legend(canvas, 2, money_legend)
    # Execution legend: symbols and words, after the swatches (on a new line when full).
    legend_left = legend_x = max(230.0, _legend_width(money_legend) + 10)
    line = 0.0
    for shape, label, colour in (("dot", lang.drawn(lang.say(_("execution within range")), f"{under}–{over}"), INK),
                                 ("up", lang.drawn(over_mark, f"> {over}"), OVER_COLOUR),
                                 ("down", lang.drawn(under_mark, f"< {under}"), UNDER_COLOUR)):
        if legend_x > legend_left and legend_x + 15 + text_width(label, 10.5) > WIDTH:
            legend_x, line = legend_left, line + 18
        _marker(canvas, shape, legend_x + 6, 8.5 + line, colour)
        canvas.text(legend_x + 15, 13 + line, label, font_size=10.5)
        legend_x += 30 + text_width(label, 10.5)
    y = max(y, 22 + line) + 4
    heading = lang.drawn(lang.say(_("Budget and expenditure (thousands of CHF)")), f"CHF (× {lang.number(1000)})")
    canvas.text(bars_left, y + 10, truncate(heading, exec_left - bars_left - 4, 10), font_size=10, fill=MUTED)
    heading = lang.drawn(lang.say(_("Execution (expenditure ÷ budget)")), "%")
    canvas.text(exec_left, y + 10, truncate(heading, WIDTH - exec_left, 10), font_size=10, fill=MUTED)
    y += 16
    axis_y = y + 10
    top = axis_y + 4
    height_rows = row * len(sector.outputs)
    bottom = top + height_rows
    # The execution scale: range band, 100 % reference, ticks.
    canvas.rect(exec_left + thresholds.underspend * exec_scale, top,
                (min(thresholds.overspend, exec_max) - thresholds.underspend) * exec_scale, height_rows,
                fill=BAND)
    tick = 0.0
    while tick <= exec_max + 1e-9:
        x = exec_left + tick * exec_scale
        canvas.text(x, axis_y, lang.percent(tick), font_size=9, text_anchor="middle", fill=MUTED)
        canvas.line(x, top, x, bottom, stroke=GRID, stroke_width=1)
        tick += 0.5
    for limit in (thresholds.underspend, thresholds.overspend):
        if limit <= exec_max:
            x = exec_left + limit * exec_scale
            canvas.line(x, top, x, bottom, stroke=MUTED, stroke_width=0.8, stroke_dasharray="3 2")
    x100 = exec_left + exec_scale
    canvas.line(x100, top - 2, x100, bottom, stroke=INK, stroke_width=1.5)

    table: list[tuple[str, ...]] = [(lang.say(_("Output")), lang.say(_("Budget (thousand CHF)")),
                                     lang.say(_("Expenditure (thousand CHF)")), lang.say(_("Execution")),
                                     lang.say(_("Mark")))]
    no_finance = lang.say(_("no finance reported"))
    not_reported = lang.drawn(lang.status("not reported"), "–")
    y = top
    for output_result in sector.outputs:
        output, money = output_result.output, output_result.finance
        lines = wrap(label_or_placeholder(output.name, ""), label_width, 10, 2,
                     first_line_width=label_width - text_width(output.code + " ", 10, bold=True))
        first_y = y + (13 if len(lines) == 2 else 19)
        canvas.rich_text(0, first_y, [(output.code, {"font_weight": "bold"}), ("\u00a0" + lines[0], {})],
                         font_size=10)
        if len(lines) == 2:
            canvas.text(0, first_y + 12, lines[1], font_size=10)
        if money is None or (money.budget is None and money.expenditure is None):
            canvas.text(bars_left, y + 19, truncate(lang.drawn(no_finance, "–"), exec_left - bars_left, 10),
                        font_size=10, font_style="italic", fill=MUTED)
            table.append((f"{output.code} {clean(output.name)}", "–", "–", "–", no_finance))
            y += row
            continue
        canvas.open("g")
        canvas.title(lang.say(_("{code} {name}: budget {budget}, expenditure {expenditure} thousand CHF, "
                                "execution {execution}"), code=output.code, name=output.name,
                              budget=lang.number(money.budget), expenditure=lang.number(money.expenditure),
                              execution=lang.percent(money.execution)))
        for offset, amount, fill, stroke in ((4.0, money.budget, BUDGET_FILL, BUDGET_STROKE),
                                             (15.0, money.expenditure, SPENT_FILL, None)):
            if amount is None:
                canvas.text(bars_left, y + offset + 9, not_reported, font_size=9, fill=MUTED)
                continue
            length = max(amount, 0.0) / money_max * bars_room
            canvas.rect(bars_left, y + offset, length, 10, fill=fill, stroke=stroke,
                        stroke_width=0.8 if stroke else None)
            canvas.text(bars_left + length + 4, y + offset + 9, lang.number(amount), font_size=9.5)
        mark = ""
        if money.execution is not None:
            execution = money.execution
            share = lang.percent(execution)
            shape, colour, label = "dot", INK, share
            if execution > thresholds.overspend:
                shape, colour, mark = "up", OVER_COLOUR, over_mark
                label = lang.drawn(lang.say(_("{share} ▲ over"), share=share), f"{share} ▲")
            elif execution < thresholds.underspend:
                shape, colour, mark = "down", UNDER_COLOUR, under_mark
                label = lang.drawn(lang.say(_("{share} ▼ under"), share=share), f"{share} ▼")
            x = exec_left + min(max(execution, 0.0), exec_max) * exec_scale
            _marker(canvas, shape, x, y + row / 2, colour)
            canvas.text(mark_left, y + row / 2 + 4, truncate(label, WIDTH - mark_left, 10), font_size=10,
                        font_weight="bold" if mark else None, fill=colour if mark else INK)
        canvas.close("g")
        table.append((f"{output.code} {clean(output.name)}", lang.number(money.budget),
                      lang.number(money.expenditure), lang.percent(money.execution), mark))
        y += row
    canvas.line(bars_left, top, bars_left, bottom, stroke=RULE, stroke_width=1)
    alt = _with_key(_budget_alt(sector, thresholds, lang), lang,
                    [lang.say(_("upper bar: budget")), lang.say(_("lower bar: expenditure")),
                     f"▲ {over_mark}", f"▼ {under_mark}"])
    return Chart(chart_id, title, alt, _document(chart_id, bottom + 6, title, alt, canvas.markup()),
                 tuple(table))


def _marker(canvas: _Canvas, shape: str, x: float, y: float, colour: str) -> None:
    if shape == "up":
        canvas.element("path", d=f"M{_coord(x)},{_coord(y - 5.5)}l5.5,9.5h-11z", fill=colour)
    elif shape == "down":
        canvas.element("path", d=f"M{_coord(x)},{_coord(y + 5.5)}l5.5,-9.5h-11z", fill=colour)
    else:
        canvas.element("circle", cx=x, cy=y, r=4, fill=colour)


def _budget_alt(sector, thresholds: Thresholds, lang: Language = ENGLISH) -> str:
    with_money = [o for o in sector.outputs if o.finance and o.finance.execution is not None]
    name = sector.sector.name
    if not with_money:
        return lang.say(_("No budget and expenditure were reported for the outputs of {sector}."), sector=name)
    text = lang.say(_("{sector} spent {expenditure} of its {budget} thousand CHF budget ({execution}) "
                      "across {count} outputs."),
                    sector=name, expenditure=lang.number(sector.expenditure), budget=lang.number(sector.budget),
                    execution=lang.percent(sector.execution), count=len(with_money))
    over_items = [o for o in with_money if o.finance.execution > thresholds.overspend]
    under_items = [o for o in with_money if o.finance.execution < thresholds.underspend]

    def names(items: list) -> str:
        return lang.join(f"{o.output.code} ({lang.percent(o.finance.execution)})" for o in items)

    over, under = lang.percent(thresholds.overspend), lang.percent(thresholds.underspend)
    if over_items and under_items:
        more = lang.say(_("Execution over {over}: {over_outputs}; under {under}: {under_outputs}."),
                        over=over, over_outputs=names(over_items), under=under, under_outputs=names(under_items))
    elif over_items:
        more = lang.say(_("Execution over {over}: {outputs}."), over=over, outputs=names(over_items))
    elif under_items:
        more = lang.say(_("Execution under {under}: {outputs}."), under=under, outputs=names(under_items))
    else:
        more = lang.say(_("Every output spent between {under} and {over} of its budget."), under=under, over=over)
    return f"{text} {more}"


# ------------------------------------------------------------------------------------ chart 3


def matrix_class(counts: StatusCounts) -> tuple[str, str, str]:
    """(label, icon, colour) of a share of reported KPIs achieved; see MATRIX_CLASSES.
    The label is the English msgid: translate it where it is shown."""
    share = _share(counts.get("achieved", 0), _reported(counts))
    if share is None:
        return MATRIX_NO_DATA
    for bound, label, icon, colour in MATRIX_CLASSES:
        if share >= bound - 1e-12:
            return label, icon, colour
    return MATRIX_CLASSES[-1][1:]


def goals_matrix(model: ReportModel, language: Language | None = None) -> Chart:
    """The plan's links of objectives to goals (its Table 8.1 in 2008-2011) as a matrix: objectives
    (rows) × goals (columns); a linked cell carries the objective's class of results (colour and
    symbol); a last row gives each goal's class."""
    lang = language or ENGLISH
    chart_id = "goals-matrix"
    title = lang.say(_("Objectives and the goals they serve ({links}), by share of KPIs achieved, {year}"),
                     links=model.plan.mandate.goals_table, year=model.year)
    goals = model.plan.goals
    col_width = 36.0
    share_left = WIDTH - 116  # room for "12 of 29 (41 %)"
    col_left = share_left - 8 - col_width * len(goals)
    label_width = col_left - 8
    row, header_row = 20.0, 22.0

    def achieved_of(achieved: int, reported: int, drawn: bool = False) -> str:
        if not reported:
            text = lang.gettext(MATRIX_NO_DATA[0])
            return lang.drawn(text, MATRIX_NO_DATA[1]) if drawn else text
        share = lang.percent(_share(achieved, reported))
        text = lang.say(_("{achieved} of {reported} ({share})"), achieved=achieved, reported=reported, share=share)
        return lang.drawn(text, f"{achieved}/{reported} ({share})") if drawn else text

    canvas = _Canvas(lang.rtl)
    classes = [(c[3], lang.drawn(f"{c[2]} {lang.gettext(c[1])}", c[2])) for c in MATRIX_CLASSES]
    classes.append((MATRIX_NO_DATA[2], lang.drawn(f"{MATRIX_NO_DATA[1]} {lang.gettext(MATRIX_NO_DATA[0])}",
                                                  MATRIX_NO_DATA[1])))
    heading = lang.drawn(lang.say(_("Share of an objective's reported KPIs achieved:")))
    if heading:
        canvas.text(0, 12, truncate(heading, WIDTH, 10.5), font_size=10.5, fill=MUTED)
    y = _legend(canvas, 20, classes)
    y += 4
    for index, goal in enumerate(goals):
        canvas.text(col_left + col_width * (index + 0.5), y + 12, goal.code, font_weight="bold",
                    text_anchor="middle")
    canvas.text(share_left, y + 12, truncate(lang.drawn(_capital(lang.status("achieved")), "●"),
                                             WIDTH - share_left, 11, bold=True), font_weight="bold")
    y += 18
    canvas.line(0, y, WIDTH, y, stroke=INK, stroke_width=1)
    band = False
    linked = lang.say(_("linked"))
    table: list[tuple[str, ...]] = [(lang.say(_("Objective")), *(g.code for g in goals),
                                     lang.say(_("KPIs achieved")), lang.say(_("KPIs reported")),
                                     lang.say(_("Share achieved")))]
    for sector in model.sectors:
        canvas.text(0, y + 16, label_or_placeholder(sector.sector.name, sector.sector.code),
                    font_weight="bold", font_size=11.5)
        y += header_row
        for result in sector.objectives:
            objective, counts = result.objective, result.status_counts
            if band:
                canvas.rect(0, y, WIDTH, row, fill=BAND)
            band = not band
            canvas.text(0, y + 14, objective.code, font_weight="bold", font_size=10.5)
            canvas.text(CODE_COLUMN, y + 14, truncate(label_or_placeholder(objective.title, ""),
                                                      label_width - CODE_COLUMN, 10),
                        font_size=10)
            label, icon, colour = matrix_class(counts)
            canvas.open("g")
            canvas.title(lang.say(_("{code} serves {goals}: {label}"), code=objective.code,
                                  goals=lang.join(objective.goals), label=lang.gettext(label)))
            for index, goal in enumerate(goals):
                if goal.code in objective.goals:
                    _matrix_cell(canvas, col_left + col_width * index, y, col_width, row, colour, icon)
            canvas.close("g")
            achieved, reported = counts["achieved"], _reported(counts)
            canvas.text(share_left, y + 14, truncate(achieved_of(achieved, reported, drawn=True),
                                                     WIDTH - share_left, 10), font_size=10)
            table.append((f"{objective.code} {clean(objective.title)}",
                          *(linked if g.code in objective.goals else "" for g in goals),
                          str(achieved), str(reported), lang.percent(_share(achieved, reported))))
            y += row
    canvas.line(0, y + 2, WIDTH, y + 2, stroke=INK, stroke_width=1)
    y += 6
    every = lang.drawn(lang.say(_("All KPIs serving the goal (each counted once)")), "Σ")
    canvas.text(0, y + 14, truncate(every, label_width, 10.5, bold=True), font_size=10.5, font_weight="bold")
    goal_row: list[str] = [lang.say(_("All KPIs serving the goal"))]
    for index, result in enumerate(model.goals):
        label, icon, colour = matrix_class(result.status_counts)
        x = col_left + col_width * index
        canvas.open("g")
        canvas.title(f"{result.goal.code} {result.goal.title}: {lang.gettext(label)}")
        _matrix_cell(canvas, x, y, col_width, row, colour, icon)
        canvas.close("g")
        achieved, reported = result.status_counts["achieved"], _reported(result.status_counts)
        share = lang.percent(_share(achieved, reported))
        canvas.text(x + col_width / 2, y + row + 12, share, font_size=9.5, text_anchor="middle")
        goal_row.append(achieved_of(achieved, reported))
    table.append((*goal_row, "", "", ""))
    y += row + 24
    for goal in goals:
        canvas.rich_text(0, y, [(goal.code, {"font_weight": "bold"}),
                                ("\u00a0" + truncate(label_or_placeholder(goal.title, ""), WIDTH - 30, 10), {})],
                         font_size=10)
        y += 14
    every = lang.say(_("All KPIs serving the goal (each counted once)"))
    alt = _with_key(_matrix_alt(model, lang), lang,
                    [*(f"{c[2]} {lang.gettext(c[1])}" for c in MATRIX_CLASSES),
                     f"{MATRIX_NO_DATA[1]} {lang.gettext(MATRIX_NO_DATA[0])}", f"Σ {every}"])
    return Chart(chart_id, title, alt, _document(chart_id, y, title, alt, canvas.markup()), tuple(table))


def _matrix_cell(canvas: _Canvas, x: float, y: float, width: float, height: float, colour: str,
                 icon: str) -> None:
    canvas.rect(x + 4, y + 2, width - 8, height - 4, fill=colour, rx=2)
    canvas.text(x + width / 2, y + 14.5, icon, font_size=11, text_anchor="middle",
                fill=text_colour_on(colour))


def _matrix_alt(model: ReportModel, lang: Language = ENGLISH) -> str:
    objectives = model.objectives
    links = [len(o.objective.goals) for o in objectives]
    text = lang.say(_("Each of the {count} objectives serves {fewest} to {most} of the {goals} goals."),
                    count=len(objectives), fewest=min(links, default=0), most=max(links, default=0),
                    goals=len(model.goals))
    goal_shares = [(g, _share(g.status_counts["achieved"], _reported(g.status_counts))) for g in model.goals]
    known = [(g, s) for g, s in goal_shares if s is not None]
    if known:
        low = min(known, key=lambda item: item[1])
        high = max(known, key=lambda item: item[1])
        classes: dict[str, int] = {}
        for o in objectives:
            label = matrix_class(o.status_counts)[0]
            classes[label] = classes.get(label, 0) + 1
        order = [c[1] for c in MATRIX_CLASSES] + [MATRIX_NO_DATA[0]]
        spread = lang.join(lang.say(_("{count} {label}"), count=classes[label], label=lang.gettext(label))
                           for label in order if classes.get(label))
        text += " " + lang.say(_("By goal, the share of reported KPIs achieved ranges from {low_share} "
                                 "({low_goal}) to {high_share} ({high_goal}); by objective: {spread}."),
                               low_share=lang.percent(low[1]), low_goal=low[0].goal.code,
                               high_share=lang.percent(high[1]), high_goal=high[0].goal.code, spread=spread)
    return text


# ------------------------------------------------------------------------------------ chart 4

TREND_COLUMNS = 4
TREND_CELL_HEIGHT = 108.0


def kpi_trends(model: ReportModel, columns: int = TREND_COLUMNS, language: Language | None = None) -> list[Chart]:
    """One small-multiples chart per sector: each KPI with earlier years, actual (status
    marker) against target (dash) over the plan period. Sectors without such KPIs are left out."""
    return [chart for sector in model.sectors
            if (chart := sector_trends(model, sector.sector.code, columns, language)) is not None]


def sector_trends(model: ReportModel, sector_code: str, columns: int = TREND_COLUMNS,
                  language: Language | None = None) -> Chart | None:
    """The small multiples of one sector, or None if none of its KPIs has earlier years."""
    sector = next((s for s in model.sectors if s.sector.code == sector_code), None)
    if sector is None:
        raise KeyError(f"no sector {sector_code!r} in the model")
    kpis = [k for o in sector.outputs for k in o.kpis if k.history]
    return _trend_chart(model, sector, kpis, columns, language or ENGLISH) if kpis else None


def _trend_points(model: ReportModel, kpi: KPIResult) -> list[HistoryPoint]:
    current = HistoryPoint(model.year, kpi.entry.target, kpi.entry.actual, kpi.status)
    return [*kpi.history, current]


def _trend_years(model: ReportModel, kpis: Sequence[KPIResult]) -> list[int]:
    first = min([model.plan.first_year, *(h.year for k in kpis for h in k.history)])
    last = max(model.plan.last_year, model.year)
    return list(range(first, last + 1))


@dataclass(frozen=True, slots=True)
class _TrendWords:
    """The fixed words of a trends chart, translated once per chart, not once per KPI."""

    lang: Language
    statuses: dict[str, str]
    target: str
    placeholder: str  # for a KPI name in right-to-left script
    lower_is_better: str  # drawn
    lower_is_better_full: str  # in the tooltip and the key

    @classmethod
    def of(cls, lang: Language) -> "_TrendWords":
        lower = lang.say(_("lower is better"))
        return cls(lang, {s: lang.status(s) for s in STATUSES}, lang.say(_("target")),
                   lang.drawn(lang.say(RTL_PLACEHOLDER), "…"), lang.drawn(lower, "↓"), lower)


def _trend_chart(model: ReportModel, sector, kpis: list[KPIResult], columns: int, lang: Language) -> Chart:
    chart_id = _safe_id(f"trends-{sector.sector.code}")
    years = _trend_years(model, kpis)
    title = lang.say(_("KPI actual against target, {sector}, {first}–{last} ({count} KPIs with earlier years)"),
                     sector=sector.sector.name, first=years[0], last=years[-1], count=len(kpis))
    words = _TrendWords.of(lang)
    cell_width = WIDTH / columns
    canvas = _Canvas(lang.rtl)
    legend_x, line = 0.0, 0.0
    for status in STATUSES:
        label = lang.drawn(words.statuses[status])
        if legend_x > 0 and legend_x + 14 + text_width(label, 10.5) > WIDTH:
            legend_x, line = 0.0, line + 18
        _status_marker(canvas, status, legend_x + 6, 9 + line)
        if label:
            canvas.text(legend_x + 14, 13 + line, label, font_size=10.5)
        legend_x += 30 + text_width(label, 10.5)
    label = lang.drawn(words.target)
    if legend_x + 21 + text_width(label, 10.5) > WIDTH:
        legend_x, line = 0.0, line + 18
    canvas.line(legend_x + 2, 9 + line, legend_x + 16, 9 + line, stroke=INK, stroke_width=2.2)
    if label:
        canvas.text(legend_x + 21, 13 + line, label, font_size=10.5)
    top = 26.0 + line
    for index, kpi in enumerate(kpis):
        x0 = (index % columns) * cell_width
        y0 = top + (index // columns) * TREND_CELL_HEIGHT
        _trend_cell(canvas, model, kpi, years, x0, y0, cell_width, words)
    rows = math.ceil(len(kpis) / columns)
    height = top + rows * TREND_CELL_HEIGHT + 2
    alt = _with_key(_trend_alt(model, sector, kpis, lang), lang,
                    [*_status_key(lang), f"— {words.target}", f"↓ {words.lower_is_better_full}"])
    with_data = {p.year for k in kpis for p in _trend_points(model, k)}
    table_years = [y for y in years if y in with_data]
    header = (lang.say(_("Output")), lang.say(_("KPI")), lang.say(_("Unit")),
              *(lang.say(message, year=y) for y in table_years for message in (_("{year} target"),
                                                                                _("{year} actual"))),
              lang.say(_("Status {year}"), year=model.year))
    table: list[tuple[str, ...]] = [header]
    for kpi in kpis:
        points = {p.year: p for p in _trend_points(model, kpi)}
        cells = []
        for y in table_years:
            point = points.get(y)
            cells += [lang.number(point.target) if point else "–", lang.number(point.actual) if point else "–"]
        table.append((kpi.entry.output, clean(kpi.entry.kpi), clean(kpi.entry.unit or ""), *cells,
                      words.statuses[kpi.status]))
    return Chart(chart_id, title, alt, _document(chart_id, height, title, alt, canvas.markup()), tuple(table))


def _status_marker(canvas: _Canvas, status: str, x: float, y: float, r: float = 4.0) -> None:
    """The status as a shape (● ◐ ○ –) in its colour, so it reads without colour."""
    colour = STATUS_COLOURS[status]
    if status == "achieved":
        canvas.element("circle", cx=x, cy=y, r=r, fill=colour, stroke=INK, stroke_width=0.6)
    elif status == "partially achieved":
        canvas.element("circle", cx=x, cy=y, r=r, fill="#ffffff", stroke=colour, stroke_width=1.4)
        canvas.element("path", d=f"M{_coord(x)},{_coord(y - r)}a{_coord(r)},{_coord(r)} 0 0 0 0,"
                                 f"{_coord(2 * r)}z", fill=colour)
        canvas.element("circle", cx=x, cy=y, r=r, fill="none", stroke=INK, stroke_width=0.6)
    elif status == "not achieved":
        canvas.element("circle", cx=x, cy=y, r=r - 0.4, fill="#ffffff", stroke=colour, stroke_width=2)
    else:
        canvas.line(x - r - 1, y, x + r + 1, y, stroke=NOT_REPORTED_MARK, stroke_width=3)


def _trend_cell(canvas: _Canvas, model: ReportModel, kpi: KPIResult, years: list[int],
                x0: float, y0: float, width: float, words: _TrendWords) -> None:
    """One multiple: name, this year's figures in words, then the plot (no value labels on
    the points: they collide in so small a plot; the words, the tooltip and the table carry them)."""
    lang = words.lang
    entry = kpi.entry
    points = _trend_points(model, kpi)
    pad = 6.0
    inner = width - 2 * pad
    canvas.open("g")
    name = f"{entry.output} {entry.kpi}" + (f" ({entry.unit})" if entry.unit else "")
    figures = "; ".join(lang.say(_("{year} target {target}, actual {actual} ({status})"), year=p.year,
                                 target=lang.number(p.target), actual=lang.number(p.actual),
                                 status=words.statuses[p.status]) for p in points)
    canvas.title(lang.say(_("{name}, lower is better: {figures}"), name=name, figures=figures)
                 if entry.direction == "lower" else f"{name}: {figures}")
    canvas.rect(x0 + 2, y0 + 2, width - 4, TREND_CELL_HEIGHT - 4, fill="none", stroke=GRID, stroke_width=1)
    size = 9.5
    code_width = text_width(entry.output + "\u00a0", size, bold=True)
    lines = wrap(label_or_placeholder(entry.kpi, words.placeholder), inner, size, 2,
                 first_line_width=inner - code_width)
    canvas.rich_text(x0 + pad, y0 + 14, [(entry.output, {"font_weight": "bold"}), ("\u00a0" + lines[0], {})],
                     font_size=size)
    if len(lines) > 1:
        canvas.text(x0 + pad, y0 + 25, lines[1], font_size=size)
    year, target = model.year, lang.number(entry.target)
    if entry.actual is not None:
        actual = lang.number(entry.actual)
        figures = lang.drawn(lang.say(_("{year}: {actual} · target {target}"), year=year, actual=actual,
                                      target=target), f"{year}: {actual} · — {target}")
    else:
        figures = lang.drawn(lang.say(_("{year}: not reported · target {target}"), year=year, target=target),
                             f"{year}: – · — {target}")
    canvas.text(x0 + pad, y0 + 37, truncate(figures, inner, 8.5), font_size=8.5)
    # The unit (workbook text, perhaps in another script than the words after it) is a span of
    # its own, so that it is isolated on its own (see isolate_rtl).
    unit = label_or_placeholder(entry.unit or "", "")
    lower = words.lower_is_better if entry.direction == "lower" else ""
    suffix = truncate(f"\u00a0· {lower}" if unit and lower else lower, inner, 8.5)  # U+00A0: kept at the edge
    if unit:
        unit = truncate(unit, max(inner - text_width(suffix, 8.5), 0), 8.5)
    if unit or suffix:
        canvas.rich_text(x0 + pad, y0 + 47, [(unit, {}), (suffix, {})], font_size=8.5, fill=MUTED)

    plot_top, plot_bottom = y0 + 56, y0 + 84  # marker centres stay within these
    axis_y = plot_bottom + 7
    step = inner / len(years)

    def x_of(year: int) -> float:
        return x0 + pad + step * (years.index(year) + 0.5)

    values = [v for p in points for v in (p.target, p.actual) if v is not None]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1

    def y_of(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

    canvas.line(x0 + pad, axis_y, x0 + width - pad, axis_y, stroke=RULE, stroke_width=0.8)
    for year in years:
        canvas.text(x_of(year), y0 + TREND_CELL_HEIGHT - 6, str(year), font_size=8.5,
                    text_anchor="middle", fill=INK if year == model.year else MUTED,
                    font_weight="bold" if year == model.year else None)
    for point in points:
        if point.target is not None:
            y = y_of(point.target)
            canvas.line(x_of(point.year) - 8, y, x_of(point.year) + 8, y, stroke=INK, stroke_width=2.2)
    reported = [p for p in points if p.actual is not None]
    if len(reported) > 1:
        canvas.element("polyline", points=" ".join(f"{_coord(x_of(p.year))},{_coord(y_of(p.actual))}"
                                                   for p in reported),
                       fill="none", stroke=MUTED, stroke_width=1)
    for point in points:
        if point.actual is None:  # on the axis, where no value can be
            _status_marker(canvas, "not reported", x_of(point.year), axis_y)
        else:
            _status_marker(canvas, point.status, x_of(point.year), y_of(point.actual))
    canvas.close("g")


def _trend_alt(model: ReportModel, sector, kpis: list[KPIResult], lang: Language = ENGLISH) -> str:
    better = worse = same = unknown = 0
    for kpi in kpis:
        before = STATUS_RANK.get(kpi.history[-1].status)
        now = STATUS_RANK.get(kpi.status)
        if before is None or now is None:
            unknown += 1
        elif now > before:
            better += 1
        elif now < before:
            worse += 1
        else:
            same += 1
    previous = sorted({k.history[-1].year for k in kpis})
    values = dict(total=len(kpis), sector=sector.sector.name, better=better, year=model.year, worse=worse,
                  same=same)
    if len(previous) == 1:
        text = lang.say(_("Of the {total} KPIs of {sector} with earlier figures, {better} improved their "
                          "status in {year} compared with {previous}, {worse} fell back and {same} kept it."),
                        previous=previous[0], **values)
    else:
        text = lang.say(_("Of the {total} KPIs of {sector} with earlier figures, {better} improved their "
                          "status in {year} compared with the year before, {worse} fell back and {same} "
                          "kept it."), **values)
    if unknown:
        text += " " + lang.say(_("{count} cannot be compared (not reported)."), count=unknown)
    achieved = sum(k.status == "achieved" for k in kpis)
    return text + " " + lang.say(_("{count} of them met their {year} target."), count=achieved, year=model.year)


# ------------------------------------------------------------------------------------ all


def all_charts(model: ReportModel, thresholds: Thresholds | None = None,
               gettext: Callable[[str], str] | None = None, locale: str | None = "en") -> dict[str, Chart]:
    """Every chart of the report, keyed for the templates: `status_by_objective`,
    `budget_<sector>` (e.g. budget_R, budget_INT), `goals_matrix`, `trends_<sector>`.
    A sector with no finance has no budget chart; one with no earlier years no trends chart.

    `gettext` translates the fixed texts (identity: English) and `locale` (a Babel locale such
    as "fr", "ar" or "zh_Hans"; "-" is read as "_") formats the numbers; the plan's texts come
    translated in the model."""
    language = Language(gettext or _same, (locale or "en").replace("-", "_"))
    charts: dict[str, Chart] = {"status_by_objective": status_by_objective(model, language)}
    for sector in model.sectors:
        if any(o.finance for o in sector.outputs):
            charts[f"budget_{sector.sector.code}"] = budget_vs_expenditure(model, sector.sector.code,
                                                                           thresholds, language)
    charts["goals_matrix"] = goals_matrix(model, language)
    for sector in model.sectors:
        if (trends := sector_trends(model, sector.sector.code, language=language)) is not None:
            charts[f"trends_{sector.sector.code}"] = trends
    return charts


def figure_html(chart: Chart, number: str | None = None, language: Language | None = None) -> str:
    """The chart as an HTML <figure>: caption, SVG and its data table (all escaped here)."""
    lang = language or ENGLISH
    summary = lang.say(_("The numbers behind the chart"))
    caption = (f"{escape(number)} " if number else "") + _esc(chart.title)
    header, *rows = chart.table
    head = "".join(f'<th scope="col">{_esc(c)}</th>' for c in header)
    body = "".join(
        "<tr>" + "".join(
            (f'<th scope="row">{_esc(c)}</th>' if i == 0
             else f'<td class="n">{_esc(c)}</td>' if _NUMERIC.match(c) else f"<td>{_esc(c)}</td>")
            for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return (f'<figure class="chart" id="{chart.id}">'
            f'<figcaption>{caption}</figcaption>{chart.svg}'
            f'<details class="chart-data"><summary>{_esc(summary)}</summary>'
            f'<table class="chart-data"><caption>{_esc(chart.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></details></figure>")


# A number or a share in any of the report's locales: 1,234.5 / 1 234,5 / 1.234 / 116 % / –
_NUMERIC = re.compile(r"^[–-]?$|^-?[\d][\d,.'\u00a0\u202f ]*(\s?%)?$")
