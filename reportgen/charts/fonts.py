"""The faces the charts' text is drawn with, and the advance widths of their glyphs.

The SVG asks for `FAMILIES` in order; Pango (WeasyPrint) and browsers draw each character with
the first family that has it, and fall back on the system's fonts for the rest. The widths here
come from the same font files, found under the system's font folders: a face is opened (mapped,
not read) the first time a character needs it, once per process, and each character's glyph and
advance are looked up in its `cmap` and `hmtx` tables. (fontTools, which WeasyPrint ships with,
reads the same tables but parses them whole: 0.1 s to import, 0.05 s for a DejaVu face and 0.5 s
for a CJK one, on the build's path, where these lookups cost milliseconds; tests/test_charts.py
checks the widths here against fontTools' and against WeasyPrint's own layout.)

Arabic letters are measured in the form they are drawn in (initial, medial, final, isolated,
lam-alef ligatures), read from the Unicode presentation forms the fonts map. Kerning is left
out: it narrows text, so a label measured here does not come out wider in the PDF.

Without the font files (an incomplete install) widths fall back to an estimate, with a warning.
"""

from __future__ import annotations

import logging
import mmap
import os
import re
import struct
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

# The families the charts ask for, in order: DejaVu draws Latin, Cyrillic, Arabic and symbols;
# Chinese falls back to the Simplified Chinese face, not the Japanese one.
FAMILIES = ("DejaVu Sans", "Noto Sans CJK SC")
# Where a character is in none of them: the face the system falls back on for it.
FALLBACKS = ("Noto Naskh Arabic",)
FONT_FAMILY = ", ".join(f"'{family}'" for family in FAMILIES) + ", sans-serif"

# The font files of each family (Debian's fonts-dejavu-core, fonts-noto-cjk, fonts-noto-core):
# (regular, bold) file names.
FONT_FILES = {
    "DejaVu Sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    "Noto Sans CJK SC": ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"),
    "Noto Naskh Arabic": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
}
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
             Path.home() / ".local" / "share" / "fonts", Path.home() / ".fonts")


class Face:
    """One font file's glyphs and advance widths (thousandths of an em), read from its OpenType
    tables as needed. `family` picks the face of a collection (.ttc)."""

    def __init__(self, path: Path, family: str) -> None:
        with path.open("rb") as handle:
            self._data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self.path = path
        offsets = [0]
        if self._data[:4] == b"ttcf":
            count = self._u32(8)
            offsets = [self._u32(12 + 4 * index) for index in range(count)]
        tables = next((t for t in map(self._tables, offsets) if self._family(t) == family), None)
        tables = tables or self._tables(offsets[0])
        self._scale = 1000 / self._u16(tables[b"head"] + 18)
        self._metrics_count = self._u16(tables[b"hhea"] + 34)
        self._metrics = tables[b"hmtx"]
        self._lookup = self._cmap(tables[b"cmap"])

    def _u16(self, offset: int) -> int:
        return struct.unpack_from(">H", self._data, offset)[0]

    def _u32(self, offset: int) -> int:
        return struct.unpack_from(">I", self._data, offset)[0]

    def _tables(self, offset: int) -> dict[bytes, int]:
        count = self._u16(offset + 4)
        return {bytes(self._data[record:record + 4]): self._u32(record + 8)
                for record in range(offset + 12, offset + 12 + 16 * count, 16)}

    def _family(self, tables: dict[bytes, int]) -> str | None:
        """The face's family name (name 1, Windows Unicode)."""
        table = tables.get(b"name")
        if table is None:
            return None
        count, strings = self._u16(table + 2), table + self._u16(table + 4)
        for record in range(table + 6, table + 6 + 12 * count, 12):
            platform, _encoding, _language, name_id, length, offset = struct.unpack_from(">6H", self._data, record)
            if platform == 3 and name_id == 1:
                return bytes(self._data[strings + offset:strings + offset + length]).decode("utf-16-be")
        return None

    def _cmap(self, table: int) -> Callable[[int], int]:
        """A code point → glyph lookup in the face's Unicode cmap (format 12, else format 4)."""
        subtables = {}
        for record in range(table + 4, table + 4 + 8 * self._u16(table + 2), 8):
            platform, encoding, offset = struct.unpack_from(">HHI", self._data, record)
            subtables[(platform, encoding, self._u16(table + offset))] = table + offset
        for key in ((3, 10, 12), (0, 4, 12), (0, 6, 12)):
            if key in subtables:
                return self._format_12(subtables[key])
        for key in ((3, 1, 4), (0, 3, 4), (0, 4, 4)):
            if key in subtables:
                return self._format_4(subtables[key])
        return lambda code: 0

    def _format_12(self, subtable: int) -> Callable[[int], int]:
        count = self._u32(subtable + 12)
        groups = [struct.unpack_from(">3I", self._data, subtable + 16 + 12 * index) for index in range(count)]
        ends = [end for _start, end, _glyph in groups]

        def lookup(code: int) -> int:
            index = bisect_left(ends, code)
            if index < len(groups) and groups[index][0] <= code:
                return groups[index][2] + code - groups[index][0]
            return 0
        return lookup

    def _format_4(self, subtable: int) -> Callable[[int], int]:
        segments = self._u16(subtable + 6) // 2
        ends_at = subtable + 14
        starts_at = ends_at + 2 * segments + 2
        deltas_at, ranges_at = starts_at + 2 * segments, starts_at + 4 * segments
        ends = list(struct.unpack_from(f">{segments}H", self._data, ends_at))

        def lookup(code: int) -> int:
            index = bisect_left(ends, code)
            if index >= segments or self._u16(starts_at + 2 * index) > code:
                return 0
            delta, range_offset = self._u16(deltas_at + 2 * index), self._u16(ranges_at + 2 * index)
            if range_offset == 0:
                return (code + delta) & 0xFFFF
            glyph = self._u16(ranges_at + 2 * index + range_offset + 2 * (code - self._u16(starts_at + 2 * index)))
            return (glyph + delta) & 0xFFFF if glyph else 0
        return lookup

    def advance(self, char: str) -> float | None:
        """The advance width of `char`, or None if the face has no glyph for it."""
        glyph = self._lookup(ord(char))
        if not glyph:
            return None
        metric = min(glyph, self._metrics_count - 1)  # glyphs past the last metric share its advance
        return self._u16(self._metrics + 4 * metric) * self._scale


