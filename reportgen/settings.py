"""Settings a user writes, each checked with every problem named by file and line:

- the thresholds of the statuses and rules (contract sections 3 and 5): the contract's defaults,
  which a rules file (`--rules FILE`, YAML) may change;
- the cover's document settings (`inputs/report.yaml`, then `--doc-number` and `--council`).

`pipeline.configuration.load_configuration` reads these, the plan and its calendar together
before any workbook, and reports every problem of them all at once (as mkdocs does).
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from reportgen.errors import ConfigError, ConfigProblem

__all__ = ["ConfigError", "DocumentSettings", "Thresholds", "load_document_settings", "load_thresholds"]


@dataclass(frozen=True, slots=True)
class Thresholds:
    achieved: float = 1.0  # achievement at or above: achieved
    partially_achieved: float = 0.5  # at or above: partially achieved
    overspend: float = 1.10  # execution above: overspend
    underspend: float = 0.70  # execution below: underspend
    review_min_reported: int = 2  # objective-review: reported KPIs needed
    review_share_not_achieved: float = 0.5  # objective-review: share not achieved


@dataclass(frozen=True, slots=True)
class _Bound:
    """What one threshold may be, and the words that tell a user how to write it."""

    lowest: float
    highest: float = math.inf
    above_lowest: bool = False  # the lowest value itself is not allowed
    whole: bool = False  # a count
    meaning: str = ""


_BOUNDS = {
    "achieved": _Bound(0.0, above_lowest=True, meaning="the achievement at or above which a KPI is "
                       "achieved, e.g. 0.95 for 95 %"),
    "partially_achieved": _Bound(0.0, meaning="the achievement at or above which a KPI is partially "
                                 "achieved, e.g. 0.5; at most 'achieved'"),
    "overspend": _Bound(1.0, meaning="the execution rate above which an output is overspent, "
                        "e.g. 1.1 for 110 % of its budget"),
    "underspend": _Bound(0.0, 1.0, meaning="the execution rate below which an output is underspent, "
                         "e.g. 0.7 for 70 % of its budget"),
    "review_min_reported": _Bound(1, whole=True, meaning="how many KPIs of an objective must be "
                                  "reported before it can be put up for review, e.g. 2"),
    "review_share_not_achieved": _Bound(0.0, 1.0, above_lowest=True, meaning="the share of an "
                                        "objective's reported KPIs not achieved that puts it up for review, e.g. 0.5"),
}


def _threshold_problem(name: str, value: Any) -> str | None:
    """What is wrong with `value` for the threshold `name`, or None."""
    from reportgen.util.yamlfile import describe

    bound = _BOUNDS[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"'{name}' is {describe(value)}, not a number"
    if math.isnan(value):
        return f"'{name}' is .nan, not a number"
    if math.isinf(value):
        return f"'{name}' is {describe(value)}: it must be a finite number"
    if bound.whole and value != int(value):
        return f"'{name}' is {value:g}: it counts KPIs, so it must be a whole number"
    if value < bound.lowest or (bound.above_lowest and value == bound.lowest):
        least = "above" if bound.above_lowest else "at least"
        return f"'{name}' is {value:g}: it must be {least} {bound.lowest:g}"
    if value > bound.highest:
        return f"'{name}' is {value:g}: it must be at most {bound.highest:g}"
    return None


def _unknown_key(key: object, known: list[str]) -> str:
    close = difflib.get_close_matches(str(key).replace("-", "_").lower(), known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}the settings are: {', '.join(known)}"


def load_thresholds(path: Path | None) -> Thresholds:
    """The defaults, overridden by the keys of a YAML rules file. Raises ConfigError listing
    every problem (unknown keys, values that are not finite numbers or out of range) with its line."""
    if path is None:
        return Thresholds()
    from reportgen.util.yamlfile import read_mapping

    data = read_mapping(path, "rules file")
    known = [f.name for f in fields(Thresholds)]
    problems: list[ConfigProblem] = []
    changes: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for key, value in data.items():
        name = str(key).replace("-", "_")
        line = data.line_of(key)
        if name not in known:
            problems.append(ConfigProblem(str(path), line, f"unknown setting '{key}'", _unknown_key(key, known)))
            continue
        fault = _threshold_problem(name, value)
        if fault:
            problems.append(ConfigProblem(str(path), line, fault, f"write {_BOUNDS[name].meaning}"))
            continue
        changes[name] = int(value) if _BOUNDS[name].whole else float(value)
        lines[name] = line
    thresholds = replace(Thresholds(), **changes)
    if not problems and thresholds.partially_achieved > thresholds.achieved:
        line = lines.get("partially_achieved", lines.get("achieved"))
        problems.append(ConfigProblem(
            str(path), line, f"'partially_achieved' ({thresholds.partially_achieved:g}) is above 'achieved' "
            f"({thresholds.achieved:g})", "make 'partially_achieved' at most 'achieved', e.g. 0.5 and 1.0"))
    if problems:
        raise ConfigError(problems)
    return thresholds


# The letter ITU document numbers end with in each language (C10/35-E, C10/35-F, ...).
LANGUAGE_LETTERS = {"en": "E", "fr": "F", "es": "S", "ar": "A", "zh": "C", "ru": "R"}


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """What the cover says beyond the data: set in `inputs/report.yaml` or on the command line.

    `document_number` may hold `{L}` for the language letter (C10/35-{L} → C10/35-F in French);
    `council` may be one text or one per language ({en: Council 2010, fr: Conseil 2010})."""

    document_number: str = "DRAFT"
    council: str | dict | None = None  # the session the report goes to, e.g. "Council 2010"
    date: str | None = None  # the document's date (YYYY-MM-DD); default: SOURCE_DATE_EPOCH or the returns' dates
    agenda_item: str | dict | None = None  # the Council's agenda item, e.g. "PL 2.3"

    def for_language(self, lang: str) -> "DocumentSettings":
        council, agenda_item = self.council, self.agenda_item
        if isinstance(council, dict):
            council = council.get(lang) or council.get("en")
        if isinstance(agenda_item, dict):
            agenda_item = agenda_item.get(lang) or agenda_item.get("en")
        number = self.document_number.replace("{L}", LANGUAGE_LETTERS.get(lang, lang.upper()))
        return DocumentSettings(number, council, self.date, agenda_item)


def _one_line(value: Any) -> str | None:
    """A text setting as it goes on the cover (one line), or None if `value` is not a text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return " ".join(str(value).split())


