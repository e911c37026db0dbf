"""Which characters the report's fonts can draw, so that validate can warn about a character
that would print as an empty box (an emoji, a rare script) at the cell that holds it.

The faces are those the report's styles name (templates/report.css, render/locale.py's font
stacks and the charts' faces; docs/typography.md): Noto Serif, Noto Sans, Noto Sans Math, Noto
Sans Symbols2, Noto Serif and Sans CJK SC, Noto Naskh Arabic, Noto Sans Arabic and DejaVu Sans, as
Debian's fonts-dejavu-core, fonts-noto-core and fonts-noto-cjk install them. Their character
maps are read once per process with fontTools, and only when a text has a character beyond
Latin: a return written in Latin script never pays for it.
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# (file name, face number in a collection)
REPORT_FONTS = (
    ("DejaVuSans.ttf", 0),
    ("NotoSerif-Regular.ttf", 0),
    ("NotoSans-Regular.ttf", 0),
    ("NotoSansMath-Regular.ttf", 0),
    ("NotoSansSymbols2-Regular.ttf", 0),
    ("NotoSerifCJK-Regular.ttc", 0),
    ("NotoSansCJK-Regular.ttc", 0),
    ("NotoNaskhArabic-Regular.ttf", 0),
    ("NotoSansArabic-Regular.ttf", 0),
)
# Every character up to here (ASCII, Latin-1, Latin Extended-A and -B) is in DejaVu Sans.
LATIN_END = "\u024f"
# Characters no font needs to draw: joiners, variation selectors, marks of direction.
_INVISIBLE = frozenset([0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10),
                        *range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def font_files() -> list[tuple[Path, int]]:
    """The report's font files found on this machine."""
    wanted = {name for name, _ in REPORT_FONTS}
    paths: dict[str, Path] = {}
    for folder in FONT_DIRS:
        for root, _, files in sorted(os.walk(folder)):
            for name in sorted(wanted.intersection(files)):
                paths.setdefault(name, Path(root) / name)
    return [(paths[name], number) for name, number in REPORT_FONTS if name in paths]


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Every code point that at least one of the report's fonts has a glyph for (empty when
    none of them is installed: then nothing can be said, and the build says what to install)."""
    from fontTools.ttLib import TTFont

    points: set[int] = set()
    for path, number in font_files():
        try:
            font = TTFont(str(path), fontNumber=number, lazy=True)
            points.update(font.getBestCmap() or {})
            font.close()
        except Exception:  # a damaged font file: the others still count
            log.warning("could not read the character map of %s", path, exc_info=True)
    return frozenset(points)


def missing(text: str) -> list[str]:
    """The distinct characters of `text` that none of the report's fonts has, in order of first
    appearance. Cheap for Latin text: the fonts are only read for a text beyond Latin."""
    if text.isascii() or max(text) <= LATIN_END:
        return []
    have = covered()
    if not have:
        return []
    out: list[str] = []
    for char in text:
        point = ord(char)
        if char > LATIN_END and point not in have and point not in _INVISIBLE and char not in out:
            out.append(char)
    return out