@lru_cache(maxsize=1)
def _font_files() -> dict[str, Path]:
    """Every file under the font folders, by name (the first found wins)."""
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        if not folder.is_dir():
            continue
        for root, _dirs, files in sorted(os.walk(folder)):
            for name in sorted(files):
                found.setdefault(name, Path(root) / name)
    return found


@lru_cache(maxsize=None)
def face(family: str, bold: bool = False) -> Face | None:
    """The face of `family` (bold or regular), or None if its file is not installed."""
    names = FONT_FILES.get(family)
    path = _font_files().get(names[1 if bold else 0]) if names else None
    if path is None:
        log.warning("font %s%s not found under %s: chart labels are measured by estimate",
                    family, " Bold" if bold else "", ", ".join(str(d) for d in FONT_DIRS))
        return None
    return Face(path, family)


def missing_faces() -> list[str]:
    """The faces the charts need that are not installed ("DejaVu Sans Bold"…)."""
    return [f"{family}{' Bold' if bold else ''}" for family in (*FAMILIES, *FALLBACKS)
            for bold in (False, True) if face(family, bold) is None]


@lru_cache(maxsize=16384)
def advance(char: str, bold: bool = False) -> float:
    """The width of `char` as drawn: from the first family that has it (thousandths of an em)."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0.0  # marks and invisible format characters (bidi isolates, joiners)
    for family in (*FAMILIES, *FALLBACKS):
        found = face(family, bold)
        width = found.advance(char) if found is not None else None
        if width is not None:
            return width
    return _estimate(char, bold)


def _estimate(char: str, bold: bool) -> float:
    """A width for a character no installed face has: wide for CJK, else a little wider than
    the Latin average."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1000.0
    return 700.0 if bold else 650.0


# ---------------------------------------------------------------------------------- Arabic forms

_FORMS = ("isolated", "final", "initial", "medial")
_ALEFS = frozenset("\u0622\u0623\u0625\u0627")
_LAM = "\u0644"
_ARABIC = re.compile("[\u0600-\u06ff]")
_JOIN_CAUSING = frozenset("\u0640\u200d")  # tatweel, zero width joiner


@lru_cache(maxsize=1)
def _presentation_forms() -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """(letter, form) → presentation form, and (alef, form) → its lam-alef ligature, from the
    decompositions of Unicode's Arabic Presentation Forms-A and -B."""
    letters: dict[tuple[str, str], str] = {}
    ligatures: dict[tuple[str, str], str] = {}
    for code in (*range(0xFB50, 0xFDFF), *range(0xFE70, 0xFEFF)):
        parts = unicodedata.decomposition(chr(code)).split()
        if not parts or parts[0].strip("<>") not in _FORMS:
            continue
        form, bases = parts[0].strip("<>"), [chr(int(p, 16)) for p in parts[1:]]
        if len(bases) == 1:
            letters.setdefault((bases[0], form), chr(code))
        elif len(bases) == 2 and bases[0] == _LAM and bases[1] in _ALEFS:
            ligatures.setdefault((bases[1], form), chr(code))
    return letters, ligatures


def _joining(char: str) -> str:
    """The joining type: D (dual), R (right), C (join causing), T (transparent), U (none)."""
    if char in _JOIN_CAUSING:
        return "C"
    if unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return "T"
    letters = _presentation_forms()[0]
    if (char, "medial") in letters or (char, "initial") in letters:
        return "D"
    if (char, "final") in letters:
        return "R"
    return "U"


def shaped(text: str) -> str:
    """`text` with each Arabic letter replaced by the form it takes where it stands (and lam
    with alef by their ligature), as a font's shaping draws it; other text as it is."""
    if not _ARABIC.search(text):
        return text
    letters, ligatures = _presentation_forms()
    types = [_joining(char) for char in text]

    def neighbour(index: int, step: int) -> int | None:
        index += step
        while 0 <= index < len(text) and types[index] == "T":
            index += step
        return index if 0 <= index < len(text) else None

    out: list[str] = []
    skip: int | None = None
    for index, char in enumerate(text):
        if index == skip:
            continue
        kind = types[index]
        if kind not in ("D", "R"):
            out.append(char)
            continue
        before, after = neighbour(index, -1), neighbour(index, 1)
        joins_before = before is not None and types[before] in ("D", "C")
        if char == _LAM and after is not None and text[after] in _ALEFS:
            ligature = ligatures.get((text[after], "final" if joins_before else "isolated"))
            if ligature:
                out.append(ligature)
                skip = after
                continue
        joins_after = kind == "D" and after is not None and types[after] in ("D", "R", "C")
        form = {(False, False): "isolated", (True, False): "final",
                (False, True): "initial", (True, True): "medial"}[(joins_before, joins_after)]
        out.append(letters.get((char, form), char))
    return "".join(out)