# The settings that are one text or one per language, with an example in English and French.
_EXAMPLES = {"council": ("Council 2010", "Conseil 2010"), "agenda_item": ("PL 2.3", "PL 2.3")}


def _document_value(path: Path, key: str, value: Any, line: int | None) -> tuple[Any, list[ConfigProblem]]:
    """The checked value of one key of report.yaml, and its problems."""
    from reportgen.util.yamlfile import describe, line_of

    def problem(message: str, fix: str, at: int | None = line) -> list[ConfigProblem]:
        return [ConfigProblem(str(path), at, message, fix)]

    if key == "document_number":
        text = _one_line(value)
        if text is None:
            return None, problem(f"document_number is {describe(value)}, not one text",
                                 "write one text, e.g. document_number: C10/35-{L} ({L} becomes E, F, S, A, C or R)")
        return text, []
    if key in _EXAMPLES:  # council, agenda_item: one text, or one per language
        example, french = _EXAMPLES[key]
        if isinstance(value, dict):
            texts, problems = {}, []
            for lang, text in value.items():
                at = line_of(value, lang) or line
                if lang not in LANGUAGE_LETTERS:
                    problems += problem(f"{key}: '{lang}' is not a language of the report",
                                        f"use {', '.join(LANGUAGE_LETTERS)}", at)
                elif _one_line(text) is None:
                    problems += problem(f"{key}: {lang} is {describe(text)}, not one text",
                                        f"write e.g. {lang}: {example}", at)
                else:
                    texts[str(lang)] = _one_line(text)
            if texts and "en" not in texts and not problems:
                problems += problem(f"{key} gives no English text ('en'), which the other languages fall back on",
                                    f"add en: {example}")
            return texts or None, problems
        text = _one_line(value)
        if text is None:
            return None, problem(f"{key} is {describe(value)}, not one text",
                                 f"write one text ({key}: {example}) or one per language "
                                 f"({key}: {{en: {example}, fr: {french}}})")
        return text, []
    # date
    text = str(value).strip() if isinstance(value, str) else None
    if text is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None, problem(f"date is {describe(value)}, not a date written YYYY-MM-DD",
                             "write the document's date, e.g. date: 2010-01-15, or leave the key out "
                             "to date the report from its returns")
    try:
        date.fromisoformat(text)
    except ValueError:
        return None, problem(f"date {text} is not a day of the calendar",
                             "check the month (01-12) and the day, e.g. date: 2010-01-15")
    return text, []


def load_document_settings(path: Path, **overrides: str | None) -> DocumentSettings:
    """`inputs/report.yaml` if it exists (keys: document_number, council, date, agenda_item), then the
    command line's overrides. Raises ConfigError listing every problem with its line."""
    values: dict[str, Any] = {}
    problems: list[ConfigProblem] = []
    if path.exists():
        from reportgen.util.yamlfile import read_mapping

        data = read_mapping(path, "report settings file")
        known = [f.name for f in fields(DocumentSettings)]
        for key, value in data.items():
            line = data.line_of(key)
            if key == "financial_plan":  # the plan period's, read by the assessment (pipeline/period.py)
                continue
            if key not in known:
                problems.append(ConfigProblem(str(path), line, f"unknown setting '{key}'", _unknown_key(key, known)))
            elif value is not None:  # `council:` with nothing after it: not set
                checked, faults = _document_value(path, key, value, line)
                problems += faults
                if checked is not None:
                    values[key] = checked
    if problems:
        raise ConfigError(problems)
    values.update({k: v for k, v in overrides.items() if v})
    return DocumentSettings(**values)
