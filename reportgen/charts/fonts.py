"""The faces the charts' text is drawn with, and the advance widths of their glyphs.

The SVG asks for `FAMILIES` in order; Pango (WeasyPrint) and browsers draw each character with
the first family that has it, and fall back on the system's fonts for the rest. The widths here
come from the same font files (read with fontTools, which WeasyPrint ships with), found under
the system's font folders and read once per process, a face only when a character needs it.
Arabic letters are measured in the form they are drawn in (initial, medial, final, isolated,
lam-alef ligatures), read from the Unicode presentation forms the fonts map. Kerning is left
out: it only narrows text, so a label measured here never comes out wider in the PDF.

Without the font files (an incomplete install) widths fall back to an estimate, with a warning.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

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
    """One font file's advance widths, in thousandths of an em."""

    def __init__(self, path: Path, family: str) -> None:
        from fontTools.ttLib import TTCollection, TTFont

        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = TTCollection(str(path), lazy=True).fonts
            font = next((f for f in fonts if f["name"].getDebugName(1) == family), fonts[0])
        else:
            font = TTFont(str(path), lazy=True)
        self.path = path
        self._cmap: dict[int, str] = font.getBestCmap() or {}
        self._metrics: Any = font["hmtx"]
        self._scale = 1000 / font["head"].unitsPerEm

    def advance(self, char: str) -> float | None:
        """The advance width of `char`, or None if the face has no glyph for it."""
        glyph = self._cmap.get(ord(char))
        return None if glyph is None else self._metrics[glyph][0] * self._scale


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
    if not any("\u0600" <= char <= "\u06ff" for char in text):
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
