"""The translators' round trip for the Bureaux' texts (contract 8.6).

`export_texts` writes every distinct text typed in a year's returns (KPI names, units, comments,
highlights, proposals and their sources) as a gettext PO file for one language: one unit per
text and kind, its context (Bureau, output, sheet, row, what kind of text) in the unit's
comments, and the translation filled in wherever the translation memory has one, from any
earlier year. Units and sources the tool translates itself (controlled units, known ITU bodies)
are left out.

`import_texts` reads such a file back, refuses it whole if it is not PO, is for another language
or is not an export of these texts, refuses single units whose source text changed or whose
markup is broken (each with its line), and stores the rest in the translation memory
`inputs/translations/<lang>.po`.

Why PO rather than XLIFF 2: see docs/translation.md.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ReportgenError
from reportgen.i18n import bodies, terms
from reportgen.i18n.checks import markup_fault, script_fault
from reportgen.i18n.memory import KINDS, Memory, TextKind, load_memory, memory_path, save_memory, text_key
from reportgen.i18n.pofile import PoEntry, PoFile, read_po, write_po
from reportgen.i18n.returns import ReturnText, texts_of_year

log = logging.getLogger(__name__)

LANGUAGES = ("fr", "es", "ar", "zh", "ru")  # the report's languages other than English
_ID_NOTE = re.compile(r"id:\s*(\S+)")
MAX_PLACES = 6  # places listed per unit; the rest are counted

KIND_NAMES = {TextKind.KPI: "KPI", TextKind.UNIT: "Unit", TextKind.COMMENT: "Comment",
              TextKind.HIGHLIGHT: "Highlight", TextKind.PROPOSAL: "Proposal", TextKind.SOURCE: "Source"}
GUIDANCE = (
    "Texts typed by the ITU Bureaux in their returns for {year}, for the {name} version of the",
    "Secretary-General's progress report on the Strategic Plan. Translate each msgstr; keep",
    "msgctxt and msgid exactly as they are. Units already translated (in any earlier year) are",
    "filled in: check them only if you wish. The context of each unit says where it stands:",
    "  kpi        the name of a key performance indicator: a table row heading, keep it short",
    "  unit       the unit of a KPI's figures (days, number, ...): a table cell",
    "  comment    the Bureau's remark on a KPI's result, shown under its name",
    "  highlight  a notable result of the year, one sentence",
    "  proposal   a proposal of an advisory group or conference to adjust the plan",
    "  source     who made a proposal (an ITU body not in reportgen's list of official names)",
    "The texts are shown as plain text: keep any <tag> exactly as in the source.",
    "When done: reportgen i18n import <this file>",
)
LANGUAGE_NAMES = {"fr": "French", "es": "Spanish", "ar": "Arabic", "zh": "Chinese", "ru": "Russian",
                  "en": "English"}


class TranslationFileError(ReportgenError):
    """A translation file refused as a whole (nothing stored)."""


def unit_id(kind: str, text: str) -> str:
    """A short, stable name of a unit: the same kind and text always give the same id."""
    digest = hashlib.sha256(f"{kind}\0{text_key(text)}".encode("utf-8")).hexdigest()
    return f"{kind}-{digest[:10]}"


def _normalise_language(value: str | None) -> str | None:
    if not value:
        return None
    return value.strip().replace("-", "_").split("_")[0].lower() or None


# -- export ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    language: str
    units: int  # units written
    filled: int  # of which filled in from the translation memory
    by_tool: int  # texts the tool translates itself (controlled units, known bodies): not written
    words_to_translate: int  # words of the units left to translate

    @property
    def to_translate(self) -> int:
        return self.units - self.filled


def _describe(plan: object, code: str | None) -> str:
    """'R-03 "Processing of space notices …"' for a plan code; the plan as a whole for None."""
    if code is None:
        return "the plan as a whole"
    for finder, field in (("output", "name"), ("objective", "title"), ("goal", "title")):
        try:
            item = getattr(plan, finder)(code)
        except (KeyError, AttributeError):
            continue
        return f'{code} "{getattr(item, field)}"'
    return code


def _context(plan: object, text: ReturnText) -> list[str]:
    """The notes a translator sees above a unit: what it is and where it stands."""
    notes = [f"id: {unit_id(text.kind, text.text)}"]
    for place in text.places[:MAX_PLACES]:
        sector = plan.sector_of_bureau(place.bureau)  # type: ignore[attr-defined]
        bureau = f"{place.bureau} ({sector.bureau_name})" if sector else place.bureau
        what = {
            TextKind.KPI: f"KPI of output {_describe(plan, place.refers_to)}",
            TextKind.UNIT: f'Unit of the KPI "{place.about}" of output {place.refers_to}',
            TextKind.COMMENT: f'Comment on the KPI "{place.about}" of output {place.refers_to}',
            TextKind.HIGHLIGHT: f"Highlight on {_describe(plan, place.refers_to)}",
            TextKind.PROPOSAL: f"Proposal by {place.about} on {_describe(plan, place.refers_to)}",
            TextKind.SOURCE: "Source of a proposal (who made it)",
        }[TextKind(text.kind)]
        where = f"{place.source.file}, sheet {place.source.sheet}, row {place.source.row}"
        notes.append(f"{what}; {bureau}; {where}")
    if len(text.places) > MAX_PLACES:
        notes.append(f"... and in {len(text.places) - MAX_PLACES} more places")
    if text.language != "en":
        notes.append(f"Typed in {LANGUAGE_NAMES.get(text.language, text.language)}")
    return notes


def export_texts(year: int, language: str, inputs: Path, out: Path, plan_file: Path | None = None,
                 limits: object | None = None) -> ExportResult:
    """Write the PO file of `year`'s texts for `language` to `out` (see the module's docstring)."""
    from reportgen.bureau.xlsxscan import Limits
    from reportgen.pipeline.build import read_year
    from reportgen.plan.loader import load_plan

    if language not in LANGUAGES:
        raise ReportgenError(f"cannot export for '{language}': use one of {', '.join(LANGUAGES)} "
                             "(the returns are typed in English)")
    plan = load_plan(plan_file)
    data, _ = read_year(year, inputs, plan, limits or Limits())
    if not data.returns:
        raise ReportgenError(f"no readable workbook in {inputs / str(year)}: nothing to export")
    memory = load_memory(inputs, language)
    known = bodies.load_bodies()
    entries, filled, by_tool, words = [], 0, 0, 0
    for text in texts_of_year(data):
        if text.language == language:
            continue
        if (text.kind == TextKind.UNIT and terms.controlled_unit(text.text)) or \
                (text.kind == TextKind.SOURCE and (known.find(text.text) or text.text == bodies.UNSPECIFIED)):
            by_tool += 1
            continue
        target, flags, notes = memory.get(text.kind, text.text), frozenset(), _context(plan, text)
        if target is None and (suggestion := memory.any_kind(text.text)) is not None:
            target, flags = suggestion, frozenset({"fuzzy"})
            notes.append("Suggested from the translation of the same text of another kind: check it")
        if target and not flags:
            filled += 1
        else:
            words += len(text.text.split())
        references = tuple(f"{year}/{p.source.file}:{p.source.row}" for p in text.places[:MAX_PLACES])
        entries.append(PoEntry(text.kind, text.text, target or "", tuple(notes), references, flags))
    header = {"Project-Id-Version": f"reportgen returns {year}", "Language": language,
              "Language-Team": LANGUAGE_NAMES[language], "Last-Translator": "",
              "PO-Revision-Date": _now(), "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
              "Content-Transfer-Encoding": "8bit", "X-Reportgen-Kind": "returns",
              "X-Reportgen-Year": str(year), "X-Source-Language": "en"}
    guidance = tuple(line.format(year=year, name=LANGUAGE_NAMES[language]) for line in GUIDANCE)
    write_po(out, PoFile(header, tuple(entries), guidance))
    log.info("exported %d units for %s to %s", len(entries), language, out)
    return ExportResult(out, language, len(entries), filled, by_tool, words)


def _now() -> str:
    """The export's time as PO dates are written (SOURCE_DATE_EPOCH if set, for reproducible files)."""
    import os
    from datetime import datetime, timezone

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%d %H:%M+0000")


