"""The translation memory of the Bureaux' texts: `inputs/translations/<lang>.po`.

One file per language, kept across years: every text of the returns that was ever translated
and imported, as a PO unit whose context is the kind of text (`kpi`, `unit`, `comment`,
`highlight`, `proposal`, `source`) and whose msgid is the English text with its runs of white
space folded. A KPI name carried over from 2008 is therefore found again in 2009, whatever the
row it now stands on. `reportgen i18n import` writes these files (nothing else should); the
build and `reportgen i18n export` read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from reportgen.i18n.pofile import PoEntry, PoFile, read_po, write_po

FOLDER = "translations"


class TextKind(StrEnum):
    """What a text of a return is; the PO context of its unit."""

    KPI = "kpi"
    UNIT = "unit"
    COMMENT = "comment"
    HIGHLIGHT = "highlight"
    PROPOSAL = "proposal"
    SOURCE = "source"


KINDS = frozenset(kind.value for kind in TextKind)


def text_key(text: str) -> str:
    """The form a text is kept and matched in: its runs of white space folded to one space."""
    return " ".join(str(text).split())


def memory_path(inputs: Path, lang: str) -> Path:
    return inputs / FOLDER / f"{lang}.po"


@dataclass(frozen=True)
class Memory:
    """Translations of one language: (kind, text) → translation."""

    language: str
    units: dict[tuple[str, str], str] = field(default_factory=dict)
    by_text: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_text: dict[str, str] = {}
        for (_, source), target in sorted(self.units.items()):
            by_text.setdefault(source, target)
        object.__setattr__(self, "by_text", by_text)  # an index, derived once

    def get(self, kind: str, text: str) -> str | None:
        return self.units.get((kind, text_key(text)))

    def any_kind(self, text: str) -> str | None:
        """A translation of the same text made for another kind (a comment reused as a highlight)."""
        return self.by_text.get(text_key(text))


def load_memory(inputs: Path, lang: str) -> Memory:
    """The memory of `lang` under `inputs` (empty if there is none); a PoSyntaxError if it was
    edited into something unreadable."""
    path = memory_path(inputs, lang)
    if not path.is_file():
        return Memory(lang)
    po = read_po(path)
    units = {(e.context, text_key(e.source)): e.target for e in po.entries
             if e.context in KINDS and e.target and not e.fuzzy}
    return Memory(lang, units)


def save_memory(inputs: Path, memory: Memory) -> Path:
    """Write the memory whole (sorted by kind and text, so that its changes read as a diff)."""
    path = memory_path(inputs, memory.language)
    header = {"Project-Id-Version": "reportgen: translations of the Bureaux' texts",
              "Language": memory.language, "MIME-Version": "1.0",
              "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
              "X-Reportgen-Kind": "translation memory"}
    notes = ("Translation memory of the texts typed in the returns, all years: written by",
             "'reportgen i18n import'. Do not edit by hand: export, translate, import.")
    entries = tuple(PoEntry(kind, source, target) for (kind, source), target in sorted(memory.units.items()))
    write_po(path, PoFile(header, entries, notes))
    return path
