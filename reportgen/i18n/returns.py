"""The Bureaux' texts in the report's language: which texts a report shows, and `ReturnTexts`,
the lookup `(text, kind) -> (text to show, its language)` that the templates (and charts)
consult for every text typed in a return.

Three sources of translation, in this order:
- units from the controlled list (`terms.py`) and known ITU bodies (`bodies.yaml`): the tool
  translates them itself, through the catalogues and the bodies' data;
- the translation memory `inputs/translations/<lang>.po` (`memory.py`), filled by
  `reportgen i18n import`;
- otherwise the text stays as typed, in its own language (English unless the return's About
  sheet says otherwise), and counts as untranslated.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from reportgen.i18n.memory import KINDS, Memory, TextKind, load_memory, text_key
from reportgen.model import HighlightEntry, KPIEntry, ProposalEntry, ReportModel, ReturnInfo, Source, YearData

log = logging.getLogger(__name__)

__all__ = ["Place", "ReturnText", "ReturnTexts", "Shown", "TextKind", "load_return_texts", "texts_of",
           "texts_of_model", "texts_of_year", "untranslated_summary"]

SOURCE_LANGUAGE = "en"  # what a return is typed in unless its About sheet says otherwise


@dataclass(frozen=True, slots=True)
class Place:
    """Where a text stands, for the translator's context."""

    bureau: str
    refers_to: str | None  # the output (KPIs) or the plan code the row refers to
    source: Source
    about: str | None = None  # for a unit or comment: the name of its KPI


@dataclass(frozen=True, slots=True)
class ReturnText:
    """One distinct text of the returns, of one kind, with every place it stands."""

    kind: str
    text: str  # with its white space folded (`memory.text_key`)
    language: str  # the language it was typed in
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Shown:
    text: str
    language: str  # the language of `text`
    translated: bool  # False: the text stands in its own language for want of a translation


def _language_of(returns: Iterable[ReturnInfo]) -> dict[str, str]:
    return {r.file: (r.language or SOURCE_LANGUAGE).split("-")[0].lower() for r in returns}


def texts_of(kpis: Iterable[KPIEntry], proposals: Iterable[ProposalEntry], highlights: Iterable[HighlightEntry],
             returns: Iterable[ReturnInfo]) -> tuple[ReturnText, ...]:
    """Every distinct (kind, text) of these entries, in the order they are first met."""
    languages = _language_of(returns)
    found: dict[tuple[str, str], tuple[str, list[Place]]] = {}

    def add(kind: TextKind, text: str | None, place: Place) -> None:
        if text is None or not text_key(text):
            return
        language = languages.get(place.source.file, SOURCE_LANGUAGE)
        found.setdefault((kind.value, text_key(text)), (language, []))[1].append(place)

    for k in kpis:
        add(TextKind.KPI, k.kpi, Place(k.bureau, k.output, k.source))
        add(TextKind.UNIT, k.unit, Place(k.bureau, k.output, k.source, k.kpi))
        add(TextKind.COMMENT, k.comment, Place(k.bureau, k.output, k.source, k.kpi))
    for h in highlights:
        add(TextKind.HIGHLIGHT, h.text, Place(h.bureau, h.refers_to, h.source))
    for p in proposals:
        add(TextKind.PROPOSAL, p.text, Place(p.bureau, p.refers_to, p.source, p.body))
        add(TextKind.SOURCE, p.body, Place(p.bureau, p.refers_to, p.source))
    return tuple(ReturnText(kind, text, language, tuple(places))
                 for (kind, text), (language, places) in found.items())


def texts_of_year(data: YearData) -> tuple[ReturnText, ...]:
    return texts_of(data.kpis, data.proposals, data.highlights, data.returns)


def texts_of_model(model: ReportModel) -> tuple[ReturnText, ...]:
    """The texts a report of `model` shows: its valid KPIs, proposals and highlights."""
    highlights = {h.source: h for s in model.sectors for h in (*s.highlights, *(x for o in s.outputs
                                                                                 for x in o.highlights))}
    return texts_of((k.entry for k in model.kpis), model.proposals, highlights.values(), model.returns)