# -- import ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Rejected:
    """A unit refused, with the line of its msgid and the reason."""

    line: int
    kind: str | None
    source: str
    reason: str

    def message(self, path: Path | str) -> str:
        shown = self.source if len(self.source) <= 60 else self.source[:57] + "..."
        return f"{path}:{self.line}: error: unit {self.kind or '(no context)'} \"{shown}\": {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    memory: Path
    language: str
    new: int
    changed: int
    unchanged: int
    untranslated: int  # empty or fuzzy units, left for later
    rejected: tuple[Rejected, ...]

    @property
    def stored(self) -> int:
        return self.new + self.changed


def _texts_of_all_years(inputs: Path, plan_file: Path | None, limits: object | None) -> set[tuple[str, str]]:
    """(kind, text) of every text of every year folder's returns under `inputs`."""
    from reportgen.bureau.xlsxscan import Limits
    from reportgen.pipeline.build import read_year
    from reportgen.plan.loader import load_plan

    plan = load_plan(plan_file)
    found: set[tuple[str, str]] = set()
    years = sorted(int(p.name) for p in inputs.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name)) \
        if inputs.is_dir() else []
    for year in years:
        data, _ = read_year(year, inputs, plan, limits or Limits())
        found.update((t.kind, t.text) for t in texts_of_year(data))
    return found


def _file_language(po: PoFile, path: Path, language: str | None) -> str:
    stated = _normalise_language(po.header.get("Language"))
    if stated is None:
        raise TranslationFileError(f"{path}: the header has no Language: set it to the language of the "
                                   f"translations ({', '.join(LANGUAGES)}), as the exported file had it")
    if stated not in LANGUAGES:
        raise TranslationFileError(f"{path}: the file is for '{stated}' (its Language header); the report's "
                                   f"translations are {', '.join(LANGUAGES)}")
    if language is not None and stated != language:
        raise TranslationFileError(f"{path}: the file is for '{stated}' (its Language header), not for "
                                   f"'{language}': import it without --lang, or take the file for '{language}'")
    return stated


def import_texts(path: Path, inputs: Path, language: str | None = None, plan_file: Path | None = None,
                 limits: object | None = None) -> ImportResult:
    """Check the PO file at `path` and store its translations in `inputs/translations/`."""
    po = read_po(path)
    lang = _file_language(po, path, language)
    ours = [e for e in po.entries if e.context in KINDS]
    if len(ours) * 2 < len(po.entries):  # a few stray units are refused one by one; this is another file
        raise TranslationFileError(f"{path}: {len(po.entries) - len(ours)} of its {len(po.entries)} units have no "
                                   f"context of a text of the returns ({', '.join(sorted(KINDS))}): is it the "
                                   "report's own catalogue? Import only files written by 'reportgen i18n export'")
    fault = script_fault(lang, [e.target for e in ours if e.target and not e.fuzzy])
    if fault:
        raise TranslationFileError(f"{path}: the file is for '{lang}' (its Language header), but {fault}: "
                                   "set the header to the language of its translations")
    returns_texts = _texts_of_all_years(inputs, plan_file, limits)
    by_id = {unit_id(kind, text): text for kind, text in returns_texts}
    memory = load_memory(inputs, lang)
    units = dict(memory.units)
    rejected: list[Rejected] = []
    new = changed = unchanged = untranslated = 0
    seen: dict[tuple[str, str], int] = {}
    for entry in po.entries:
        reason = _unit_fault(entry, returns_texts, by_id, seen)
        if reason is None and entry.target and not entry.fuzzy:
            reason = markup_fault(entry.source, entry.target)
        if reason is not None:
            rejected.append(Rejected(entry.line, entry.context, entry.source, reason))
            continue
        key = (str(entry.context), text_key(entry.source))
        seen[key] = entry.line
        if not entry.target or entry.fuzzy:
            untranslated += 1
            continue
        before = units.get(key)
        if before == entry.target:
            unchanged += 1
        else:
            new += before is None
            changed += before is not None
            units[key] = entry.target
    target = memory_path(inputs, lang)
    if new or changed:
        save_memory(inputs, Memory(lang, units))
    return ImportResult(target, lang, new, changed, unchanged, untranslated, tuple(rejected))


def _unit_fault(entry: PoEntry, returns_texts: set[tuple[str, str]], by_id: dict[str, str],
                seen: dict[tuple[str, str], int]) -> str | None:
    if entry.plural is not None:
        return "it has plural forms (msgid_plural), which these texts never have: translate it in one msgstr"
    if entry.context not in KINDS:
        return (f"its context is {entry.context!r}, not one of {', '.join(sorted(KINDS))}: keep the "
                "msgctxt as exported")
    key = (entry.context, text_key(entry.source))
    if key in seen:
        return f"the same unit as on line {seen[key]}: keep one of them"
    stated = next((m.group(1) for note in entry.notes if (m := _ID_NOTE.match(note))), None)
    if stated is not None and stated != unit_id(entry.context, entry.source):
        original = by_id.get(stated)
        was = f' (exported as "{original}")' if original else ""
        return (f"its source text was changed{was}: keep the msgid exactly as exported and put the "
                "translation in msgstr")
    if key not in returns_texts:
        return ("its source text is in no return under the inputs folder (was it changed, or the "
                "return corrected since the export?): export again and translate the text as it now stands")
    return None