class ReturnTexts:
    """The Bureaux' texts in one language. English (the identity) unless loaded for another."""

    def __init__(self, language: str = "en", memory: Memory | None = None, translations: Any = None) -> None:
        self.language = language
        self.memory = memory or Memory(language)
        self._translations = translations  # the catalogue, for controlled units (lazy)

    def __repr__(self) -> str:
        return f"ReturnTexts({self.language!r}, {len(self.memory.units)} translations)"

    @property
    def translations(self) -> Any:
        if self._translations is None:
            from reportgen.i18n.catalogues import translations

            self._translations = translations(self.language)
        return self._translations

    def shown(self, text: str, kind: str, text_language: str | None = None) -> Shown:
        """What the report shows for `text` (a text of kind `kind`, typed in `text_language`)."""
        from reportgen.i18n import bodies, terms

        if kind not in KINDS:
            raise ValueError(f"unknown kind of text {kind!r}")
        own = (text_language or SOURCE_LANGUAGE).split("-")[0].lower()
        if own == self.language:
            return Shown(text, self.language, True)
        if kind == TextKind.UNIT and (label := terms.controlled_unit(text)) is not None:
            return Shown(terms.unit_in(label, self.translations), self.language, True)
        if kind == TextKind.SOURCE:
            if text_key(text).casefold() == bodies.UNSPECIFIED:
                return Shown(self.translations.pgettext("source", bodies.UNSPECIFIED), self.language, True)
            cited = bodies.load_bodies().cite(text, self.language) if self.language != "en" else None
            if cited is not None:
                return Shown(cited, self.language, True)
        found = self.memory.get(kind, text) or self.memory.any_kind(text)
        if found is not None:
            return Shown(found, self.language, True)
        return Shown(text, own, False)

    def lookup(self, text: str, kind: str, text_language: str | None = None) -> tuple[str, str]:
        """(the text to show, its language): the translation, or the text as typed."""
        shown = self.shown(text, kind, text_language)
        return shown.text, shown.language

    def text(self, text: str, kind: str, text_language: str | None = None) -> str:
        return self.shown(text, kind, text_language).text

    def translated(self, text: ReturnText) -> bool:
        return self.shown(text.text, text.kind, text.language).translated

    def untranslated(self, texts: Iterable[ReturnText]) -> tuple[ReturnText, ...]:
        """The texts this language has no translation for (and that are not in this language)."""
        return tuple(t for t in texts if not self.translated(t))


ENGLISH = ReturnTexts()


def load_return_texts(inputs: Path, language: str) -> ReturnTexts:
    """The lookup for `language` with its memory from `inputs/translations/`; a PoSyntaxError
    if that file cannot be read."""
    if language == "en":
        return ReturnTexts("en", load_memory(inputs, "en"))
    return ReturnTexts(language, load_memory(inputs, language))


def load_for_build(inputs: Path, language: str) -> tuple[ReturnTexts, str | None]:
    """As `load_return_texts`, for a build that must go on: a broken memory file gives the
    English texts and a notice saying why, instead of an error."""
    from reportgen.i18n.pofile import PoSyntaxError

    try:
        return load_return_texts(inputs, language), None
    except PoSyntaxError as exc:
        return ReturnTexts(language), (f"the translations for '{language}' cannot be read ({exc}); the "
                                       "Bureaux' texts are shown as typed. Import the file again with "
                                       "'reportgen i18n import'.")


def with_texts_in(model: ReportModel, texts: ReturnTexts) -> ReportModel:
    """The model with its KPI names and units in `texts`' language, for what draws them without
    going through the templates (the charts). Figures, order and sources are unchanged."""
    from dataclasses import replace

    if texts.language == SOURCE_LANGUAGE and not texts.memory.units:
        return model

    def entry(result: Any) -> Any:
        e = result.entry
        return replace(result, entry=replace(
            e, kpi=texts.text(e.kpi, TextKind.KPI, e.language),
            unit=texts.text(e.unit, TextKind.UNIT, e.language) if e.unit else e.unit))

    kpis = {id(k): entry(k) for k in model.kpis}
    sectors = tuple(replace(s, outputs=tuple(replace(o, kpis=tuple(kpis.get(id(k)) or entry(k) for k in o.kpis))
                                             for o in s.outputs)) for s in model.sectors)
    return replace(model, kpis=tuple(kpis[id(k)] for k in model.kpis), sectors=sectors)


def untranslated_summary(model: ReportModel, lookups: dict[str, ReturnTexts]) -> dict[str, Any]:
    """The JSON's count (contract 8.6): `untranslated` is the number of the returns' texts left
    untranslated in the language versions written (summed over them; 0 for English alone), and
    `translations` gives, per language, its own `untranslated` and those texts."""
    texts = texts_of_model(model)
    by_language = {}
    for language, lookup in lookups.items():
        missing = lookup.untranslated(texts)
        by_language[language] = {"untranslated": len(missing), "translated": len(texts) - len(missing),
                                 "texts": [{"kind": t.kind, "text": t.text} for t in missing]}
    return {"untranslated": sum(v["untranslated"] for v in by_language.values()),
            "translations": by_language}
